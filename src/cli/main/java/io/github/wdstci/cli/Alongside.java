package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.github.wdstci.Resumable;

/**
 * What runs beside the writes of a file or a device ({@link FileSink}, {@link DeviceSink}):
 * the early forces of a large output ({@link EarlyFlush}) and the SHA-256 computed as the
 * blocks arrive ({@link LiveHash}), each on a channel and a thread of its own. The callback
 * thread only notes each block written ({@link #written}).
 */
final class Alongside {

    private final EarlyFlush flush;     // null: the output is too small to be worth it
    private final LiveHash live;        // null: no hash was asked for

    private Alongside(EarlyFlush flush, LiveHash live) {
        this.flush = flush;
        this.live = live;
    }

    /**
     * Starts what an output of {@code size} bytes needs beside its writes.
     *
     * @param output the file or device written
     * @param hash   whether its SHA-256 is computed
     * @param onDisk ranges of the object already in the output (a continued part file), hashed
     *               with the rest
     */
    static Alongside start(Path output, long size, boolean hash, List<Resumable.Range> onDisk) throws IOException {
        EarlyFlush flush = size > EarlyFlush.EVERY ? new EarlyFlush(FileChannel.open(output, StandardOpenOption.READ))
                : null;
        LiveHash live = null;
        if (hash) {
            try {
                live = new LiveHash(FileChannel.open(output, StandardOpenOption.READ), size);
            } catch (IOException | RuntimeException e) {
                if (flush != null) {
                    flush.close();
                }
                throw e;
            }
            for (Resumable.Range r : onDisk) {
                live.written(r.start(), r.length());
            }
        }
        return new Alongside(flush, live);
    }

    /** The bytes [offset, offset + length) are in the output (from a callback thread). */
    void written(long offset, long length) {
        if (flush != null) {
            flush.written(length);
        }
        if (live != null) {
            live.written(offset, length);
        }
    }

    /** The writes are over: no more early forces (the final force follows). */
    void writesEnded() {
        if (flush != null) {
            flush.close();
        }
    }

    /**
     * The SHA-256 of the output, once every byte is hashed; null when none was computed.
     *
     * @param stop checked while waiting
     */
    String digest(Sink.Check stop) throws IOException {
        return live == null ? null : live.digest(stop);
    }

    /** Stops everything (the attempt ended or the digest was taken); idempotent, never blocking. */
    void cancel() {
        writesEnded();
        if (live != null) {
            live.cancel();
        }
    }
}
