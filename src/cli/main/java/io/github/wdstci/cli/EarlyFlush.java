package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Starts writing an output to disk while its blocks still arrive: a thread of its own forces
 * the output ({@code fdatasync}) each time another {@link #EVERY} bytes were written, so that
 * the disk works during the transfer instead of only at its end, when the object is forced
 * before it is put in place. Without it the kernel holds the written bytes in the page cache
 * until the final force (on a machine whose memory holds the whole object, nothing is written
 * back before), and that force then waits for all of them: about as long as receiving them.
 * The final force still makes the object durable; this one only makes it shorter.
 *
 * <p>Forcing is done on a channel of its own: {@code fsync} flushes the file's (or device's)
 * data whichever descriptor wrote it. The callback thread only adds to a count; a failed
 * early force is left to the final one to report.
 */
final class EarlyFlush {

    /** Bytes written between two early forces. */
    static final long EVERY = 64L << 20;

    private final FileChannel channel;
    private final Thread thread;
    private long unforced;              // guarded by this: written since the last force began
    private boolean due;                // guarded by this
    private boolean closed;             // guarded by this

    /** @param channel open on the output; closed by {@link #close} */
    EarlyFlush(FileChannel channel) {
        this.channel = channel;
        this.thread = Thread.ofPlatform().daemon().name("wdsget-flush").unstarted(this::run);
        thread.start();
    }

    /** {@code bytes} more were written to the output. */
    void written(long bytes) {
        synchronized (this) {
            unforced += bytes;
            if (unforced >= EVERY && !due) {
                due = true;
                notifyAll();
            }
        }
    }

    /** Stops forcing (the final force, or giving up, comes next); idempotent, never blocking. */
    void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
    }

    private void run() {
        try (channel) {
            while (true) {
                synchronized (this) {
                    while (!due && !closed) {
                        wait();
                    }
                    if (closed) {
                        return;
                    }
                    due = false;
                    unforced = 0;
                }
                channel.force(false);
            }
        } catch (IOException | InterruptedException e) {
            // the final force says what is wrong with the output
        }
    }
}
