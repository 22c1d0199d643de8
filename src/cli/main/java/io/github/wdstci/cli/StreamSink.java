package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.github.wdstci.ContentHandlers;
import io.github.wdstci.Win32Error;

/**
 * A stream: standard output ({@code -o -}), a FIFO or a character device.
 * A stream can only be written front to back, but blocks arrive in any order
 * (a multicast client joins mid-stream). A block that continues the stream
 * is written at once; one that arrives early is spooled at its offset into a
 * temporary file, and written out as soon as the gap before it is filled. So
 * memory stays bounded whatever the order, and the spool needs room for the
 * bytes that arrived early (at worst almost the whole object); when it has
 * none, the transfer fails with a message saying so.
 *
 * <p>The spool file is deleted as soon as it is opened (on Windows, when it
 * is closed), so nothing of it outlives the process. The SHA-256 is computed
 * over the bytes as they are streamed.
 */
final class StreamSink implements Sink {

    /** How much of the spool is streamed at a time. */
    private static final int COPY_CHUNK = 64 << 10;

    private final Path path;                 // null: standard output
    private final String shown;
    private final Path spoolDir;
    private final boolean hash;
    private volatile WritableByteChannel out;   // standard output: given; else opened by prepare()
    private final Object state = new Object();  // guards opening and interrupted; never held while writing

    private final TreeMap<Long, Long> early = new TreeMap<>();   // spooled ranges: start -> end, merged
    private FileChannel spool;
    private ByteBuffer copyBuffer;
    private Sha256 digest;                         // guarded by this; closed by commit, abort and a new start
    private long fileSize = -1;
    private long next;                        // bytes streamed so far: where the next in-order block starts
    private long spooled;                     // bytes waiting in the spool now
    private boolean opening;                  // guarded by state
    private volatile boolean interrupted;     // written under state

    /**
     * @param path     the FIFO or device to open, or null for {@code stdout}
     * @param stdout   standard output, when path is null
     * @param shown    the output as the user named it
     * @param spoolDir where early blocks wait
     * @param hash     whether to compute the SHA-256 of the stream
     */
    StreamSink(Path path, WritableByteChannel stdout, String shown, Path spoolDir, boolean hash) {
        this.path = path;
        this.out = stdout;
        this.shown = shown;
        this.spoolDir = spoolDir;
        this.hash = hash;
    }

    /** Opens the FIFO or device; a FIFO blocks until a reader opens it (see {@link #interrupt()}). */
    @Override
    public void prepare() throws IOException {
        if (path == null) {
            return;
        }
        synchronized (state) {
            if (interrupted) {
                throw new IOException("interrupted");
            }
            opening = true;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.WRITE);
        } finally {
            synchronized (state) {
                opening = false;
            }
        }
        synchronized (state) {
            out = ch;
            if (interrupted) {
                ch.close();
                throw new IOException("interrupted");
            }
        }
    }

    /**
     * Unblocks the job's thread: ends a wait for a FIFO's reader (by opening
     * the FIFO for reading, which completes the writer's open) or a write to
     * a stalled reader (by closing the stream). Takes no lock a writer holds.
     */
    @Override
    public void interrupt() {
        boolean unblockOpen;
        synchronized (state) {
            interrupted = true;
            unblockOpen = opening;
        }
        if (unblockOpen) {
            Thread.ofPlatform().daemon().name("wdsget-fifo-unblock").start(() -> {
                try (FileChannel reader = FileChannel.open(path, StandardOpenOption.READ)) {
                    // opened and closed: the writer's open has returned
                } catch (IOException | RuntimeException e) {
                    // the writer's open returned by itself
                }
            });
        } else {
            closeOut();
        }
    }

    @Override
    public synchronized void start(long size) throws IOException {
        fileSize = size;
        if (hash) {
            closeDigest();                         // an attempt before this one
            digest = Sha256.create();
        }
    }

    @Override
    public synchronized void write(MemorySegment block, long offset) throws IOException {
        long size = block.byteSize();
        ContentHandlers.checkBlock(offset, size, fileSize);
        Map.Entry<Long, Long> before = early.floorEntry(offset);
        Map.Entry<Long, Long> after = early.ceilingEntry(offset);
        if (offset < next || (before != null && before.getValue() > offset)
                || (after != null && after.getKey() < offset + size)) {
            throw new IOException("the block [" + offset + ", " + (offset + size) + ") arrived twice");
        }
        if (offset == next) {
            emit(block.asByteBuffer());
            next += size;
            drain();
        } else {
            hold(block.asByteBuffer(), offset);
        }
    }

    /** Writes bytes that continue the stream. */
    private void emit(ByteBuffer bytes) throws IOException {
        if (digest != null) {
            digest.update(bytes.duplicate());
        }
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            if (interrupted) {
                throw e;
            }
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            throw m.contains("broken pipe")
                    ? new Outcome.Problem(Outcome.FAILURE, "cannot write to " + describe() + ": its reader went away (broken pipe)")
                    : e;
        }
    }

    /** Spools an early block at its offset. */
    private void hold(ByteBuffer bytes, long offset) throws IOException {
        long size = bytes.remaining();
        try {
            if (spool == null) {
                Path f = Files.createTempFile(spoolDir, "wdsget-spool-", ".tmp");
                spool = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DELETE_ON_CLOSE);
                Files.deleteIfExists(f);     // already gone on Unix; on Windows it goes at close
            }
            long pos = offset;
            while (bytes.hasRemaining()) {
                pos += spool.write(bytes, pos);
            }
        } catch (IOException e) {
            boolean full = Outcome.isNoSpace(e);
            boolean denied = Outcome.isAccessDenied(e);
            throw new Outcome.Problem(full ? Outcome.DISK_FULL : denied ? Outcome.ACCESS_DENIED : Outcome.FAILURE,
                    "cannot stream to " + describe() + ": blocks arrive out of order and must wait in a spool file, but "
                    + (full ? spoolDir + " is full after " + ByteSize.format(spooled) + " "
                            + Outcome.code(Win32Error.ERROR_DISK_FULL.code())
                            : denied ? "this user may not write in " + spoolDir + " "
                                    + Outcome.code(Win32Error.ERROR_ACCESS_DENIED.code())
                            : "a spool file in " + spoolDir + " cannot be written: " + Outcome.describe(e))
                    + "; give --spool-dir a directory you can write with room for the object, or write to a file; "
                    + abandoned());
        }
        spooled += size;
        long start = offset;
        long end = offset + size;
        Map.Entry<Long, Long> before = early.floorEntry(start);
        if (before != null && before.getValue() == start) {
            start = before.getKey();
            early.remove(before.getKey());
        }
        Long afterEnd = early.remove(end);
        if (afterEnd != null) {
            end = afterEnd;
        }
        early.put(start, end);
    }

    /** Streams the spooled bytes that now continue the stream. */
    private void drain() throws IOException {
        Map.Entry<Long, Long> first;
        while ((first = early.firstEntry()) != null && first.getKey() == next) {
            early.pollFirstEntry();
            if (copyBuffer == null) {
                // a pipe's size (64 KiB on Linux): a pipe took 1 MiB writes at about half the pace
                copyBuffer = ByteBuffer.allocateDirect(COPY_CHUNK);
            }
            long end = first.getValue();
            while (next < end) {
                copyBuffer.clear().limit((int) Math.min(copyBuffer.capacity(), end - next));
                int n = spool.read(copyBuffer, next);
                if (n <= 0) {
                    throw new IOException("the spool file ended at " + next);
                }
                copyBuffer.flip();
                emit(copyBuffer);
                next += n;
                spooled -= n;
            }
        }
    }

    @Override
    public synchronized void finish() throws IOException {
        if (next != fileSize) {
            throw new IOException("streamed " + next + " of " + fileSize + " bytes; "
                    + ByteSize.format(spooled) + " still wait for a gap");
        }
    }

    @Override
    public synchronized String commit(String sha256, Check stop) throws IOException {
        closeSpool();
        if (path != null) {
            out.close();
        }
        if (digest == null) {
            return null;
        }
        String d;
        try {
            d = digest.hex();
        } finally {
            closeDigest();
        }
        Sink.verify(d, sha256, "the bytes were already written to " + describe());
        return d;
    }

    @Override
    public synchronized void abort() {
        closeDigest();
        closeSpool();
        if (path != null) {
            closeOut();
        }
    }

    private void closeDigest() {
        if (digest != null) {
            digest.close();
            digest = null;
        }
    }

    private void closeSpool() {
        try {
            if (spool != null) {
                spool.close();
            }
        } catch (IOException e) {
            // deleted on open (Unix) or on close (Windows): nothing more to do
        }
    }

    private void closeOut() {
        WritableByteChannel o = out;
        try {
            if (o != null) {
                o.close();
            }
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    /**
     * Standard output can be started over while nothing went out (blocks only spooled); a FIFO
     * or a character device cannot: giving up closed it, and its reader has seen the end.
     */
    @Override
    public boolean canStartOver() {
        synchronized (this) {
            return path == null && next == 0;
        }
    }

    @Override
    public String abandoned() {
        long n;
        synchronized (this) {
            n = next;
        }
        return n == 0 ? "nothing was written to " + describe()
                : ByteSize.format(n) + " had already been written to " + describe();
    }

    private String describe() {
        return path == null ? "standard output" : shown;
    }

    @Override
    public String shown() {
        return shown;
    }
}
