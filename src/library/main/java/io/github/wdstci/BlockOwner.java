package io.github.wdstci;

import java.lang.foreign.MemorySegment;

/** What a {@link Block} needs from its session: two calls, and nothing of the session's lifecycle. */
interface BlockOwner {

    /** The block was released: complete it for the transport (CompleteReceive) and forget it. */
    void completed(Block block);

    /** Nobody reads the buffer any more: ReleaseBuffer. */
    void returnBuffer(MemorySegment buffer);
}
