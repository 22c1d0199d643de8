package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

import io.github.wdstci.ContentHandler;
import io.github.wdstci.StartInfo;
import io.github.wdstci.Win32Error;
import io.github.wdstci.standin.SyntheticContent;

/**
 * The CLI's content handler around a sink ({@code ContentHandlers.toFile} or
 * {@code discarding}): refuses an object the output's file system has no room
 * for before the first block, and for the demo checks every block against the
 * synthetic content and that each block arrives exactly once.
 *
 * <p>Runs on the transport's callback thread; per block it allocates nothing.
 */
final class Receiver implements ContentHandler {

    private final ContentHandler sink;
    private final Path outputDir;          // null: nothing is written
    private final Long syntheticSeed;      // null: no content check

    private long fileSize = -1;
    private int blockSize;
    private BitSet seen;
    private long nextOffset;               // where an in-order block would start
    private long blocks;
    private long outOfOrder;

    /**
     * @param sink          receives every block
     * @param outputDir     the directory written to, for the space check; null for none
     * @param syntheticSeed the seed of a synthetic object to verify against; null for none
     */
    Receiver(ContentHandler sink, Path outputDir, Long syntheticSeed) {
        this.sink = sink;
        this.outputDir = outputDir;
        this.syntheticSeed = syntheticSeed;
    }

    @Override
    public void onStart(StartInfo info) throws Exception {
        fileSize = info.fileSize();
        blockSize = info.blockSize();
        if (outputDir != null) {
            long free = Files.getFileStore(outputDir).getUsableSpace();
            if (fileSize > free) {
                throw new Outcome.Problem(Outcome.DISK_FULL, "disk full: the object needs "
                        + ByteSize.format(fileSize) + ", " + outputDir + " has " + ByteSize.format(free) + " free "
                        + Outcome.code(Win32Error.ERROR_DISK_FULL.code()));
            }
        }
        if (syntheticSeed != null && blockSize > 0) {
            long n = (fileSize + blockSize - 1) / blockSize;
            if (n > Integer.MAX_VALUE) {
                throw new IOException("too many blocks to verify: " + n);
            }
            seen = new BitSet((int) n);
        }
        sink.onStart(info);
    }

    @Override
    public void onContent(MemorySegment block, long offset) throws Exception {
        if (syntheticSeed != null) {
            verify(block, offset);
        }
        sink.onContent(block, offset);
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
        sink.onSuccess();
    }

    @Override
    public void onFailure(Throwable cause) {
        sink.onFailure(cause);
    }

    /** Blocks checked against the synthetic content. */
    long blocks() {
        return blocks;
    }

    /** Of those, how many did not start where the previous one ended. */
    long outOfOrder() {
        return outOfOrder;
    }
}
