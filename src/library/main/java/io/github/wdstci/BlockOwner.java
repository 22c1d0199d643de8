package io.github.wdstci;

import java.lang.foreign.MemorySegment;

/** What a {@link Block} needs from its session: two calls, and nothing of the session's lifecycle. */
interface BlockOwner {

    /**
     * The block was released: complete it for the transport (CompleteReceive) and forget it.
     * Released inside its own callback, {@code h} and {@code pOffset} are that callback's
     * arguments (and the block is not yet among the kept ones); else both are null.
     */
    void completed(int size, long offset, MemorySegment h, MemorySegment pOffset);

    /** Nobody reads the buffer any more: ReleaseBuffer. */
    void returnBuffer(MemorySegment buffer);
}
