package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.List;

import io.github.wdstci.Resumable;

/**
 * {@code get -c}: before a run's sessions start, each file's part file that an earlier run
 * left (killed, or failed under {@code -c}) is taken over, so that the object's first attempt
 * continues it, asking the transport for the ranges it lacks only. The part file must be one
 * of a wdsget process that no longer runs, and its ranges file must name the same target and
 * the same object (server, namespace and name: {@link FileSink#object}); its size is checked
 * when the session starts. No part file: the object is received from its first byte, as
 * without {@code -c}. A part file that cannot be continued (no ranges file, a damaged one,
 * another object) is said, and the object starts over: the part file is then removed with the
 * other stale ones ({@link FileSink#removeStaleParts}); nothing in it is used.
 */
final class Continuation {

    private Continuation() {
    }

    /**
     * Takes over the part files of {@code active}'s files; {@code notes} (null under {@code -q})
     * is told what is continued and what cannot be, {@code log} that too and what there was none of.
     */
    static void takeOver(List<Job> active, boolean several, EventLog log, Display notes, Attempts.Sinks sinks) {
        for (Job j : active) {
            if (j.target().kind() != Output.Kind.FILE || j.spec().syntheticSeed() != null) {
                continue;
            }
            String prefix = several ? j.spec().name() + ": " : "";
            String note;
            try {
                Resumable r = Resumable.takeOver(j.target().path(), FileSink.PART_TAG, FileSink.object(j.request()));
                if (r == null) {
                    log.event(j.spec(), "-c: no partial file of " + j.target().shown() + " to continue; from the start");
                    continue;
                }
                j.sink(sinks.make(j.spec(), j.target(), r));
                log.event(j.spec(), "-c: continuing " + r.partFile() + " (" + r.bytes() + " of " + r.size()
                        + " bytes on disk, in " + r.received().size() + (r.received().size() == 1 ? " range)" : " ranges)"));
                note = "continuing " + j.target().shown() + ": " + ByteSize.format(r.bytes()) + " of "
                        + ByteSize.format(r.size()) + " are on disk already";
            } catch (IOException | RuntimeException e) {
                note = "cannot continue " + j.target().shown() + ": " + (e instanceof FileSystemException f
                        ? f.getFile() + ": " + f.getReason() : e.getMessage()) + "; starting over";
                log.event(j.spec(), "-c: " + note);
            }
            if (notes != null) {
                notes.note("note: " + prefix + note);
            }
        }
    }
}
