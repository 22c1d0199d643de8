package io.github.wdstci.cli;

import java.io.PrintStream;

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP, which the JVM turns into its shutdown:
 * one shutdown hook, installed first thing in {@link WdsGet#main}, so that a
 * signal at any moment of a run says so, start-up included (only the JVM's own
 * start, before {@code main}, stays silent).
 *
 * <p>A {@link Transfer} takes the signal over while it runs ({@link #handOver}):
 * it cancels its sessions, cleans up and says so itself. Before that (parsing
 * the command line, doctor) nothing needs cleaning up, and the hook says itself
 * that wdsget was cancelled. After a command has ended, or when wdsget exits on
 * its own ({@link System#exit} runs the hooks too), the hook says nothing. The
 * JVM then exits with 128 + the signal, as shells report it.
 */
final class Signals {

    private enum State {
        /** Nothing has taken signals over: the hook says so itself. */
        STARTING,
        /** A transfer runs and handles them. */
        HANDED,
        /** A command ended, or wdsget exits on its own: a signal changes nothing. */
        ENDED,
        /** A signal came while {@link #STARTING}: the hook said so, the JVM is exiting. */
        SIGNALLED
    }

    private static final Object LOCK = new Object();
    private static State state = State.STARTING;          // guarded by LOCK
    private static Runnable handler;                      // guarded by LOCK
    private static PrintStream err;                       // guarded by LOCK; null until installed

    private Signals() {
    }

    /** Installs the hook (once per JVM; {@link WdsGet#main} only). */
    static void install(PrintStream stderr) {
        synchronized (LOCK) {
            if (err != null) {
                return;
            }
            err = stderr;
        }
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(Signals::onShutdown, "wdsget-signal"));
        } catch (IllegalStateException e) {
            // a signal came before main did: the JVM is already exiting, with the signal's code
        }
    }

    /**
     * A transfer handles signals from now on: the hook runs {@code onSignal}, and the JVM exits
     * once it returns.
     *
     * @return false when a signal came first: the JVM is exiting and the transfer must not start
     */
    static boolean handOver(Runnable onSignal) {
        synchronized (LOCK) {
            if (state == State.SIGNALLED) {
                return false;
            }
            state = State.HANDED;
            handler = onSignal;
            return true;
        }
    }

    /** The transfer (or any command) has ended, or wdsget exits on its own: a later signal says nothing. */
    static void ended() {
        synchronized (LOCK) {
            if (state != State.SIGNALLED) {
                state = State.ENDED;
                handler = null;
            }
        }
    }

    private static void onShutdown() {
        Runnable h;
        PrintStream e;
        synchronized (LOCK) {
            switch (state) {
                case HANDED -> h = handler;
                case STARTING -> {
                    state = State.SIGNALLED;
                    h = null;
                }
                default -> {
                    return;
                }
            }
            e = err;
        }
        if (h != null) {
            h.run();
            return;
        }
        // on a terminal, from the line's start: over the ^C the terminal echoed
        e.println((Tty.stderrIsTerminal() ? "\r" : "") + "wdsget: " + Outcome.Stop.signal().message()
                + "; nothing was received");
        e.flush();
    }
}
