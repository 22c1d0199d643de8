package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Where the blocks of one object go: a regular file ({@link FileSink}), a
 * block device ({@link DeviceSink}), a stream such as standard output, a FIFO
 * or a character device ({@link StreamSink}), or nowhere ({@link Discard}).
 *
 * <p>The order of calls: {@link #prepare} on the job's thread before the
 * session starts; {@link #start} and {@link #write} on the transport's
 * callback thread; {@link #finish} when every block arrived; then
 * {@link #commit} on the job's thread, which verifies and puts the object in
 * place. {@link #abort} may come at any point after {@link #prepare}, from any
 * thread, more than once.
 */
sealed interface Sink permits FileSink, DeviceSink, StreamSink, NullSink, Sink.Discard {

    /** Opens what must exist before the session starts (a device, a FIFO); may block (FIFO). */
    default void prepare() throws IOException {
    }

    /** The session started: the object's size is known; nothing was written yet. */
    void start(long fileSize) throws IOException;

    /** One block at its offset; called once per block, in any order. */
    void write(MemorySegment block, long offset) throws IOException;

    /** Every block arrived: flush what was written to stable storage. */
    void finish() throws IOException;

    /**
     * Verifies and publishes the object.
     *
     * @param sha256 null: no hash; "": compute it; else the expected hex digits
     * @param stop   checked during long work (reading the output back)
     * @return the SHA-256 in lower-case hex when asked (and known), else null
     * @throws Outcome.Problem when the hash does not match, or when stopped
     */
    String commit(String sha256, Check stop) throws IOException;

    /**
     * Unblocks a thread waiting on the output (a FIFO without a reader, a
     * stalled pipe) when the run is stopped; from any thread, never blocking.
     */
    default void interrupt() {
    }

    /**
     * Whether another attempt ({@code --retries}) may write this output from the start, with a
     * new sink, once this one gave up: a file or a device can be written again; a stream only
     * while nothing went out.
     */
    default boolean canStartOver() {
        return true;
    }

    /** Gives up: closes, and deletes whatever the output does not keep; idempotent. */
    void abort();

    /** What an abandoned run left at the output, for the failure message ("nothing was written"). */
    String abandoned();

    /** The output as the user named it, for messages. */
    String shown();

    /** Blocks are checked and counted but not kept (demo without --output). */
    final class Discard implements Sink {
        @Override
        public void start(long fileSize) {
        }

        @Override
        public void write(MemorySegment block, long offset) {
        }

        @Override
        public void finish() {
        }

        @Override
        public String commit(String sha256, Check stop) {
            return null;
        }

        @Override
        public void abort() {
        }

        @Override
        public String abandoned() {
            return "nothing was written";
        }

        @Override
        public String shown() {
            return "-";
        }
    }

    /** The SHA-256 of the first {@code size} bytes of {@code channel}, read from the start. */
    static String sha256(FileChannel channel, long size, Check interrupted) throws IOException {
        try (Sha256 sha = Sha256.create()) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            long pos = 0;
            while (pos < size) {
                interrupted.check();
                buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
                int n = channel.read(buf, pos);
                if (n < 0) {
                    throw new IOException("the output ended at byte " + pos + " of " + size + " while reading it back");
                }
                pos += n;
                buf.flip();
                sha.update(buf);
            }
            return sha.hex();
        }
    }

    /** Compares a computed hash with the expected one; {@code where} says what became of the output. */
    static void verify(String digest, String expected, String where) throws Outcome.Problem {
        if (expected != null && !expected.isEmpty() && !digest.equalsIgnoreCase(expected)) {
            throw new Outcome.Problem(Outcome.VERIFICATION_FAILED, "verification failed: SHA-256 is " + digest
                    + ", expected " + expected.toLowerCase(java.util.Locale.ROOT) + "; " + where);
        }
    }

    /** Whether a long task should stop (a signal or the timeout). */
    @FunctionalInterface
    interface Check {
        void check() throws Outcome.Problem;

        Check NEVER = () -> { };
    }

    /** Writes the whole block at {@code offset} of {@code channel} (a positioned write may write less). */
    static void writeAt(FileChannel channel, MemorySegment block, long offset) throws IOException {
        ByteBuffer buf = block.asByteBuffer();
        long pos = offset;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
    }
}
