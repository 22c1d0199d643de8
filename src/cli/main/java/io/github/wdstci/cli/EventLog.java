package io.github.wdstci.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code --log FILE}: what a run did, one line per event with the local time to the
 * millisecond and its offset, for a problem report (what {@code wdsmcast /trace} gives a Windows
 * administrator): the transport library, each object's request, every attempt's session start,
 * metadata, failure and retry, stalls, what was received and where it went, and the exit code.
 * Lines are appended (a run's first says that it starts), written as they happen and flushed
 * each, so that a run killed midway leaves its log up to then; {@code -} is standard error.
 * Names in it have their control characters escaped ({@link Visible}). Thread-safe.
 */
final class EventLog implements AutoCloseable {

    /** The log of a run without {@code --log}: says nothing. */
    static final EventLog NONE = new EventLog(null, false);

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    private final PrintStream out;
    private final boolean owned;

    private EventLog(PrintStream out, boolean owned) {
        this.out = out;
        this.owned = owned;
    }

    /**
     * Opens {@code --log}, creating the file or appending to it.
     *
     * @param err standard error, for {@code -}
     * @throws Outcome.Problem when it cannot be written, classified as a failed output is
     */
    static EventLog open(String file, PrintStream err) throws Outcome.Problem {
        if (file.equals("-")) {
            return new EventLog(err, false);
        }
        try {
            return new EventLog(new PrintStream(Files.newOutputStream(FileNames.of(file, "--log"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), false,
                    StandardCharsets.UTF_8), true);
        } catch (Outcome.Problem e) {
            throw e;
        } catch (IOException e) {
            throw Outcome.ioProblem("cannot write the log --log " + file, e);
        }
    }

    /** One event, now. */
    void event(String text) {
        if (out == null) {
            return;
        }
        synchronized (this) {
            out.println(ZonedDateTime.now().format(TIME) + " " + Visible.of(text));
            out.flush();
        }
    }

    /** One event of an object. */
    void event(Job.Spec object, String text) {
        event(object.name() + ": " + text);
    }

    @Override
    public void close() {
        if (owned) {
            out.close();
        }
    }
}
