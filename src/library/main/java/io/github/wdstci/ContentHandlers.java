package io.github.wdstci;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.CopyOption;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ready-made {@link ContentHandler}s. Each call returns a new handler for one
 * session.
 */
public final class ContentHandlers {

    private ContentHandlers() {
    }

    /**
     * Writes the object to {@code target}, which reaches its name only
     * complete: blocks are written at their offsets into a part file beside
     * it, which is forced to disk and renamed onto the target in one step on
     * success, and deleted on failure or cancel. The target is therefore either
     * the complete object or as it was. See {@link FileSink} for the details,
     * and {@link FileSink#newBuilder(Path)} for more settings (writing through
     * a symbolic link, committing by hand, the part file's tag).
     *
     * <p>The target is checked when the session starts, before the first
     * block: a missing parent directory, a name longer than the file system
     * takes, an existing directory or other non-regular file (a symbolic link,
     * a device, a FIFO), or, unless {@link StandardCopyOption#REPLACE_EXISTING}
     * is given, any existing file, fails the session at once with a
     * {@link FileSystemException} about the target ({@link TargetExistsException}
     * for what is in the way). With {@code REPLACE_EXISTING} an existing
     * regular file is replaced on success. A block outside [0, file size)
     * fails the session and nothing of it is written.
     *
     * @param target  the file to create
     * @param options none, or {@link StandardCopyOption#REPLACE_EXISTING}
     * @return a new sink, for one session
     * @throws IllegalArgumentException if target is null, has no file name, is
     *                                  an existing directory, or an option is not
     *                                  REPLACE_EXISTING
     */
    public static FileSink toFile(Path target, CopyOption... options) {
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
        return FileSink.newBuilder(target).replaceExisting(replace).build();
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

    /**
     * Checks that a block lies inside the object, for handlers of your own
     * that write at offsets (the ready-made ones check every block so).
     *
     * @param offset     where the block starts
     * @param length     the block's size in bytes
     * @param objectSize the object's size ({@link StartInfo#fileSize()}), or a
     *                   negative value when the session has not started
     * @throws IOException naming the block and the object, if the block lies outside
     *                     [0, objectSize) or the session has not started
     */
    public static void checkBlock(long offset, long length, long objectSize) throws IOException {
        if (objectSize < 0) {
            throw new IOException("block at offset " + offset + " arrived before the session started");
        }
        if (offset < 0 || length < 0 || offset > objectSize || length > objectSize - offset) {
            throw new IOException("block [" + offset + ", " + (offset + length) + ") lies outside the object [0, "
                    + objectSize + ")");
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
            checkBlock(offset, block.byteSize(), target == null ? -1 : target.byteSize());
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
