package io.github.wdstci;

/**
 * Receives an object's blocks and may keep them beyond the call: the library
 * holds a reference on each block's buffer (AddRefBuffer) until
 * {@link Block#release()}, which completes it for the transport. Un-released
 * bytes count against the request's cache size, so the transport pauses while
 * the handler holds that much (backpressure).
 */
@FunctionalInterface
public interface AsyncContentHandler extends SessionListener {

    /**
     * One block, on the transport's callback thread. Release it, from any
     * thread, when done with it; blocks not released when the session is
     * closed are released then.
     *
     * @param block the block: read it with {@link Block#segment()} here or
     *              {@link Block#withSegment} anywhere until you release it
     * @throws Exception to fail the session (the block is released)
     */
    void onBlock(Block block) throws Exception;
}
