package io.github.wdstci;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ready-made {@link ContentHandler}s. Each call returns a new handler for one
 * session.
 */
public final class ContentHandlers {

    private ContentHandlers() {
    }

    /**
     * Writes the object to {@code target}: blocks are written at their offsets
     * into a temporary file beside the target (a short hidden name, so any
     * legal target name works), which is forced to disk and atomically moved
     * onto the target on success, and deleted on failure or cancel. The target
     * is therefore either the complete object or untouched. A temporary file
     * whose session has not ended when the JVM exits (a {@code main} that
     * cancels, or returns, without closing its client) is deleted at the exit.
     * When the temporary file cannot be created, the session fails with a
     * {@link FileSystemException} (an {@link AccessDeniedException}, say) about
     * the target.
     *
     * <p>The target is checked when the session starts, before the first
     * block: a missing parent directory, an existing directory or other
     * non-regular file (a symbolic link, a device, a FIFO), or, unless
     * {@link StandardCopyOption#REPLACE_EXISTING} is given, any existing file,
     * fails the session at once. With {@code REPLACE_EXISTING} an existing
     * regular file is replaced on success. A block outside [0, file size) fails
     * the session and nothing of it is written.
     *
     * @param target  the file to create
     * @param options none, or {@link StandardCopyOption#REPLACE_EXISTING}
     * @return a new handler, for one session
     * @throws IllegalArgumentException if target is null, has no file name, is
     *                                  an existing directory, or an option is not
     *                                  REPLACE_EXISTING
     */
    public static ContentHandler toFile(Path target, CopyOption... options) {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        if (target.getFileName() == null) {
            throw new IllegalArgumentException("target has no file name: " + target);
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (give none, or REPLACE_EXISTING)");
        }
        boolean replace = false;
        for (CopyOption o : options) {
            if (o != StandardCopyOption.REPLACE_EXISTING) {
                throw new IllegalArgumentException("toFile takes only REPLACE_EXISTING, not " + o);
            }
            replace = true;
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("target is a directory: " + target);
        }
        return new FileSink(target.toAbsolutePath(), replace);
    }

    /**
     * Keeps the object in memory, up to {@code maxBytes}; a larger object fails
     * the session at its start.
     *
     * @param maxBytes the largest object accepted
     * @return a new sink, for one session; read the object with {@link MemorySink#bytes()}
     * @throws IllegalArgumentException if maxBytes is negative or above {@link MemorySink#MAX_SIZE}
     */
    public static MemorySink toMemory(long maxBytes) {
        return new MemorySink(maxBytes);
    }

    /** {@return counts and drops every block (for tests and benchmarks of the transport)} */
    public static ContentHandler discarding() {
        return (block, offset) -> { };
    }

    /**
     * Wraps a handler to report progress: at most every {@code intervalMillis}
     * ms, and once more when the last byte arrived.
     *
     * @param handler        the handler that receives the object
     * @param listener       told the progress, on the callback thread
     * @param intervalMillis the least time between two reports (0: every block)
     * @return a handler forwarding to {@code handler}
     * @throws IllegalArgumentException if an argument is null or the interval negative
     */
    public static ContentHandler withProgress(ContentHandler handler, ProgressListener listener, long intervalMillis) {
        if (handler == null || listener == null) {
            throw new IllegalArgumentException("handler and listener must not be null");
        }
        if (intervalMillis < 0) {
            throw new IllegalArgumentException("intervalMillis must not be negative: " + intervalMillis);
        }
        // saturated: an interval beyond ~292 years (Long.MAX_VALUE ms, say) means start and end only
        long intervalNanos = intervalMillis >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : intervalMillis * 1_000_000L;
        return new Progress(handler, listener, intervalNanos);
    }

    /** Checks a block against the object's size; the message names both. */
    static void checkBounds(long offset, long size, long fileSize) throws IOException {
        if (fileSize < 0) {
            throw new IOException("block at offset " + offset + " arrived before the session started");
        }
        if (offset < 0 || offset > fileSize || size > fileSize - offset) {
            throw new IOException("block [" + offset + ", " + (offset + size) + ") lies outside the object [0, " + fileSize + ")");
        }
    }

    private static final class FileSink implements ContentHandler {
        private final Path target;
        private final boolean replace;
        private Path temp;
        // Set in onStart, read by every block: volatile, and the count atomic, since the DLL
        // may deliver a session's blocks on several threads (it does not document otherwise).
        private volatile FileChannel channel;
        private volatile long fileSize = -1;
        private final AtomicLong written = new AtomicLong();

        FileSink(Path target, boolean replace) {
            this.target = target;
            this.replace = replace;
        }

        @Override
        public void onStart(StartInfo info) throws IOException {
            if (channel != null) {
                throw new IllegalStateException("a file handler serves one session only");
            }
            checkTarget();
            try {
                temp = createTemp(target);
            } catch (FileSystemException e) {
                throw aboutTarget(e);
            }
            channel = FileChannel.open(temp, StandardOpenOption.WRITE);
            fileSize = info.fileSize();
        }

        /**
         * The temporary file could not be created: says so about the target the
         * caller named, not about a hidden name they never saw, keeping the kind.
         */
        private FileSystemException aboutTarget(FileSystemException e) {
            String why = "cannot create a temporary file beside it"
                    + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
            FileSystemException named = e instanceof AccessDeniedException
                    ? new AccessDeniedException(target.toString(), null, why)
                    : e instanceof NoSuchFileException
                            ? new NoSuchFileException(target.toString(), null, why)
                            : new FileSystemException(target.toString(), null, why);
            named.initCause(e);
            return named;
        }

        /** Fails before the first block if the target cannot be written as asked. */
        private void checkTarget() throws IOException {
            Path dir = target.getParent();
            if (!Files.isDirectory(dir)) {
                throw new NoSuchFileException(dir.toString(), null, "the target's directory does not exist");
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileSystemException(target.toString(), null,
                            "exists and is not a regular file (a directory, link, device or FIFO is never replaced)");
                }
                if (!replace) {
                    throw new FileAlreadyExistsException(target.toString(), null,
                            "exists (toFile replaces it only with REPLACE_EXISTING)");
                }
            }
        }

        /**
         * A new, empty, hidden file beside the target. Unlike
         * {@code Files.createTempFile}, which makes it readable by its owner
         * only, it gets the permissions any new file gets (umask), since it
         * becomes the target.
         */
        private static Path createTemp(Path target) throws IOException {
            Path dir = target.getParent();
            for (int attempt = 0; ; attempt++) {
                // Short and independent of the target's name, which may be as long as the file system allows.
                String name = ".wdstci-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong() >>> 16, 36) + ".part";
                Path part = dir.resolve(name);
                LeftoverParts.add(part);      // before it exists: the JVM may exit at any moment
                try {
                    return Files.createFile(part);
                } catch (IOException e) {
                    LeftoverParts.remove(part);
                    if (!(e instanceof FileAlreadyExistsException) || attempt == 100) {
                        throw e;
                    }
                }
            }
        }

        @Override
        public void onContent(MemorySegment block, long offset) throws IOException {
            checkBounds(offset, block.byteSize(), fileSize);
            ByteBuffer buf = block.asByteBuffer();
            long pos = offset;
            while (buf.hasRemaining()) {
                pos += channel.write(buf, pos);
            }
            written.addAndGet(block.byteSize());
        }

        @Override
        public void onSuccess() throws IOException {
            if (channel == null) {
                throw new IOException("the session succeeded without starting");
            }
            if (written.get() != fileSize) {
                throw new IOException("received " + written.get() + " of " + fileSize + " bytes");
            }
            channel.force(true);
            channel.close();
            checkTarget();                    // it may have changed during the transfer
            if (replace) {
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                // Never replaces: a file created meanwhile fails the session (FileAlreadyExistsException).
                Files.move(temp, target);
            }
            LeftoverParts.remove(temp);
        }

        @Override
        public void onFailure(Throwable cause) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
            try {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                    LeftoverParts.remove(temp);
                }
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * The temporary files of {@code toFile} sessions that have not ended, deleted
     * when the JVM exits: a session cancelled (its future completes at once) or
     * still running when {@code main} returns without closing the client ends
     * only after the JVM is gone, and its file would stay.
     */
    private static final class LeftoverParts {
        private static final Set<Path> PARTS = ConcurrentHashMap.newKeySet();

        static {
            try {
                Runtime.getRuntime().addShutdownHook(
                        new Thread(LeftoverParts::deleteAll, "wdstci-leftover-parts"));
            } catch (IllegalStateException | SecurityException e) {
                // the JVM is already exiting (or hooks are not allowed): the files stay, as before
            }
        }

        static void add(Path part) {
            PARTS.add(part);
        }

        static void remove(Path part) {
            PARTS.remove(part);
        }

        private static void deleteAll() {
            for (Path p : PARTS) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException | RuntimeException e) {
                    // best effort at exit: nobody is left to tell
                }
            }
        }
    }

    /**
     * Counts every block and reports at most once per interval. The DLL may
     * deliver a session's blocks on several threads at once (it does not
     * document otherwise): the count is atomic, and reports are made under a
     * lock, taken only when one is due, so that the listener is never called
     * concurrently and never sees the count go back.
     */
    private static final class Progress extends ForwardingContentHandler {
        private final ProgressListener listener;
        private final long intervalNanos;
        private final AtomicLong received = new AtomicLong();
        private volatile long total = -1;
        private volatile long startNanos;
        private volatile long lastReport;
        private long reported;           // bytes at the last report; guarded by this

        Progress(ContentHandler inner, ProgressListener listener, long intervalNanos) {
            super(inner);
            this.listener = listener;
            this.intervalNanos = intervalNanos;
        }

        @Override
        public void onStart(StartInfo info) throws Exception {
            total = info.fileSize();
            startNanos = System.nanoTime();
            lastReport = startNanos;
            super.onStart(info);
            listener.onProgress(0, total, 0);
        }

        @Override
        public void onContent(MemorySegment block, long offset) throws Exception {
            super.onContent(block, offset);
            long r = received.addAndGet(block.byteSize());
            long now = System.nanoTime();
            if (now - lastReport >= intervalNanos || r == total) {
                report(now);
            }
        }

        /**
         * The last byte has arrived: reported already when it completed the object, but a
         * negotiated range ends before the object does.
         */
        @Override
        public void onSuccess() throws Exception {
            report(System.nanoTime());
            super.onSuccess();
        }

        private synchronized void report(long now) {
            long r = received.get();
            if (r == reported) {
                return;                  // said already (at 100%, or by another thread meanwhile)
            }
            lastReport = now;
            reported = r;
            double seconds = (now - startNanos) / 1e9;
            listener.onProgress(r, total, seconds > 0 ? r / seconds : 0);
        }
    }

    /**
     * A handler that keeps the object in a byte array; read it with
     * {@link #bytes()} once the session succeeded.
     */
    public static final class MemorySink implements ContentHandler {

        /** The largest object a memory sink can hold. */
        public static final long MAX_SIZE = Integer.MAX_VALUE - 8;

        private final long maxBytes;
        private volatile byte[] data;
        private volatile MemorySegment target;           // volatile and atomic: blocks may come on several threads
        private final AtomicLong received = new AtomicLong();
        private volatile boolean complete;

        MemorySink(long maxBytes) {
            if (maxBytes < 0 || maxBytes > MAX_SIZE) {
                throw new IllegalArgumentException("maxBytes must be between 0 and " + MAX_SIZE + ": " + maxBytes);
            }
            this.maxBytes = maxBytes;
        }

        @Override
        public void onStart(StartInfo info) throws IOException {
            if (data != null) {
                throw new IllegalStateException("a memory sink serves one session only");
            }
            if (info.fileSize() > maxBytes) {
                throw new IOException("object of " + info.fileSize() + " bytes exceeds the memory limit of " + maxBytes);
            }
            data = new byte[(int) info.fileSize()];
            target = MemorySegment.ofArray(data);
        }

        @Override
        public void onContent(MemorySegment block, long offset) throws IOException {
            checkBounds(offset, block.byteSize(), target == null ? -1 : target.byteSize());
            MemorySegment.copy(block, ValueLayout.JAVA_BYTE, 0, target, ValueLayout.JAVA_BYTE, offset, block.byteSize());
            received.addAndGet(block.byteSize());
        }

        @Override
        public void onSuccess() throws IOException {
            if (data == null || received.get() != data.length) {
                throw new IOException("received " + received.get() + " of " + (data == null ? "?" : data.length) + " bytes");
            }
            complete = true;
        }

        /**
         * The object.
         *
         * @return the object's bytes (the array itself, not a copy)
         * @throws IllegalStateException unless the session succeeded
         */
        public byte[] bytes() {
            if (!complete) {
                throw new IllegalStateException("the session has not succeeded");
            }
            return data;
        }
    }
}
