package io.github.wdstci;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A block given to an {@link AsyncContentHandler}: the transport's own buffer,
 * kept (AddRefBuffer) until {@link #release()}. Releasing completes the block
 * for the transport (CompleteReceive), which counts un-released bytes against
 * the request's cache size and pauses delivery at that level (backpressure).
 *
 * <p><b>Reading the bytes, zero-copy.</b>
 * <ul>
 *   <li>During {@link AsyncContentHandler#onBlock}, on the callback thread,
 *       {@link #segment()} is the block, read-only.</li>
 *   <li>On any thread, until the block is released, {@link #withSegment}
 *       lends the block to a function: the segment is valid during that call
 *       only, and a release on another thread meanwhile waits with returning
 *       the buffer until the function has returned.</li>
 * </ul>
 * A segment kept beyond its scope throws on every access instead of reading
 * memory the transport may reuse, and {@code withSegment} after
 * {@code release()} throws {@link IllegalStateException}.
 *
 * <p>Thread-safe: release from any thread, any number of times.
 */
public final class Block implements AutoCloseable {

    /**
     * A function of a block's bytes, for {@link Block#withSegment}.
     *
     * @param <R> what it returns
     * @param <X> what it may throw
     */
    @FunctionalInterface
    public interface SegmentFunction<R, X extends Exception> {
        /**
         * Reads the block.
         *
         * @param bytes the block, read-only, valid during this call only
         * @return any result
         * @throws X for the caller of {@code withSegment}
         */
        R apply(MemorySegment bytes) throws X;
    }

    /** {@link #state}: this bit once released; the rest counts the scopes reading the buffer. */
    private static final int RELEASED = 1 << 31;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Block.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Kept kept;                   // its session's kept blocks, and their owner
    private final MemorySegment buffer;        // the transport's pointer, for ReleaseBuffer
    private final long offset;
    private final int size;                    // ULONG
    @SuppressWarnings("unused")                // through STATE
    private volatile int state = 1;            // the callback scope reads the buffer until onBlock returns

    // During onBlock only, and only ever touched by the callback thread (others read callThread
    // and never see themselves in it): the callback's own handle and offset pointer, with which
    // a release inside onBlock completes the block directly, and the segment() view, made lazily.
    private Thread callThread;
    private MemorySegment callHandle;
    private MemorySegment callOffset;
    private Arena callArena;
    private MemorySegment callView;

    private Block prev;                        // in kept, guarded by it
    private Block next;

    Block(Kept kept, MemorySegment buffer, long offset, int size) {
        this.kept = kept;
        this.buffer = buffer;
        this.offset = offset;
        this.size = size;
    }

    /**
     * The bytes, read-only, during {@link AsyncContentHandler#onBlock} and on
     * its thread. Elsewhere use {@link #withSegment}.
     *
     * @return the block's bytes, valid until {@code onBlock} returns or the block is released
     * @throws IllegalStateException outside {@code onBlock}, on another thread,
     *                               or after {@link #release()}
     */
    public MemorySegment segment() {
        if (callThread == null || Thread.currentThread() != callThread) {
            throw new IllegalStateException("Block.segment() is usable only during onBlock, on its thread;"
                    + " use withSegment(...) elsewhere");
        }
        if (isReleased()) {
            throw new IllegalStateException("the block was released");
        }
        MemorySegment view = callView;
        if (view == null) {
            // Made on first use: a handler that hands the block to another thread pays nothing here.
            callArena = Arena.ofConfined();
            view = callView = buffer.reinterpret(size(), callArena, null).asReadOnly();
        }
        return view;
    }

    /**
     * Lends the bytes to {@code function}, on any thread, until the block is
     * released. The segment is read-only and valid during the call only.
     *
     * @param <R>      what the function returns
     * @param <X>      what the function may throw
     * @param function reads the bytes
     * @return what the function returns
     * @throws X                     what the function throws
     * @throws IllegalStateException after {@link #release()}
     */
    public <R, X extends Exception> R withSegment(SegmentFunction<R, X> function) throws X {
        if (function == null) {
            throw new IllegalArgumentException("function must not be null");
        }
        int s;
        do {
            s = (int) STATE.getVolatile(this);
            if ((s & RELEASED) != 0) {
                throw new IllegalStateException("the block was released");
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
        try (Arena scope = Arena.ofConfined()) {
            return function.apply(buffer.reinterpret(size(), scope, null).asReadOnly());
        } finally {
            leave();
        }
    }

    /** {@return where the block belongs in the object} */
    public long offset() {
        return offset;
    }

    /** {@return the block's size in bytes} */
    public long size() {
        return Integer.toUnsignedLong(size);
    }

    /** {@return whether {@link #release()} was called (or the session released the block when it closed)} */
    public boolean isReleased() {
        return ((int) STATE.getVolatile(this) & RELEASED) != 0;
    }

    /**
     * Completes the block for the transport and lets its buffer go; from any
     * thread; later calls do nothing. Called on the callback thread during
     * {@code onBlock}, it also ends {@link #segment()} at once.
     */
    public void release() {
        int s;
        do {
            s = (int) STATE.getVolatile(this);
            if ((s & RELEASED) != 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, s | RELEASED));
        boolean inCallback = callThread != null && Thread.currentThread() == callThread;
        if (inCallback && callArena != null && callArena.scope().isAlive()) {
            callArena.close();
        }
        if (!inCallback) {
            kept.remove(this);                 // a block released during its callback is not kept yet
        }
        kept.owner.completed(size, offset, inCallback ? callHandle : null, inCallback ? callOffset : null);
        if ((s & ~RELEASED) == 0) {
            kept.owner.returnBuffer(buffer);
        }
    }

    /** Same as {@link #release()}. */
    @Override
    public void close() {
        release();
    }

    /**
     * The callback scope begins, on the callback thread: {@link #segment()} is the
     * block until {@link #exitCallback()}; {@code h} and {@code pOffset} are the
     * callback's arguments, valid until it returns.
     */
    void enterCallback(MemorySegment h, MemorySegment pOffset) {
        callHandle = h;
        callOffset = pOffset;
        callThread = Thread.currentThread();
    }

    /** onBlock returned: the view ends, and the callback scope stops reading the buffer. */
    void exitCallback() {
        if (callArena != null && callArena.scope().isAlive()) {
            callArena.close();
        }
        callThread = null;
        callView = null;
        callArena = null;
        callHandle = null;
        callOffset = null;
        leave();
    }

    private void leave() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if (s == RELEASED) {
            kept.owner.returnBuffer(buffer);       // released while read: the last reader lets go
        }
    }

    /** The blocks one session's handler keeps past their callbacks, for the session's close to release. */
    static final class Kept {
        final BlockOwner owner;
        private Block head;                    // guarded by this

        Kept(BlockOwner owner) {
            this.owner = owner;
        }

        /** Keeps {@code b}, unless it was released meanwhile (on another thread). */
        synchronized void add(Block b) {
            if (!b.isReleased()) {
                b.next = head;
                if (head != null) {
                    head.prev = b;
                }
                head = b;
            }
        }

        /** Forgets {@code b} if it is kept. */
        synchronized void remove(Block b) {
            if (b.prev != null) {
                b.prev.next = b.next;
            } else if (head == b) {
                head = b.next;
            }
            if (b.next != null) {
                b.next.prev = b.prev;
            }
            b.prev = b.next = null;
        }

        /** Releases every block still kept. */
        void releaseAll() {
            for (Block b = first(); b != null; b = first()) {
                b.release();
                remove(b);                     // released before, on another thread, and still here: forget it
            }
        }

        private synchronized Block first() {
            return head;
        }
    }

    @Override
    public String toString() {
        return "Block[offset " + offset + ", " + size() + " bytes" + (isReleased() ? ", released]" : "]");
    }
}
