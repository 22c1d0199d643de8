package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SHA-256 of a file or device computed while its blocks arrive, so that {@code --sha256}
 * costs no pass over the output after the transfer. Blocks are written at their offsets in
 * any order; a thread of its own reads back, from the output itself (the page cache holds
 * what was just written), the bytes that continue the part already hashed as soon as they are
 * all written, and hashes them. Blocks in order are hashed right behind the writes; a block
 * that arrives early waits on disk, costing no memory, until the gap before it fills. The
 * transport's callback thread only notes each written range. The hashing is the system's
 * OpenSSL's where it is found, the JDK's otherwise ({@link Sha256}).
 *
 * <p>Thread-safe: {@link #written} from any callback thread; {@link #digest} and
 * {@link #cancel} from the job's.
 */
final class LiveHash {

    private static final int CHUNK = 1 << 20;      // read back at most this much at a time

    private final FileChannel channel;             // read only from the hashing thread
    private final long size;
    private final boolean nativeHash;              // the system's OpenSSL when found (NativeSha256)
    private final Thread thread;
    private final TreeMap<Long, Long> early = new TreeMap<>();   // written beyond ready: start -> end, merged
    private long ready;                            // guarded by this: [0, ready) is written
    private boolean cancelled;                     // guarded by this
    private boolean waiting;                       // guarded by this: the hashing thread waits for bytes
    private IOException failure;                   // guarded by this
    private String digest;                         // guarded by this: the result, once every byte is hashed

    /**
     * Starts hashing the first {@code size} bytes of {@code channel} as they are written.
     *
     * @param channel open for reading on the output; closed by the hashing thread when it ends
     */
    LiveHash(FileChannel channel, long size) {
        this(channel, size, true);
    }

    /** As above; {@code nativeHash} false: the JDK's SHA-256 even where the system's OpenSSL is found. */
    LiveHash(FileChannel channel, long size, boolean nativeHash) {
        this.channel = channel;
        this.size = size;
        this.nativeHash = nativeHash;
        this.thread = Thread.ofPlatform().daemon().name("wdsget-sha256").unstarted(this::run);
        thread.start();
    }

    /**
     * The bytes [offset, offset + length) are in the output (written, not necessarily forced).
     * Ranges may overlap ones given before: a continued part file's ranges on disk are given
     * first, and the transport sends whole blocks, which may cover some of those bytes again.
     */
    void written(long offset, long length) {
        synchronized (this) {
            long start = Math.max(offset, ready);
            long end = offset + length;
            if (end <= start) {
                return;
            }
            Map.Entry<Long, Long> e = early.floorEntry(start);
            if (e != null && e.getValue() >= start) {          // joins a range written before it
                start = e.getKey();
                end = Math.max(end, early.remove(start));
            }
            while ((e = early.ceilingEntry(start)) != null && e.getKey() <= end) {   // and those it reaches
                end = Math.max(end, early.remove(e.getKey()));
            }
            if (start > ready) {
                early.put(start, end);
                return;
            }
            ready = end;
            while ((e = early.firstEntry()) != null && e.getKey() <= ready) {
                ready = Math.max(ready, early.remove(e.getKey()));
            }
            if (waiting) {
                notifyAll();
            }
        }
    }

    /**
     * Waits until every byte is hashed (when the last block arrived, that is the reading back of
     * what the hashing thread has not caught up with yet).
     *
     * @param stop checked while waiting
     * @return the SHA-256 in lower-case hex
     * @throws IOException when the output could not be read back, or bytes are missing
     */
    String digest(Sink.Check stop) throws IOException {
        synchronized (this) {
            if (ready < size) {
                throw new IOException("the output holds " + ready + " of " + size + " bytes in one piece to hash");
            }
        }
        while (true) {
            stop.check();
            synchronized (this) {
                if (failure != null) {
                    throw failure;
                }
                if (digest != null) {
                    return digest;
                }
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while hashing the output");
                }
            }
        }
    }

    /** Stops hashing (the run gave up); idempotent, from any thread, never blocking. */
    void cancel() {
        synchronized (this) {
            cancelled = true;
            notifyAll();
        }
    }

    /** The hashing thread: follows {@code ready} until the whole output is hashed. */
    private void run() {
        Sha256 sha = Sha256.create(nativeHash);
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(size, 1)));
        long hashed = 0;
        try (channel; sha) {
            while (hashed < size) {
                long until;
                synchronized (this) {
                    while (ready == hashed && !cancelled) {
                        waiting = true;
                        wait();
                    }
                    waiting = false;
                    if (cancelled) {
                        return;
                    }
                    until = ready;
                }
                while (hashed < until) {
                    buf.clear().limit((int) Math.min(buf.capacity(), until - hashed));
                    int n = channel.read(buf, hashed);
                    if (n < 0) {
                        throw new IOException("the output ended at byte " + hashed + " of " + size
                                + " while reading it back");
                    }
                    buf.flip();
                    sha.update(buf);
                    hashed += n;
                }
            }
            String hex = sha.hex();
            synchronized (this) {
                digest = hex;
                notifyAll();
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
                notifyAll();
            }
        } catch (InterruptedException e) {
            // nobody interrupts this thread; ending is enough
        }
    }
}
