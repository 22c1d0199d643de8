package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

import io.github.wdstci.ContentHandler;
import io.github.wdstci.Negotiation;
import io.github.wdstci.Resumable;
import io.github.wdstci.StartInfo;
import io.github.wdstci.standin.SyntheticContent;

/**
 * The content handler wdsget gives the library for one object: passes every
 * block to the object's {@link Sink}, counts it for the display
 * ({@link Job.Progress}), keeps the metadata when asked, and for the demo
 * checks every block against the synthetic content and that each block
 * arrives exactly once. When its sink continues a part file, it answers the
 * transport's negotiation with the ranges the part file lacks, and logs them.
 *
 * <p>Runs on the transport's callback thread; per block it allocates nothing
 * and never writes to the terminal.
 */
final class Receiver implements ContentHandler {

    /** The most metadata kept for {@code --metadata}. */
    static final int MAX_METADATA = 64 << 20;

    private final Sink sink;
    private final Job.Progress progress;
    private final Long syntheticSeed;      // null: no content check
    private final boolean keepMetadata;
    private final Consumer<String> events;
    private final Consumer<String> notes;

    private long fileSize = -1;
    private int blockSize;
    private BitSet seen;
    private long nextOffset;               // where an in-order block would start
    private long blocks;
    private long outOfOrder;
    private volatile byte[] metadata;

    /**
     * @param sink          receives every block
     * @param progress      counts what arrived
     * @param syntheticSeed the seed of a synthetic object to verify against; null for none
     * @param keepMetadata  whether to keep the object's metadata
     * @param events        told of the session's start, metadata and negotiation ({@code --log})
     * @param notes         told what the user is to know at once (a part file not continued)
     */
    Receiver(Sink sink, Job.Progress progress, Long syntheticSeed, boolean keepMetadata, Consumer<String> events,
             Consumer<String> notes) {
        this.sink = sink;
        this.progress = progress;
        this.syntheticSeed = syntheticSeed;
        this.keepMetadata = keepMetadata;
        this.events = events;
        this.notes = notes;
    }

    @Override
    public void onStart(StartInfo info) throws Exception {
        fileSize = info.fileSize();
        blockSize = info.blockSize();
        events.accept("session started: " + fileSize + " bytes (" + ByteSize.format(fileSize) + ") in blocks of "
                + blockSize + " bytes");
        sink.start(fileSize);              // first: it refuses an object its output has no room for
        if (syntheticSeed != null && blockSize > 0) {
            long n = Math.ceilDiv(fileSize, (long) blockSize);    // no overflow near Long.MAX_VALUE
            if (n > Integer.MAX_VALUE) {
                throw new IOException("too many blocks to verify: " + n);
            }
            seen = new BitSet((int) n);
        }
        progress.started(fileSize);
        if (sink instanceof FileSink f && f.from() != null) {
            Resumable from = f.from();
            if (f.notResumed() != null) {
                String why = "cannot continue " + from.partFile() + ": " + f.notResumed() + "; starting over";
                events.accept(why);
                notes.accept(why);
            } else {
                progress.resumed(f.heldBytes());
                events.accept("continuing " + from.partFile() + ": " + from.bytes() + " of " + fileSize
                        + " bytes on disk, in " + from.received().size()
                        + (from.received().size() == 1 ? " range" : " ranges"));
            }
        }
    }

    @Override
    public boolean negotiates() {
        return sink instanceof FileSink f && f.negotiates();
    }

    /** A part file is continued: asks for what it lacks, and logs what was asked. */
    @Override
    public void onNegotiate(StartInfo info, Negotiation negotiation) throws Exception {
        FileSink f = (FileSink) sink;
        f.negotiate(info, negotiation);
        List<Resumable.Range> asked = f.requested();
        if (asked == null) {
            events.accept("negotiation: no range asked for (the whole object)");
            return;
        }
        long bytes = asked.stream().mapToLong(Resumable.Range::length).sum();
        int gaps = f.from().missing().size();
        StringBuilder b = new StringBuilder("negotiation: asked for " + asked.size()
                + (asked.size() == 1 ? " range, " : " ranges, ") + bytes + " bytes:");
        asked.forEach(r -> b.append(' ').append(r));
        if (gaps > asked.size()) {
            b.append("; ").append(gaps).append(" gaps joined into ").append(asked.size()).append(" ranges (at most ")
                    .append(io.github.wdstci.FileSink.MAX_NEGOTIATED_RANGES).append(" a negotiation), so ")
                    .append(bytes - (fileSize - f.from().bytes())).append(" bytes on disk are received again");
        }
        events.accept(b.toString());
    }

    @Override
    public void onMetadata(MemorySegment segment) throws Exception {
        events.accept("metadata: " + segment.byteSize() + " bytes" + (keepMetadata ? "" : " (not kept)"));
        if (!keepMetadata) {
            return;
        }
        if (segment.byteSize() > MAX_METADATA) {
            throw new Outcome.Problem(Outcome.FAILURE, "the object's metadata is " + ByteSize.format(segment.byteSize())
                    + ", more than the " + ByteSize.format(MAX_METADATA) + " --metadata keeps");
        }
        metadata = segment.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void onContent(MemorySegment block, long offset) throws Exception {
        if (syntheticSeed != null) {
            verify(block, offset);
        }
        sink.write(block, offset);
        progress.add(sink instanceof FileSink f ? f.fresh(offset, block.byteSize()) : block.byteSize());
    }

    private void verify(MemorySegment block, long offset) throws Outcome.Problem {
        long bad = SyntheticContent.mismatch(syntheticSeed, offset, block);
        if (bad >= 0) {
            throw new Outcome.Problem(Outcome.VERIFICATION_FAILED, "verification failed: byte " + (offset + bad)
                    + " differs from the synthetic content");
        }
        if (seen != null) {
            if (offset % blockSize != 0) {
                throw new Outcome.Problem(Outcome.VERIFICATION_FAILED, "verification failed: a block starts at "
                        + offset + ", not on the " + blockSize + "-byte grid");
            }
            int index = (int) (offset / blockSize);
            if (seen.get(index)) {
                throw new Outcome.Problem(Outcome.VERIFICATION_FAILED, "verification failed: the block at "
                        + offset + " arrived twice");
            }
            seen.set(index);
        }
        if (offset != nextOffset) {
            outOfOrder++;
        }
        nextOffset = offset + block.byteSize();
        blocks++;
    }

    @Override
    public void onSuccess() throws Exception {
        if (seen != null && (long) seen.cardinality() * blockSize < fileSize) {
            throw new Outcome.Problem(Outcome.VERIFICATION_FAILED, "verification failed: only "
                    + seen.cardinality() + " blocks of " + blockSize + " bytes arrived for " + fileSize + " bytes");
        }
        sink.finish();
    }

    @Override
    public void onFailure(Throwable cause) {
        sink.abort();
    }

    /** Blocks checked against the synthetic content. */
    long blocks() {
        return blocks;
    }

    /** Of those, how many did not start where the previous one ended. */
    long outOfOrder() {
        return outOfOrder;
    }

    /** The metadata the server sent, or null (none, or not kept). */
    byte[] metadata() {
        return metadata;
    }
}
