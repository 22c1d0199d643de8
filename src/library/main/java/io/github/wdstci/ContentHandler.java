package io.github.wdstci;

import java.lang.foreign.MemorySegment;

/**
 * Receives an object's blocks synchronously: each block is completed for the
 * transport when {@link #onContent} returns. Blocks may arrive in any order
 * (a multicast client joins mid-stream); each arrives once.
 *
 * @see ContentHandlers ready-made handlers
 * @see AsyncContentHandler to keep blocks beyond the call
 */
@FunctionalInterface
public interface ContentHandler extends SessionListener {

    /**
     * One block, on the transport's callback thread.
     *
     * @param block  the bytes: read-only, zero-copy, usable only on this thread
     *               and only during this call (afterwards every access throws)
     * @param offset where the block belongs in the object
     * @throws Exception to fail the session: it is cancelled and its future
     *                   fails with this exception
     */
    void onContent(MemorySegment block, long offset) throws Exception;
}
