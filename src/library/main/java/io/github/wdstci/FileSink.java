package io.github.wdstci;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A {@link ContentHandler} that writes the object into a file, which reaches
 * its name only complete: the blocks are written at their offsets into a part
 * file beside the target, which is forced to disk and then renamed onto the
 * target in one step. A failure or a cancel deletes the part file (unless
 * {@link Builder#keepOnFailure keepOnFailure}), so the target is either the
 * complete object or as it was. Make one with
 * {@link ContentHandlers#toFile(Path, java.nio.file.CopyOption...)} or, for
 * the settings below, with {@link #newBuilder(Path)}:
 *
 * <pre>{@code
 * FileSink sink = FileSink.newBuilder(Path.of("/srv/images/boot.wim"))
 *         .replaceExisting(true)     // an existing regular file is replaced
 *         .followLinks(true)         // a symbolic link at the target is written through
 *         .build();
 * client.receive(request, sink).join();
 * }</pre>
 *
 * <p><b>Checks before the first block.</b> When the session starts, the
 * target is checked before anything is received: its directory must exist;
 * its name must be one the file system takes; and what is there decides:
 * nothing, or a regular file with {@code replaceExisting}, is fine; a regular
 * file without it, or anything else (a directory, a symbolic link unless
 * {@code followLinks}, a device, a FIFO), fails the session with a
 * {@link TargetExistsException} saying what was found. Each of these fails
 * the session with a {@link FileSystemException} whose
 * {@link FileSystemException#getFile() file} is the target (with
 * {@code followLinks}, the file its links name), never the part file, and so
 * does a part file that cannot be created (an {@link AccessDeniedException},
 * say).
 *
 * <p><b>Putting it in place.</b> When every byte has arrived, the part file
 * is forced to disk and, by default, renamed onto the target at once, in
 * {@link #onSuccess()}. What is at the target then decides again: nothing, or
 * a regular file with {@code replaceExisting}, is replaced atomically;
 * anything else is left as it is, the received object is discarded and the
 * session fails with a {@link TargetExistsException}. The directory is then
 * synced (where the platform can). With
 * {@link Builder#commitOnSuccess(boolean) commitOnSuccess(false)} the complete
 * part file waits instead for the caller to check it ({@link #partFile()})
 * and then {@link #commit()} or {@link #discard()} it.
 *
 * <p><b>Resuming.</b> A sink made {@link Builder#resumable resumable}
 * keeps a ranges file beside its part file, which says which bytes of which
 * object are on disk; with {@link Builder#keepOnFailure keepOnFailure} a
 * failed session keeps the part file ({@link #kept()}), and a sink built to
 * {@link Builder#resume resume} one asks the transport for the missing bytes
 * only, or says why it started over ({@link #notResumed()}). See
 * {@link Resumable} for how.
 *
 * <p><b>Part files.</b> A part file is named after the target, a tag and the
 * process: {@code .NAME.wdstci-PID.part} ({@link Builder#partFileTag} changes
 * {@code wdstci}), NAME cut to 100 bytes; its ranges file adds
 * {@code .ranges}. It gets the permissions any new file gets, since it
 * becomes the target. One whose session has not ended when the JVM exits is
 * deleted at the exit, unless {@code keepOnFailure}. One left by a process
 * that was killed stays until {@link Resumable#takeOver} continues it or
 * {@link #removeLeftovers(Path, String, BiConsumer)} removes it.
 *
 * <p>A sink serves one session. Its blocks may arrive on several threads at
 * once; the other methods may be called from any thread.
 */
public final class FileSink implements ContentHandler {

    /** The most ranges a resuming sink asks for in one negotiation. */
    public static final int MAX_NEGOTIATED_RANGES = 16;

    /**
     * A part file left by a process that no longer runs.
     *
     * @param file the part file
     * @param pid  the ID of the process that wrote it, in its name
     */
    public record Leftover(Path file, long pid) {

        /** {@return the ranges file beside the part file (it may not exist): its name plus {@code .ranges}} */
        public Path rangesFile() {
            return RangesFile.of(file);
        }
    }

    private enum State { NEW, RECEIVING, COMPLETE, COMMITTED, DISCARDED, KEPT }

    private final FileSinkSettings.Frozen s;
    private final Path target;
    private final String object;                 // null: not resumable
    private final Resumable resume;

    // Decided under this object's lock; the part file and the size are also read by every
    // block, which the DLL may deliver on several threads (it does not document otherwise).
    private State state = State.NEW;
    private FileTarget destination;
    private volatile PartFile part;
    private volatile long size = -1;
    private Resumable continued;                 // what is being continued, once started
    private String notResumed;
    private List<Resumable.Range> requested;
    private Resumable kept;

    private FileSink(FileSinkSettings.Frozen s) {
        this.s = s;
        this.target = s.target();
        this.object = s.object();
        this.resume = s.resume();
    }

    /**
     * A builder for a sink writing {@code target}; every setting has the default of
     * {@link ContentHandlers#toFile(Path, java.nio.file.CopyOption...) toFile(target)}.
     *
     * @param target the file the object becomes
     * @return a new builder
     * @throws IllegalArgumentException if target is null, has no file name, or is an existing
     *                                  directory
     */
    public static Builder newBuilder(Path target) {
        return new Builder(FileSinkSettings.checkTarget(target));
    }

    /** Settings of a {@link FileSink}; {@link #build()} makes one. Not thread-safe. */
    public static final class Builder extends FileSinkSettings {

        private Builder(Path target) {
            super(target);
        }

        /**
         * A new sink with these settings, for one session.
         *
         * @return the sink
         * @throws IllegalStateException if {@code keepOnFailure} is asked of a sink that is not
         *                               resumable
         */
        public FileSink build() {
            return new FileSink(freeze());
        }
    }

    /** {@return the file the object becomes, as given (made absolute)} */
    public Path target() {
        return target;
    }

    /**
     * The part file while there is one: from the session's start until it is
     * committed, discarded or kept. Once {@link #onSuccess()} has returned it is
     * complete and forced to disk, and may be read (not written) until
     * {@link #commit()}.
     *
     * @return the part file, or null
     */
    public synchronized Path partFile() {
        return state == State.RECEIVING || state == State.COMPLETE ? part.path() : null;
    }

    /**
     * Checks the target and creates the part file, or continues the one to resume.
     *
     * @param info the object's size
     * @throws IOException a {@link FileSystemException} about the target (see the class
     *                     documentation), or the sink was discarded already
     * @throws IllegalStateException if the sink has served a session already
     */
    @Override
    public synchronized void onStart(StartInfo info) throws IOException {
        if (state == State.DISCARDED) {
            throw new IOException("the file sink for " + target + " was discarded before the session started");
        }
        if (state != State.NEW) {
            throw new IllegalStateException("a file sink serves one session only");
        }
        destination = FileTarget.check(target, s.followLinks(), s.replaceExisting());
        long objectSize = info.fileSize();
        notResumed = resume == null ? null : !resume.object().equals(object)
                ? "it holds another object, '" + resume.object() + "'" : !WdsClient.library().hasNegotiation()
                ? "the transport library does not export WdsTransportClientNegotiateRequiredDataRange, so only the"
                + " whole object can be asked for" : PartFile.whyNot(resume, objectSize, destination.directory());
        continued = resume != null && notResumed == null ? resume : null;
        part = PartFile.open(destination, s.tag(), objectSize, object, continued, resume, s.syncInterval(),
                !s.keepOnFailure());
        size = objectSize;
        state = State.RECEIVING;
    }

    /** {@return whether the sink answers the negotiation: when it was built to resume} */
    @Override
    public boolean negotiates() {
        return resume != null;
    }

    /**
     * Asks for the bytes the part file being continued lacks (nothing when it
     * is not continued: the whole object); see {@link #requested()}.
     */
    @Override
    public void onNegotiate(StartInfo info, Negotiation negotiation) throws WdsTransportException {
        List<Resumable.Range> ask;
        synchronized (this) {
            if (continued == null) {
                return;
            }
            ask = continued.toAsk(MAX_NEGOTIATED_RANGES);
            if (ask.isEmpty() && size > 0) {
                // all there: asking for no range would mean the whole object, so ask for its last byte
                ask = List.of(new Resumable.Range(size - 1, size));
            }
            requested = ask;
        }
        for (Resumable.Range r : ask) {
            negotiation.require(r.start(), r.length());
        }
    }

    /**
     * Writes the block at its offset into the part file (but not its bytes that a continued
     * part file holds already).
     *
     * @throws IOException if the block lies outside the object or cannot be written
     */
    @Override
    public void onContent(MemorySegment block, long offset) throws IOException {
        ContentHandlers.checkBlock(offset, block.byteSize(), size);
        part.write(block, offset);
    }

    /**
     * Checks that every byte arrived, forces the part file to disk and, unless
     * {@code commitOnSuccess(false)}, puts it in place ({@link #commit()}).
     *
     * @throws IOException if bytes are missing, the file cannot be forced, or the commit fails
     */
    @Override
    public void onSuccess() throws IOException {
        synchronized (this) {
            if (state != State.RECEIVING) {
                throw new IOException(state == State.NEW ? "the session succeeded without starting"
                        : "the file sink for " + target + " was " + (state == State.KEPT ? "kept" : "discarded"));
            }
            if (!part.complete()) {
                throw new IOException("received " + part.bytes() + " of " + size + " bytes");
            }
            part.finish();
            state = State.COMPLETE;
        }
        if (s.commitOnSuccess()) {
            commit();
        }
    }

    /**
     * The session failed or was cancelled: with {@code keepOnFailure}, keeps the part file
     * for a later session ({@link #kept()}), or the one given to resume if the session never
     * started; else, or when it cannot be kept, or the object was complete, deletes it. What
     * goes wrong is added to {@code cause} as suppressed. Once kept, does nothing.
     */
    @Override
    public void onFailure(Throwable cause) {
        synchronized (this) {
            if (state == State.KEPT) {
                return;
            }
            if (s.keepOnFailure() && (state == State.RECEIVING || state == State.NEW && resume != null)) {
                try {
                    kept = state == State.NEW ? resume : part.keep();
                    state = State.KEPT;
                    return;
                } catch (IOException | RuntimeException e) {
                    cause.addSuppressed(e);
                }
            }
        }
        try {
            discard();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * {@return the part file that {@link #onFailure} kept, forced to disk with its ranges file, for
     * a sink built to {@link Builder#resume resume} it; null when none was kept (or it was discarded since)}
     */
    public synchronized Resumable kept() {
        return state == State.KEPT ? kept : null;
    }

    /**
     * {@return why a sink built to {@link Builder#resume resume} a part file started over from the
     * first byte instead, once its session started; null when it continued it (or was not built to)}
     */
    public synchronized String notResumed() {
        return notResumed;
    }

    /** {@return the ranges this sink asked the transport for, ascending; null when none (the whole object)} */
    public synchronized List<Resumable.Range> requested() {
        return requested;
    }

    /**
     * Puts the complete object in place: renames the part file onto the target
     * (see the class documentation for what may be replaced), syncs the
     * directory and deletes the ranges file. Called by {@link #onSuccess()}
     * unless {@code commitOnSuccess(false)}; calling it again after it
     * succeeded does nothing. If it fails, the part file is deleted.
     *
     * @throws TargetExistsException if something that may not be replaced is at the target
     * @throws IOException           a {@link FileSystemException} about the target when the
     *                               rename fails otherwise
     * @throws IllegalStateException if the object is not complete, or was discarded or kept
     */
    public synchronized void commit() throws IOException {
        switch (state) {
            case COMMITTED -> { return; }
            case COMPLETE -> { }
            case DISCARDED, KEPT -> throw new IllegalStateException("the file sink for " + target + " was "
                    + (state == State.KEPT ? "kept" : "discarded"));
            default -> throw new IllegalStateException("the object for " + target + " is not complete");
        }
        try {
            destination.place(part.path());
        } catch (IOException | RuntimeException e) {
            discard(e);
            throw e;
        }
        state = State.COMMITTED;
        part.committed();
    }

    /**
     * Gives the object up: closes and deletes the part file (and its ranges
     * file), also one that {@link #onFailure} kept, or the one given to resume
     * if the session never started. Does nothing once the
     * object is committed, or discarded already. From any thread; a block being
     * written meanwhile fails its session.
     *
     * @throws IOException if the part file cannot be closed or deleted (the sink is
     *                     discarded all the same); what went wrong is suppressed in it
     */
    public synchronized void discard() throws IOException {
        IOException failure = new IOException("cannot discard the part file " + (part == null ? null : part.path())
                + " of " + target);
        discard(failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    /**
     * Closes and deletes the part file, unless committed, or the one given to resume if the
     * session never started; problems are added to {@code cause}.
     */
    private void discard(Throwable cause) {
        if (state == State.COMMITTED || state == State.DISCARDED) {
            return;
        }
        state = State.DISCARDED;
        if (part != null) {
            part.delete(cause);
        } else if (resume != null) {
            PartFile.delete(resume.partFile(), cause);
        }
    }

    /**
     * Deletes the part files of {@code tag} in {@code directory} whose
     * process no longer runs, with their ranges files: those a killed process,
     * or a machine that lost power, left behind. A process is looked for on this
     * machine only, so do not let two machines write part files into one shared
     * directory at once.
     *
     * @param directory where to look (not below it)
     * @param tag       the part files' tag ({@code wdstci}, or the one a program gives its
     *                  sinks with {@link Builder#partFileTag})
     * @param notDeleted told of each leftover that could not be deleted, and why
     * @return the leftovers deleted
     * @throws IOException              if the directory cannot be read
     * @throws IllegalArgumentException if an argument is null or the tag is not one
     */
    public static List<Leftover> removeLeftovers(Path directory, String tag,
            BiConsumer<? super Leftover, ? super IOException> notDeleted) throws IOException {
        if (directory == null || notDeleted == null) {
            throw new IllegalArgumentException("directory and notDeleted must not be null");
        }
        return PartFiles.removeLeftovers(directory, PartFiles.checkTag(tag), notDeleted);
    }
}
