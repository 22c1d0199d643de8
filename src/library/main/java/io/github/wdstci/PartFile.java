package io.github.wdstci;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One part file of a {@link FileSink} while it is written: the file, its
 * channel, the bytes of the object it holds ({@link RangeSet}) and, for a
 * resumable sink, its {@link RangesFile}.
 *
 * <p>A resumable part file is made durable every sync interval, on a thread
 * of its own so that no block waits for the disk: the ranges held are noted,
 * then the file is forced (fdatasync), then the ranges file is replaced with
 * those ranges. A range therefore reaches the ranges file only after its bytes
 * were forced: whenever the process dies, the ranges file lists only bytes on
 * disk. The first ranges file (nothing received) is written when the part file
 * is made, and the directory synced, so that both names survive a power loss.
 */
final class PartFile {

    /** The thread that makes resumable part files durable, made on first use. */
    private static final class Syncs {
        static final ScheduledThreadPoolExecutor THREAD = new ScheduledThreadPoolExecutor(1, r -> Thread
                .ofPlatform().daemon().name("wdstci-part-file-sync").unstarted(r));

        static {
            THREAD.setRemoveOnCancelPolicy(true);       // a part file closed is forgotten at once
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final RangeSet received;
    private final List<Resumable.Range> held;      // on disk before this session: never written again
    private final RangesFile.Contents about;       // null: not resumable
    private final Path rangesFile;
    private final ScheduledFuture<?> syncs;
    private boolean closed;                        // guarded by this: no sync, no record once closed
    private List<Resumable.Range> recorded;        // guarded by this: what the ranges file lists

    private PartFile(Path path, long size, List<Resumable.Range> received, String targetName, String object,
                     Duration interval) throws IOException {
        this.path = path;
        this.size = size;
        this.received = new RangeSet(received);
        this.held = List.copyOf(received);
        this.about = object == null ? null : new RangesFile.Contents(targetName, object, size, List.of());
        this.rangesFile = RangesFile.of(path);
        this.channel = FileChannel.open(path, StandardOpenOption.WRITE);
        if (about != null) {
            try {
                record();
                FileTarget.syncDirectory(path.getParent());
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            long every = interval.toNanos();
            syncs = Syncs.THREAD.scheduleWithFixedDelay(this::sync, every, every, TimeUnit.NANOSECONDS);
        } else {
            syncs = null;
        }
    }

    /**
     * The part file of a sink whose session starts: {@code continued} when there is one to
     * continue, else a new one (after deleting {@code given}, the one it was given to continue
     * but cannot, whose bytes are received again).
     *
     * @throws IOException a {@link FileSystemException} about the target when none can be created
     */
    static PartFile open(FileTarget dest, String tag, long size, String object, Resumable continued, Resumable given,
                         Duration interval, boolean deleteAtExit) throws IOException {
        if (continued != null) {
            return resume(continued, dest.name(), interval, deleteAtExit);
        }
        if (given != null) {
            delete(given.partFile(), new IOException("best effort: a part file left is removed as a leftover"));
        }
        try {
            return create(dest.directory(), dest.name(), tag, size, object, interval, deleteAtExit);
        } catch (FileSystemException e) {
            throw dest.aboutTarget(e, "cannot create a temporary file beside it");
        }
    }

    /**
     * A new, empty part file for {@code targetName} in {@code dir}.
     *
     * @param object       the object's name for the ranges file; null: not resumable
     * @param deleteAtExit whether a JVM that exits before the part file is closed deletes it
     */
    static PartFile create(Path dir, String targetName, String tag, long size, String object, Duration interval,
                           boolean deleteAtExit) throws IOException {
        Path p = PartFiles.create(dir, targetName, tag, deleteAtExit);
        try {
            return new PartFile(p, size, List.of(), targetName, object, interval);
        } catch (IOException e) {
            delete(p, e);
            throw e;
        }
    }

    /** Continues the part file {@code r} names, holding the bytes it lists, as resumable. */
    static PartFile resume(Resumable r, String targetName, Duration interval, boolean deleteAtExit) throws IOException {
        if (deleteAtExit) {
            PartFiles.deleteAtExit(r.partFile());
        }
        try {
            return new PartFile(r.partFile(), r.size(), r.received(), targetName, r.object(), interval);
        } catch (IOException | RuntimeException e) {
            PartFiles.closed(r.partFile());
            throw e;
        }
    }

    /**
     * Why {@code r} cannot be continued as the part file of an object of {@code size} bytes in
     * {@code dir}: another size, a part file gone or shorter than the bytes it should hold; null
     * when it can.
     */
    static String whyNot(Resumable r, long size, Path dir) {
        if (r.size() != size) {
            return "its object had " + r.size() + " bytes, this one has " + size;
        }
        if (!dir.equals(r.partFile().getParent())) {
            return "it is not in " + dir;
        }
        try {
            long end = r.received().isEmpty() ? 0 : r.received().getLast().end();
            long length = Files.size(r.partFile());
            return length < end ? "it has " + length + " bytes, but its ranges go up to " + end : null;
        } catch (IOException e) {
            return "it cannot be read (" + e.getMessage() + ")";
        }
    }

    Path path() {
        return path;
    }

    /**
     * Writes a block at its offset, but not the bytes that were on disk before this session
     * (the transport sends whole blocks, and may send more than was asked), and notes its
     * bytes as held.
     */
    void write(MemorySegment block, long offset) throws IOException {
        long end = offset + block.byteSize();
        long at = offset;
        for (int i = firstEndingAfter(offset); i < held.size() && at < end && held.get(i).start() < end; i++) {
            Resumable.Range r = held.get(i);
            if (r.start() > at) {
                writeAt(block.asSlice(at - offset, r.start() - at), at);
            }
            at = Math.max(at, r.end());
        }
        if (at < end) {
            writeAt(block.asSlice(at - offset, end - at), at);
        }
        received.add(offset, end);
    }

    /** The index of the first range held before this session that ends after {@code offset}. */
    private int firstEndingAfter(long offset) {
        int lo = 0;
        int hi = held.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (held.get(mid).end() <= offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void writeAt(MemorySegment bytes, long pos) throws IOException {
        ByteBuffer buf = bytes.asByteBuffer();
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
    }

    /** Whether every byte of the object is held. */
    boolean complete() {
        return received.covers(size);
    }

    /** How many bytes of the object are held. */
    long bytes() {
        return received.bytes();
    }

    /** Makes what was written so far durable: see the class documentation. */
    private synchronized void sync() {
        if (closed) {
            return;
        }
        try {
            record();
        } catch (IOException | RuntimeException e) {
            // the next sync tries again; keep() and finish() report what fails then
        }
    }

    /** Notes the ranges held, forces the file, then records those ranges (unless recorded already). */
    private void record() throws IOException {
        List<Resumable.Range> now = received.snapshot();
        if (now.equals(recorded)) {
            return;
        }
        channel.force(false);
        RangesFile.write(rangesFile, new RangesFile.Contents(about.target(), about.object(), size, now));
        recorded = now;
    }

    /** The object is complete: forces the file (and records it whole), then closes it. */
    synchronized void finish() throws IOException {
        stopSyncs();
        channel.force(true);
        if (about != null) {
            record();
        }
        closed = true;
        channel.close();
    }

    /** Ends the writing for a later session: forces the file and records what it holds; what to continue. */
    synchronized Resumable keep() throws IOException {
        stopSyncs();
        List<Resumable.Range> now = received.snapshot();
        channel.force(true);
        RangesFile.write(rangesFile, new RangesFile.Contents(about.target(), about.object(), size, now));
        recorded = now;
        closed = true;
        channel.close();
        PartFiles.closed(path);
        return new Resumable(path, about.object(), size, now);
    }

    /**
     * The part file was moved onto its target: the ranges file goes (best effort: one left
     * behind without its part file is removed with the leftovers).
     */
    void committed() {
        PartFiles.closed(path);
        try {
            Files.deleteIfExists(rangesFile);
        } catch (IOException e) {
            // removed later, by removeLeftovers
        }
    }

    /** Closes and deletes the part file and its ranges file; problems are added to {@code cause}. */
    synchronized void delete(Throwable cause) {
        stopSyncs();
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        delete(path, cause);
    }

    /** Deletes a part file and its ranges file; problems are added to {@code cause}. */
    static void delete(Path part, Throwable cause) {
        try {
            Files.deleteIfExists(RangesFile.of(part));
            Files.deleteIfExists(part);
            PartFiles.closed(part);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private void stopSyncs() {
        if (syncs != null) {
            syncs.cancel(false);
        }
    }
}
