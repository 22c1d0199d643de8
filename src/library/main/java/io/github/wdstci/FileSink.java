package io.github.wdstci;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A {@link ContentHandler} that writes the object into a file, which reaches
 * its name only complete: the blocks are written at their offsets into a part
 * file beside the target, which is forced to disk and then renamed onto the
 * target in one step. A failure or a cancel deletes the part file, so the
 * target is either the complete object or as it was. Make one with
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
 * its name must be one the file system takes (a name longer than it allows is
 * refused then, not after the whole object arrived); and what is there
 * decides: nothing, or a regular file with {@code replaceExisting}, is fine;
 * a regular file without it, or anything else (a directory, a symbolic link
 * unless {@code followLinks}, a device, a FIFO), fails the session with a
 * {@link TargetExistsException} saying what was found. Each of these fails
 * the session with a {@link FileSystemException} whose
 * {@link FileSystemException#getFile() file} is the target (with
 * {@code followLinks}, the file its links name), never the part file, and so
 * does a part file that cannot be created (an {@link AccessDeniedException},
 * say).
 *
 * <p><b>Putting it in place.</b> When every byte has arrived, the part file
 * is forced to disk and, by default, renamed onto the target at once, in
 * {@link #onSuccess()}. What is at the target then decides again, whether it
 * was there at the start or appeared meanwhile: nothing, or a regular file
 * with {@code replaceExisting}, is replaced atomically; anything else is left
 * as it is, the received object is discarded and the session fails with a
 * {@link TargetExistsException}. The directory is then synced (where the
 * platform can), so that the rename survives a power loss. With
 * {@link Builder#commitOnSuccess(boolean) commitOnSuccess(false)} the
 * complete part file waits instead, for the caller to check it (read
 * {@link #partFile()}, say to compute a hash) and then {@link #commit()} or
 * {@link #discard()} it.
 *
 * <p><b>Part files.</b> A part file is named after the target, a tag and the
 * process: {@code .NAME.wdstci-PID.part} ({@link Builder#partFileTag} changes
 * {@code wdstci}), NAME cut to 100 bytes, so any legal target name works. It
 * gets the permissions any new file gets, since it becomes the target. One
 * whose session has not ended when the JVM exits (a {@code main} that returns
 * without closing its client) is deleted at the exit. One left by a process
 * that was killed, or by a machine that lost power, stays until
 * {@link #removeLeftovers(Path, String, BiConsumer)} removes it.
 *
 * <p>A sink serves one session. Its blocks may arrive on several threads at
 * once; the other methods may be called from any thread.
 */
public final class FileSink implements ContentHandler {

    /*
     * How the sink is laid out, with resuming an interrupted transfer in mind (not done yet):
     * the part file's name depends only on the target, the tag and the process, so a later
     * run finds the one an interrupted run left (leftovers()); what has arrived is counted in
     * one place (received), which becomes the set of ranges received; and the end of a
     * session has three separate steps, complete (forced), commit and discard, so that keeping
     * a part file for later is a change to onFailure alone.
     */

    /**
     * A part file left by a process that no longer runs.
     *
     * @param file the part file
     * @param pid  the ID of the process that wrote it, in its name
     */
    public record Leftover(Path file, long pid) {
    }

    private enum State { NEW, RECEIVING, COMPLETE, COMMITTED, DISCARDED }

    private final Path target;
    private final boolean replaceExisting;
    private final boolean followLinks;
    private final boolean commitOnSuccess;
    private final String tag;

    // Decided under this object's lock; the channel and the size are also read by every block,
    // which the DLL may deliver on several threads (it does not document otherwise).
    private State state = State.NEW;
    private Path destination;                    // the target, through its links with followLinks
    private Path part;
    private volatile FileChannel channel;
    private volatile long size = -1;
    private final AtomicLong received = new AtomicLong();

    private FileSink(Builder b) {
        this.target = b.target;
        this.replaceExisting = b.replaceExisting;
        this.followLinks = b.followLinks;
        this.commitOnSuccess = b.commitOnSuccess;
        this.tag = b.tag;
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
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        if (target.getFileName() == null) {
            throw new IllegalArgumentException("target has no file name: " + target);
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("target is a directory: " + target);
        }
        return new Builder(target.toAbsolutePath());
    }

    /** Settings of a {@link FileSink}; {@link #build()} makes one. Not thread-safe. */
    public static final class Builder {
        private final Path target;
        private boolean replaceExisting;
        private boolean followLinks;
        private boolean commitOnSuccess = true;
        private String tag = PartFiles.DEFAULT_TAG;

        private Builder(Path target) {
            this.target = target;
        }

        /**
         * Whether a regular file at the target is replaced (default: false, it fails the
         * session with a {@link TargetExistsException}). Anything else there is never
         * replaced.
         *
         * @param replace true to replace an existing regular file
         * @return this builder
         */
        public Builder replaceExisting(boolean replace) {
            this.replaceExisting = replace;
            return this;
        }

        /**
         * Whether a symbolic link at the target is written through (default: false, it fails
         * the session as anything but a regular file does). With true, the links are followed
         * when the session starts, to the file they finally name, which is then handled as the
         * target (and created if the last link dangles); the links stay as they are.
         *
         * @param follow true to write through symbolic links
         * @return this builder
         */
        public Builder followLinks(boolean follow) {
            this.followLinks = follow;
            return this;
        }

        /**
         * Whether the complete object is put in place in {@link FileSink#onSuccess()} (default:
         * true). With false, the forced part file waits for {@link FileSink#commit()} or
         * {@link FileSink#discard()}, for the caller to check it first.
         *
         * @param commit false to commit by hand
         * @return this builder
         */
        public Builder commitOnSuccess(boolean commit) {
            this.commitOnSuccess = commit;
            return this;
        }

        /**
         * The tag in the part file's name, {@code .NAME.TAG-PID.part} (default: {@code wdstci}):
         * a program's own tag keeps its part files, and the leftovers it removes, apart from
         * other programs'.
         *
         * @param tag 1 to 32 letters, digits or {@code _}
         * @return this builder
         * @throws IllegalArgumentException if the tag is null or has another character
         */
        public Builder partFileTag(String tag) {
            this.tag = PartFiles.checkTag(tag);
            return this;
        }

        /**
         * A new sink with these settings, for one session.
         *
         * @return the sink
         */
        public FileSink build() {
            return new FileSink(this);
        }
    }

    /**
     * The file the object becomes, as given (made absolute).
     *
     * @return the target
     */
    public Path target() {
        return target;
    }

    /**
     * The part file while there is one: from the session's start until it is
     * committed or discarded. Once {@link #onSuccess()} has returned it is
     * complete and forced to disk, and may be read (not written) until
     * {@link #commit()}.
     *
     * @return the part file, or null
     */
    public synchronized Path partFile() {
        return state == State.RECEIVING || state == State.COMPLETE ? part : null;
    }

    /**
     * Checks the target and creates the part file.
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
        destination = followLinks ? throughLinks(target) : target;
        Path dir = destination.getParent();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(destination.toString(), null, "its directory does not exist");
        }
        TargetExistsException.Found there = found(destination);   // a name too long for the file system fails here
        if (there != null && (there != TargetExistsException.Found.REGULAR_FILE || !replaceExisting)) {
            throw inTheWay(there, false);
        }
        try {
            part = PartFiles.create(dir, destination.getFileName().toString(), tag);
        } catch (FileSystemException e) {
            throw aboutTarget(e, "cannot create a temporary file beside it");
        }
        try {
            channel = FileChannel.open(part, StandardOpenOption.WRITE);
        } catch (IOException e) {
            deletePart(e);
            throw e;
        }
        size = info.fileSize();
        state = State.RECEIVING;
    }

    /**
     * Writes the block at its offset into the part file.
     *
     * @throws IOException if the block lies outside the object or cannot be written
     */
    @Override
    public void onContent(MemorySegment block, long offset) throws IOException {
        ContentHandlers.checkBlock(offset, block.byteSize(), size);
        ByteBuffer buf = block.asByteBuffer();
        long pos = offset;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
        received.addAndGet(block.byteSize());
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
                        : "the file sink for " + target + " was discarded");
            }
            if (received.get() != size) {
                throw new IOException("received " + received.get() + " of " + size + " bytes");
            }
            channel.force(true);
            channel.close();
            state = State.COMPLETE;
        }
        if (commitOnSuccess) {
            commit();
        }
    }

    /**
     * Deletes the part file: the session failed or was cancelled. A file that
     * cannot be deleted is added to {@code cause} as suppressed.
     */
    @Override
    public void onFailure(Throwable cause) {
        try {
            discard();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Puts the complete object in place: renames the part file onto the target
     * (see the class documentation for what may be replaced) and syncs the
     * directory. Called by {@link #onSuccess()} unless
     * {@code commitOnSuccess(false)}; calling it again after it succeeded does
     * nothing. If it fails, the part file is deleted.
     *
     * @throws TargetExistsException if something that may not be replaced is at the target
     * @throws IOException           a {@link FileSystemException} about the target when the
     *                               rename fails otherwise
     * @throws IllegalStateException if the object is not complete, or was discarded
     */
    public synchronized void commit() throws IOException {
        switch (state) {
            case COMMITTED -> {
                return;
            }
            case COMPLETE -> {
            }
            case DISCARDED -> throw new IllegalStateException("the file sink for " + target + " was discarded");
            default -> throw new IllegalStateException("the object for " + target + " is not complete");
        }
        try {
            place();
        } catch (IOException | RuntimeException e) {
            discard(e);
            throw e;
        }
        state = State.COMMITTED;
        PartFiles.closed(part);
        syncDirectory(destination.getParent());
    }

    /** Renames the part file onto the destination if what is there now may be replaced. */
    private void place() throws IOException {
        try {
            if (replaceExisting) {
                TargetExistsException.Found there = found(destination);
                if (there != null && there != TargetExistsException.Found.REGULAR_FILE) {
                    throw inTheWay(there, true);
                }
                // A node put there between the look and the rename would still be replaced:
                // Java has no rename that refuses all but a regular file.
                try {
                    Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                // no ATOMIC_MOVE: on Linux a rename would silently replace a file created meanwhile
                Files.move(part, destination);
            }
        } catch (FileAlreadyExistsException e) {
            if (e instanceof TargetExistsException t) {
                throw t;
            }
            TargetExistsException.Found there = found(destination);
            // gone again since: say what was found
            throw inTheWay(there != null ? there : TargetExistsException.Found.REGULAR_FILE, true);
        } catch (FileSystemException e) {
            throw aboutTarget(e, "cannot rename the received object onto it");
        }
    }

    /**
     * Gives the object up: closes and deletes the part file. Does nothing once
     * the object is committed, or discarded already. From any thread; a block
     * being written meanwhile fails its session.
     *
     * @throws IOException if the part file cannot be closed or deleted (the sink is
     *                     discarded all the same); what went wrong is suppressed in it
     */
    public synchronized void discard() throws IOException {
        IOException failure = new IOException("cannot discard the part file " + part + " of " + target);
        discard(failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    /** Closes and deletes the part file, unless committed; problems are added to {@code cause}. */
    private void discard(Throwable cause) {
        if (state == State.COMMITTED || state == State.DISCARDED) {
            return;
        }
        state = State.DISCARDED;
        FileChannel c = channel;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        if (part != null) {
            deletePart(cause);
        }
    }

    private void deletePart(Throwable cause) {
        try {
            Files.deleteIfExists(part);
            PartFiles.closed(part);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private TargetExistsException inTheWay(TargetExistsException.Found there, boolean duringTransfer) {
        return new TargetExistsException(destination.toString(), there, duringTransfer,
                there != TargetExistsException.Found.REGULAR_FILE ? "only a regular file is ever replaced"
                        : replaceExisting ? "it is replaced only when it was a regular file"
                        : "a regular file is replaced only with replaceExisting (REPLACE_EXISTING)");
    }

    /**
     * A failure about the part file, said about the target the caller named
     * (not about a hidden name they never saw), keeping its kind and reason.
     */
    private FileSystemException aboutTarget(FileSystemException e, String what) {
        String why = what + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        String file = destination.toString();
        FileSystemException named = e instanceof AccessDeniedException ? new AccessDeniedException(file, null, why)
                : e instanceof NoSuchFileException ? new NoSuchFileException(file, null, why)
                : new FileSystemException(file, null, why);
        named.initCause(e);
        return named;
    }

    /** What is at {@code p} (a link itself, not followed); null when nothing is. */
    private static TargetExistsException.Found found(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        return a.isRegularFile() ? TargetExistsException.Found.REGULAR_FILE
                : a.isDirectory() ? TargetExistsException.Found.DIRECTORY
                : a.isSymbolicLink() ? TargetExistsException.Found.SYMBOLIC_LINK
                : TargetExistsException.Found.OTHER;
    }

    /** The file that {@code p}'s symbolic links finally name (it may not exist). */
    private static Path throughLinks(Path p) throws IOException {
        Path q = p;
        for (int hops = 0; Files.isSymbolicLink(q); hops++) {
            if (hops == 40) {
                throw new FileSystemException(p.toString(), null, "too many levels of symbolic links");
            }
            q = q.getParent().resolve(Files.readSymbolicLink(q));
        }
        return q;
    }

    /** Makes the rename durable (best effort: not every platform can open a directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a file; NTFS journals the rename itself
        }
    }

    /**
     * Deletes the part files of {@code tag} in {@code directory} whose
     * process no longer runs: those a killed process, or a machine that lost
     * power, left behind. A process is looked for on this machine only: a
     * directory that another machine writes at the same time may hold its live
     * part file under a process ID that is free here, so do not let two
     * machines write part files into one shared directory at once.
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
        List<Leftover> removed = new ArrayList<>();
        for (Leftover l : PartFiles.leftovers(directory, PartFiles.checkTag(tag))) {
            try {
                if (Files.deleteIfExists(l.file())) {
                    removed.add(l);
                }
            } catch (IOException e) {
                notDeleted.accept(l, e);
            }
        }
        return removed;
    }
}
