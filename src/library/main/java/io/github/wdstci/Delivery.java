package io.github.wdstci;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import io.github.wdstci.internal.Wdstptc;
import io.github.wdstci.internal.ffi._TRANSPORTCLIENT_SESSION_INFO;
import io.github.wdstci.internal.ffi._ULARGE_INTEGER;

/**
 * What each callback of one session does: it tells the listener, in the
 * order the API defines, and completes every block exactly once. {@link Upcalls}
 * finds the session and guards the call; this class holds the per-session
 * state the callbacks share (the start, the bytes, the blocks kept by an
 * asynchronous handler) and is the owner those blocks report to.
 *
 * <p>Pointer arguments arrive as segments spanning the address space (the
 * generated {@code C_POINTER} layout), so the offset behind
 * {@code PULARGE_INTEGER} is read in place, without a segment per block.
 */
final class Delivery implements BlockOwner {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());
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

    private final Session session;
    private final SessionListener listener;
    private final ContentHandler sync;             // exactly one of sync and async
    private final AsyncContentHandler async;
    private final Completion completion;
    private final NativeSession nat;
    private boolean startExRegistered;              // set before StartSession

    private volatile int start = NOT_STARTED;
    private volatile long startSize = -1;           // from SessionStart while waiting for StartEx
    private volatile long fileSize = -1;
    @SuppressWarnings("unused")                     // through BYTES
    private volatile long bytes;

    private final Object blocksLock = new Object();
    private Block head;                             // blocks kept by the async handler, guarded by blocksLock

    Delivery(Session session, SessionListener listener, boolean asynchronous, Completion completion, NativeSession nat) {
        this.session = session;
        this.listener = listener;
        this.sync = asynchronous ? null : (ContentHandler) listener;
        this.async = asynchronous ? (AsyncContentHandler) listener : null;
        this.completion = completion;
        this.nat = nat;
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

    // ---- which thread is inside which session's callback -------------------------------------

    /**
     * The sessions whose callbacks a thread is running now, innermost last
     * (more than one only where a DLL calls back into Java from inside a
     * downcall made by a callback). Kept per thread, since WDSTPTC.dll does not
     * document whether a session's callbacks may overlap on several threads:
     * each of them is then a callback thread of the session.
     */
    private static final class InCallback {
        final Thread owner = Thread.currentThread();
        Delivery[] sessions = new Delivery[2];
        int depth;
    }

    private static final ThreadLocal<InCallback> IN_CALLBACK = new ThreadLocal<>();

    /** The record of the thread that entered this session's latest callback: spares most blocks the ThreadLocal. */
    private volatile InCallback lastEntered;

    private InCallback enter() {
        InCallback c = lastEntered;
        if (c == null || c.owner != Thread.currentThread()) {
            c = IN_CALLBACK.get();
            if (c == null) {
                c = new InCallback();
                IN_CALLBACK.set(c);
            }
            lastEntered = c;
        }
        if (c.depth == c.sessions.length) {
            c.sessions = Arrays.copyOf(c.sessions, c.depth * 2);
        }
        c.sessions[c.depth++] = this;
        return c;
    }

    private static void exit(InCallback c) {
        c.sessions[--c.depth] = null;
    }

    /** Whether the calling thread is running one of this session's callbacks now. */
    boolean inCallbackOnThisThread() {
        InCallback c = IN_CALLBACK.get();
        if (c != null) {
            for (int i = 0; i < c.depth; i++) {
                if (c.sessions[i] == this) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the calling thread is running any session's callback now. */
    static boolean inAnyCallback() {
        InCallback c = IN_CALLBACK.get();
        return c != null && c.depth > 0;
    }

    // ---- the start: onStart exactly once, whichever of SessionStart and SessionStartEx come ----

    // SessionStart: the size. With StartEx registered, onStart waits for it (it adds the
    // block size), or for the next callback if StartEx never comes.
    void sessionStart(MemorySegment pFileSize) throws Exception {
        InCallback c = enter();
        try {
            long size = pFileSize.get(U64, 0);
            if (startExRegistered) {
                startSize = size;
                START.compareAndSet(this, NOT_STARTED, SIZE_KNOWN);
            } else {
                begin(size, 0, NOT_STARTED);
            }
        } finally {
            exit(c);
        }
    }

    // SessionStartEx: size and block size.
    void sessionStartEx(MemorySegment pInfo) throws Exception {
        InCallback c = enter();
        try {
            StartInfo info = startInfo(pInfo);
            if (!begin(info.fileSize(), info.blockSize(), NOT_STARTED)) {
                begin(info.fileSize(), info.blockSize(), SIZE_KNOWN);
            }
        } finally {
            exit(c);
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
        if (!completion.failed()) {
            listener.onStart(new StartInfo(size, blockSize));
        }
        return true;
    }

    private static StartInfo startInfo(MemorySegment pInfo) {
        MemorySegment info = pInfo.reinterpret(_TRANSPORTCLIENT_SESSION_INFO.sizeof());
        return new StartInfo(_TRANSPORTCLIENT_SESSION_INFO.ullFileSize(info).get(ValueLayout.JAVA_LONG, 0),
                _TRANSPORTCLIENT_SESSION_INFO.ulBlockSize(info));
    }

    // ---- metadata and negotiation ---------------------------------------------------------

    void metadata(MemorySegment pMetadata, int size) throws Exception {
        InCallback c = enter();
        try {
            ensureStarted();
            if (!completion.failed()) {
                try (Arena call = Arena.ofConfined()) {
                    listener.onMetadata(pMetadata.reinterpret(Integer.toUnsignedLong(size), call, null).asReadOnly());
                }
            }
        } finally {
            exit(c);
        }
    }

    void negotiate(MemorySegment h, MemorySegment pInfo, MemorySegment key) throws Exception {
        InCallback c = enter();
        try {
            ensureStarted();
            if (!completion.failed()) {
                StartInfo info = startInfo(pInfo);
                NegotiationImpl n = new NegotiationImpl(h, key, info.fileSize());
                try {
                    listener.onNegotiate(info, n);
                } finally {
                    n.active = false;
                }
            }
        } finally {
            exit(c);
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
                NativeSession.check("WdsTransportClientNegotiateRequiredDataRange",
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
        InCallback c = enter();
        boolean completeHere = true;
        try {
            if (start != STARTED) {
                ensureStarted();
            }
            if (completion.failed()) {
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
                if (rc != NativeSession.ERROR_SUCCESS) {
                    throw new WdsTransportException("WdsTransportClientAddRefBuffer", rc);
                }
                Block block;
                try {
                    block = new Block(this, pContents, offset, size);
                } catch (Throwable t) {
                    Wdstptc.releaseBuffer(pContents);
                    throw t;
                }
                completeHere = false;                 // from here the block's release completes it
                give(block, h, pOffset);
            }
            BYTES.getAndAdd(this, Integer.toUnsignedLong(size));
        } catch (Throwable t) {
            session.failed(t);
        } finally {
            try {
                if (completeHere) {
                    int rc = Wdstptc.completeReceive(h, size, pOffset);
                    if (rc != NativeSession.ERROR_SUCCESS) {
                        session.failed(new WdsTransportException("WdsTransportClientCompleteReceive", rc));
                    }
                }
            } finally {
                exit(c);
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
            synchronized (blocksLock) {
                if (!block.isReleased()) {        // a release on another thread meanwhile: nothing to keep
                    link(block);
                }
            }
        }
    }

    // ---- the end ----------------------------------------------------------------------------

    void sessionComplete(int error) {
        InCallback c = enter();
        try {
            try {
                ensureStarted();
            } catch (Throwable t) {
                session.failed(t);                // recorded before the completion can read it
            }
            session.nativeCompleted(error);
        } finally {
            exit(c);
        }
    }

    // ---- blocks kept by an asynchronous handler (BlockOwner) ----------------------------------

    /** blocksLock held. */
    private void link(Block b) {
        b.next = head;
        if (head != null) {
            head.prev = b;
        }
        head = b;
    }

    private void unlink(Block b) {
        synchronized (blocksLock) {
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
    }

    @Override
    public void completed(Block block, MemorySegment h, MemorySegment pOffset) {
        int rc;
        if (h != null) {
            // Inside its own callback: not kept yet, and the callback's handle and offset are
            // valid (the session closes its handle only after its last callback returned).
            rc = Wdstptc.completeReceive(h, block.rawSize(), pOffset);
        } else {
            unlink(block);
            rc = nat.completeReceive(block.rawSize(), block.offset());
        }
        if (rc != NativeSession.ERROR_SUCCESS) {
            session.failed(new WdsTransportException("WdsTransportClientCompleteReceive", rc));
        }
    }

    @Override
    public void returnBuffer(MemorySegment buffer) {
        int rc = Wdstptc.releaseBuffer(buffer);
        if (rc != NativeSession.ERROR_SUCCESS) {
            LOG.log(System.Logger.Level.WARNING, "WdsTransportClientReleaseBuffer: {0}", Win32Error.nameOf(rc));
        }
    }

    /** Releases every block the handler still holds (the session is closing). */
    void releaseAll() {
        while (true) {
            Block b;
            synchronized (blocksLock) {
                b = head;
            }
            if (b == null) {
                return;
            }
            b.release();
            unlink(b);          // already unlinked by release unless it was released before (racing)
        }
    }
}
