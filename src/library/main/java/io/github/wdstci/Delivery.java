package io.github.wdstci;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.github.wdstci.internal.StartPath;
import io.github.wdstci.internal.Wdstptc;
import io.github.wdstci.internal.ffi._ULARGE_INTEGER;

/**
 * What each callback of one session does: it tells the listener, in the
 * order the API defines, and completes every block exactly once. {@link Upcalls}
 * finds the session's delivery and guards the call; this class holds the per-session
 * state the callbacks share (the start, the bytes, the blocks kept by an
 * asynchronous handler) and is the owner those blocks report to. What it learns of
 * the session's end it tells its {@link Owner}, the session's lifecycle.
 *
 * <p>Pointer arguments arrive as segments spanning the address space (the
 * generated {@code C_POINTER} layout), so the offset behind
 * {@code PULARGE_INTEGER} is read in place, without a segment per block.
 */
final class Delivery implements BlockOwner {

    /** What the callbacks tell the session, and the one downcall they need from it. */
    interface Owner {
        /** Whether the session has failed (a cheap read, once per block). */
        boolean failed();

        /** A handler threw, or a downcall was refused: the session fails with {@code cause}. */
        void fail(Throwable cause);

        /** SessionComplete: the transport's last callback, with its code. */
        void ended(int code);

        /** CompleteReceive for a block kept past its callback; ERROR_SUCCESS without a call once closed. */
        int completeLate(int size, long offset);
    }

    private static final System.Logger LOG = System.getLogger("io.github.wdstci.Session");
    private static final int ERROR_SUCCESS = Win32Error.ERROR_SUCCESS.code();
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final VarHandle BYTES;
    private static final VarHandle START;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            BYTES = l.findVarHandle(Delivery.class, "bytes", long.class);
            START = l.findVarHandle(Delivery.class, "start", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #start}: nothing yet; the size is known (SessionStart) and StartEx may follow; onStart ran. */
    private static final int NOT_STARTED = 0;
    private static final int SIZE_KNOWN = 1;
    private static final int STARTED = 2;

    private final Owner owner;
    private final SessionListener listener;
    private final ContentHandler sync;             // exactly one of sync and async
    private final AsyncContentHandler async;
    private boolean startExRegistered;              // set before StartSession

    private volatile int start = NOT_STARTED;
    private volatile long startSize = -1;           // from SessionStart while waiting for StartEx
    private volatile long fileSize = -1;
    @SuppressWarnings("unused")                     // through BYTES
    private volatile long bytes;

    private final Block.Kept kept = new Block.Kept(this);   // blocks the async handler keeps past their callbacks

    Delivery(Owner owner, SessionListener listener, boolean asynchronous) {
        this.owner = owner;
        this.listener = listener;
        this.sync = asynchronous ? null : (ContentHandler) listener;
        this.async = asynchronous ? (AsyncContentHandler) listener : null;
    }

    void startExRegistered(boolean registered) {
        startExRegistered = registered;
    }

    /** Bytes received so far. */
    long bytes() {
        return (long) BYTES.getVolatile(this);
    }

    /** The object's size, -1 before the start. */
    long fileSize() {
        return fileSize;
    }

    // ---- which thread is inside this session's callbacks ---------------------------------------

    /** The record of the thread that entered this session's latest callback: spares most blocks the ThreadLocal. */
    private volatile CallbackThreads.Record lastEntered;

    private CallbackThreads.Record enter() {
        CallbackThreads.Record c = lastEntered;
        if (c == null || c.owner != Thread.currentThread()) {
            c = CallbackThreads.current();
            lastEntered = c;
        }
        c.enter(owner);
        return c;
    }

    /** A callback failed: the session fails with {@code t} (for the upcall guard). */
    void fail(Throwable t) {
        owner.fail(t);
    }

    // ---- the start: onStart exactly once, whichever of SessionStart and SessionStartEx come ----

    // SessionStart: the size. With StartEx registered, onStart waits for it (it adds the
    // block size), or for the next callback if StartEx never comes.
    void sessionStart(MemorySegment pFileSize) throws Exception {
        CallbackThreads.Record c = enter();
        try {
            long size = pFileSize.get(U64, 0);
            if (startExRegistered) {
                startSize = size;
                START.compareAndSet(this, NOT_STARTED, SIZE_KNOWN);
            } else {
                begin(size, 0, NOT_STARTED);
            }
        } finally {
            c.exit();
        }
    }

    // SessionStartEx: size and block size.
    void sessionStartEx(MemorySegment pInfo) throws Exception {
        CallbackThreads.Record c = enter();
        try {
            StartInfo info = startInfo(pInfo);
            if (!begin(info.fileSize(), info.blockSize(), NOT_STARTED)) {
                begin(info.fileSize(), info.blockSize(), SIZE_KNOWN);
            }
        } finally {
            c.exit();
        }
    }

    /** Runs a pending onStart (SessionStart came, StartEx did not) before any later callback. */
    private void ensureStarted() throws Exception {
        if (start == SIZE_KNOWN) {
            begin(startSize, 0, SIZE_KNOWN);
        }
    }

    private boolean begin(long size, int blockSize, int from) throws Exception {
        if (!START.compareAndSet(this, from, STARTED)) {
            return false;
        }
        if (size < 0) {
            // ULARGE_INTEGER is unsigned: 2^63 bytes or more cannot be offsets of a Java long
            // (nor be stored anywhere). The session fails before its listener hears a start.
            throw new WdsTransportException("SessionStart: an object of " + Long.toUnsignedString(size)
                    + " bytes, beyond the 2^63 - 1 that a Java long addresses,", Win32Error.ERROR_FILE_TOO_LARGE.code());
        }
        fileSize = size;
        if (!owner.failed()) {
            listener.onStart(new StartInfo(size, blockSize));
        }
        return true;
    }

    private static StartInfo startInfo(MemorySegment pInfo) {
        // at StartPath's offsets: the generated class's initialiser would cost the first block's time
        MemorySegment info = pInfo.reinterpret(StartPath.SESSION_INFO_SIZE);
        return new StartInfo(info.get(ValueLayout.JAVA_LONG, StartPath.SESSION_INFO_FILE_SIZE),
                info.get(ValueLayout.JAVA_INT, StartPath.SESSION_INFO_BLOCK_SIZE));
    }

    // ---- metadata and negotiation ---------------------------------------------------------

    void metadata(MemorySegment pMetadata, int size) throws Exception {
        CallbackThreads.Record c = enter();
        try {
            ensureStarted();
            if (!owner.failed()) {
                try (Arena call = Arena.ofConfined()) {
                    listener.onMetadata(pMetadata.reinterpret(Integer.toUnsignedLong(size), call, null).asReadOnly());
                }
            }
        } finally {
            c.exit();
        }
    }

    void negotiate(MemorySegment h, MemorySegment pInfo, MemorySegment key) throws Exception {
        CallbackThreads.Record c = enter();
        try {
            ensureStarted();
            if (!owner.failed()) {
                StartInfo info = startInfo(pInfo);
                NegotiationImpl n = new NegotiationImpl(h, key, info.fileSize());
                try {
                    listener.onNegotiate(info, n);
                } finally {
                    n.active = false;
                }
            }
        } finally {
            c.exit();
        }
    }

    /** The answer to one negotiate callback, valid during it, on its thread. */
    private static final class NegotiationImpl implements Negotiation {
        private final MemorySegment handle;
        private final MemorySegment key;
        private final long size;
        private final Thread thread = Thread.currentThread();
        volatile boolean active = true;

        NegotiationImpl(MemorySegment handle, MemorySegment key, long size) {
            this.handle = handle;
            this.key = key;
            this.size = size;
        }

        @Override
        public void require(long start, long length) throws WdsTransportException {
            if (!active || Thread.currentThread() != thread) {
                throw new IllegalStateException("a Negotiation is usable only during onNegotiate, on its thread");
            }
            if (start < 0 || length < 0 || start > size || length > size - start) {
                throw new IllegalArgumentException("range [" + start + ", +" + length + ") is outside the object [0, " + size + ")");
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = _ULARGE_INTEGER.allocate(a);
                MemorySegment l = _ULARGE_INTEGER.allocate(a);
                s.set(ValueLayout.JAVA_LONG, 0, start);
                l.set(ValueLayout.JAVA_LONG, 0, length);
                WdsTransportException.check("WdsTransportClientNegotiateRequiredDataRange",
                        Wdstptc.negotiateRequiredDataRange(handle, key, s, l));
            }
        }
    }

    // ---- content: the hot path, once per block ----------------------------------------------

    /**
     * One block. Every path completes it exactly once: here (synchronous
     * handler, a failing session, a refused AddRef) or, for a block an
     * asynchronous handler took, by its release. Whatever a handler throws
     * becomes the session's failure before anything else can.
     */
    void contents(MemorySegment h, MemorySegment pContents, int size, MemorySegment pOffset) {
        CallbackThreads.Record c = enter();
        boolean completeHere = true;
        try {
            if (start != STARTED) {
                ensureStarted();
            }
            if (owner.failed()) {
                return;                               // ending: complete the block and drop it
            }
            long offset = pOffset.get(U64, 0);
            if (sync != null) {
                // A confined scope per block: a segment kept past onContent throws instead of
                // reading a buffer the transport reuses (JMH: see the upcall benchmarks).
                try (Arena call = Arena.ofConfined()) {
                    sync.onContent(pContents.reinterpret(Integer.toUnsignedLong(size), call, null).asReadOnly(), offset);
                }
            } else {
                int rc = Wdstptc.addRefBuffer(pContents);
                if (rc != ERROR_SUCCESS) {
                    throw new WdsTransportException("WdsTransportClientAddRefBuffer", rc);
                }
                Block block;
                try {
                    block = new Block(kept, pContents, offset, size);
                } catch (Throwable t) {
                    Wdstptc.releaseBuffer(pContents);
                    throw t;
                }
                completeHere = false;                 // from here the block's release completes it
                give(block, h, pOffset);
            }
            BYTES.getAndAdd(this, Integer.toUnsignedLong(size));
        } catch (Throwable t) {
            owner.fail(t);
        } finally {
            try {
                if (completeHere) {
                    int rc = Wdstptc.completeReceive(h, size, pOffset);
                    if (rc != ERROR_SUCCESS) {
                        owner.fail(new WdsTransportException("WdsTransportClientCompleteReceive", rc));
                    }
                }
            } finally {
                c.exit();
            }
        }
    }

    /**
     * Gives a kept (AddRefBuffer) block to the asynchronous handler. The
     * block is released, and so completed, whatever happens, unless the
     * handler took it and returned normally; then, unless it released the
     * block already, the block joins the kept ones (that a close releases).
     */
    private void give(Block block, MemorySegment h, MemorySegment pOffset) throws Throwable {
        try {
            block.enterCallback(h, pOffset);
            async.onBlock(block);
        } catch (Throwable t) {
            block.release();
            throw t;
        } finally {
            block.exitCallback();
        }
        if (!block.isReleased()) {
            kept.add(block);                  // unless released meanwhile on another thread
        }
    }

    // ---- the end ----------------------------------------------------------------------------

    void sessionComplete(int error) {
        CallbackThreads.Record c = enter();
        try {
            try {
                ensureStarted();
            } catch (Throwable t) {
                owner.fail(t);                // recorded before the completion can read it
            }
            owner.ended(error);
        } finally {
            c.exit();
        }
    }

    // ---- blocks kept by an asynchronous handler (BlockOwner) ----------------------------------

    @Override
    public void completed(int size, long offset, MemorySegment h, MemorySegment pOffset) {
        // Inside its own callback the callback's handle and offset are valid (the session
        // closes its handle only after its last callback returned); later, the session's.
        int rc = h != null ? Wdstptc.completeReceive(h, size, pOffset) : owner.completeLate(size, offset);
        if (rc != ERROR_SUCCESS) {
            owner.fail(new WdsTransportException("WdsTransportClientCompleteReceive", rc));
        }
    }

    @Override
    public void returnBuffer(MemorySegment buffer) {
        int rc = Wdstptc.releaseBuffer(buffer);
        if (rc != ERROR_SUCCESS) {
            LOG.log(System.Logger.Level.WARNING, "WdsTransportClientReleaseBuffer: {0}", Win32Error.nameOf(rc));
        }
    }

    /** Releases every block the handler still holds (the session is closing). */
    void releaseAll() {
        kept.releaseAll();
    }
}
