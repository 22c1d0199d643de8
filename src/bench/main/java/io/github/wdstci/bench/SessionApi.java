package io.github.wdstci.bench;

import java.lang.foreign.MemorySegment;

import io.github.wdstci.AsyncContentHandler;
import io.github.wdstci.Block;
import io.github.wdstci.ContentHandler;
import io.github.wdstci.Session;
import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsClient;
import io.github.wdstci.WdsTransportException;

/** The Session API consumers: the same per-block work as the raw FFM, JNA and C consumers. */
final class SessionApi {

    private SessionApi() {
    }

    /** Receives the object through the synchronous path; returns the checksum (touch) or the block count. */
    static long receive(WdsClient client, TransferRequest request, boolean touch, BlockProbe probe) {
        Sync handler = new Sync(touch, probe);
        client.receive(request, handler).join();
        return touch ? handler.sum : handler.blocks;
    }

    /**
     * Receives the object through the async path: each block is a {@link Block},
     * released in the callback once read (the Block mechanism's own cost, no
     * hand-off to another thread).
     */
    static long receiveAsync(WdsClient client, TransferRequest request, boolean touch, BlockProbe probe)
            throws WdsTransportException {
        Async handler = new Async(touch, probe);
        try (Session s = client.newAsyncSession(request, handler)) {
            s.start().join();
        }
        return touch ? handler.sum : handler.blocks;
    }

    /** The zero-copy synchronous handler: each block a read-only segment valid during the call. */
    static final class Sync implements ContentHandler {
        private final boolean touch;
        private final BlockProbe probe;
        long sum;
        long blocks;

        Sync(boolean touch, BlockProbe probe) {
            this.touch = touch;
            this.probe = probe;
        }

        @Override
        public void onContent(MemorySegment block, long offset) {
            if (probe != null) {
                probe.onBlock();
            }
            if (touch) {
                sum += Standin.sum(block);
            }
            blocks++;
        }
    }

    /** The async handler: reads the block, then releases it. */
    static final class Async implements AsyncContentHandler {
        private final boolean touch;
        private final BlockProbe probe;
        long sum;
        long blocks;

        Async(boolean touch, BlockProbe probe) {
            this.touch = touch;
            this.probe = probe;
        }

        @Override
        public void onBlock(Block block) {
            if (probe != null) {
                probe.onBlock();
            }
            if (touch) {
                sum += Standin.sum(block.segment());
            }
            blocks++;
            block.release();
        }
    }
}
