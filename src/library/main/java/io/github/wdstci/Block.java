package io.github.wdstci;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A block kept by an {@link AsyncContentHandler}. Its segment stays valid until
 * {@link #release()}; after that every access to it throws instead of reading
 * memory the transport may reuse. Thread-safe.
 */
public final class Block implements AutoCloseable {

    private final Session session;
    private final MemorySegment buffer;   // the transport's pointer, for ReleaseBuffer
    private final long offset;
    private final int size;
    private final Arena arena;
    private final MemorySegment data;
    private final AtomicBoolean released = new AtomicBoolean();

    Block(Session session, MemorySegment buffer, long offset, int size) {
        this.session = session;
        this.buffer = buffer;
        this.offset = offset;
        this.size = size;
        this.arena = Arena.ofShared();
        this.data = buffer.reinterpret(Integer.toUnsignedLong(size), arena, null).asReadOnly();
    }

    /** The bytes, read-only, valid until {@link #release()}. */
    public MemorySegment segment() {
        return data;
    }

    /** Where the block belongs in the object. */
    public long offset() {
        return offset;
    }

    /** The block's size in bytes. */
    public long size() {
        return Integer.toUnsignedLong(size);
    }

    /** Whether {@link #release()} was called. */
    public boolean isReleased() {
        return released.get();
    }

    /**
     * Completes the block for the transport and releases its buffer; from any
     * thread; later calls do nothing.
     *
     * @throws IllegalStateException if the segment is in use by a native call
     *                               on another thread (try again later)
     */
    public void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            released.set(false);
            throw e;
        }
        session.releaseBlock(this);
    }

    /** Same as {@link #release()}. */
    @Override
    public void close() {
        release();
    }

    MemorySegment buffer() {
        return buffer;
    }

    int rawSize() {
        return size;
    }

    @Override
    public String toString() {
        return "Block[offset " + offset + ", " + size() + " bytes" + (released.get() ? ", released]" : "]");
    }
}
