package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Whether standard output or error is a terminal, and how wide it is, from
 * JLine's terminal providers (FFM on JDK 22+, else JLine's {@code stty}-based
 * one).
 *
 * <p>JLine is asked only about a stream that may be a terminal: where
 * {@code /proc/self/fd} tells what a stream is (Linux), a pipe, a regular
 * file or a memory device such as {@code /dev/null} is no terminal, and
 * answers without loading JLine, whose FFM provider costs a fifth of a
 * second of start-up (it makes the process's first downcall handles). So
 * JLine is loaded only where a bar may be drawn. Each answer is asked for
 * once, when first needed.
 *
 * <p>Only these two queries are used: no JLine {@code Terminal} is built, so
 * JLine never installs signal handlers or changes terminal attributes, and
 * Ctrl-C and SIGTERM keep reaching the JVM's own handlers (the progress-bar
 * library wdsget used before built a system terminal, whose default signal
 * handling killed the JVM on Ctrl-C without running its shutdown hooks).
 */
final class Tty {

    /** Used when the width is unknown (not a terminal, or the query failed). */
    static final int DEFAULT_WIDTH = 80;

    private Tty() {
    }

    /** JLine's provider, loaded on first use. */
    private static final class Jline {
        static final TerminalProvider PROVIDER = load();
    }

    private static TerminalProvider load() {
        for (String name : new String[] {"ffm", "exec"}) {
            try {
                return TerminalProvider.load(name);
            } catch (IOException | RuntimeException | LinkageError e) {
                // try the next one; without any, nothing counts as a terminal
            }
        }
        return null;
    }

    /** Whether standard output is a terminal. */
    static boolean stdoutIsTerminal() {
        return isTerminal(SystemStream.Output);
    }

    /** Whether standard error is a terminal. */
    static boolean stderrIsTerminal() {
        return isTerminal(SystemStream.Error);
    }

    /** The width of standard output's terminal in columns, or {@link #DEFAULT_WIDTH}. */
    static int stdoutWidth() {
        return width(SystemStream.Output);
    }

    /** The width of standard error's terminal in columns, or {@link #DEFAULT_WIDTH}. */
    static int stderrWidth() {
        return width(SystemStream.Error);
    }

    private static boolean isTerminal(SystemStream s) {
        if (!mayBeTerminal(s == SystemStream.Output ? 1 : 2)) {
            return false;
        }
        try {
            return Jline.PROVIDER != null && Jline.PROVIDER.isSystemStream(s);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Whether file descriptor {@code fd} may be a terminal (see the class comment). */
    private static boolean mayBeTerminal(int fd) {
        return FileTypes.mayBeTerminal(Path.of("/proc/self/fd/" + fd));
    }

    private static int width(SystemStream s) {
        try {
            int w = Jline.PROVIDER == null ? 0 : Jline.PROVIDER.systemStreamWidth(s);
            return w > 0 ? w : DEFAULT_WIDTH;
        } catch (RuntimeException | LinkageError e) {
            return DEFAULT_WIDTH;
        }
    }
}
