package io.github.wdstci;

import static io.github.wdstci.internal.ffi.wdstci_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wdstci.internal.SessionEvents;
import io.github.wdstci.internal.Utf16;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveContents;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveMetadata;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionComplete;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionNegotiate;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStart;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStartEx;
import io.github.wdstci.internal.ffi._TRANSPORTCLIENT_SESSION_INFO;
import io.github.wdstci.internal.ffi._ULARGE_INTEGER;
import io.github.wdstci.internal.ffi._WDS_TRANSPORTCLIENT_REQUEST;

/**
 * One transfer of one object: created by {@link WdsClient#newSession}, run with
 * {@link #start()}, freed with {@link #close()}.
 *
 * <p>A session owns one shared {@link Arena} holding the native request, its
 * UTF-16 strings and every upcall stub. The arena is closed only by
 * {@link #close()}, and only once native code can no longer call any stub:
 * after SessionComplete has returned and CloseSession has run. Callbacks run on
 * the transport's threads; every upcall catches everything its handler throws,
 * cancels the session and fails the future with that exception. The future
 * completes on the client's executor, never on a transport thread.
 *
 * <p>Thread-safe. Every method but {@code close()} throws
 * {@link IllegalStateException} after {@code close()}.
 */
public final class Session implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    /** The whole address space: reads a ULARGE_INTEGER the transport points at without a new segment per block. */
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final int ERROR_SUCCESS = 0;
    private static final int ERROR_CANCELLED = 1223;
    private static final int ERROR_TIMEOUT = 1460;

    private enum Phase { CREATED, RUNNING, COMPLETED, CLOSED }

    private final WdsClient client;
    private final TransferRequest request;
    private final SessionListener listener;
    private final ContentHandler sync;
    private final AsyncContentHandler async;
    private final Executor executor;
    private final Arena arena;
    private final MemorySegment handle;
    private final SessionFuture future;
    private final Object lock = new Object();
    private final java.util.concurrent.locks.ReentrantLock closeLock =
            new java.util.concurrent.locks.ReentrantLock();   // serializes close(); held while it waits
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Set<Block> outstanding = ConcurrentHashMap.newKeySet();

    private Phase phase = Phase.CREATED;          // guarded by lock
    private boolean nativeStarted;                // guarded by lock
    private volatile Thread callbackThread;
    private volatile Thread finishingThread;
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean completeReturned;
    private volatile int resultCode = -1;
    private volatile long fileSize = -1;
    private volatile long bytesReceived;          // written by the callback thread only
    private SessionEvents.Start startEvent;
    private SessionEvents.Complete completeEvent;
    private SessionEvents.Failed failedEvent;

    Session(WdsClient client, TransferRequest request, SessionListener listener, Executor executor)
            throws WdsTransportException {
        this.client = client;
        this.request = request;
        this.listener = listener;
        this.sync = listener instanceof ContentHandler c ? c : null;
        this.async = sync == null ? (AsyncContentHandler) listener : null;
        this.executor = executor;
        this.future = new SessionFuture(this, executor);
        this.arena = Arena.ofShared();
        MemorySegment h = MemorySegment.NULL;
        try {
            MemorySegment r = _WDS_TRANSPORTCLIENT_REQUEST.allocate(arena);
            _WDS_TRANSPORTCLIENT_REQUEST.ulLength(r, (int) _WDS_TRANSPORTCLIENT_REQUEST.sizeof());
            _WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion(r, WDS_TRANSPORTCLIENT_CURRENT_API_VERSION());
            _WDS_TRANSPORTCLIENT_REQUEST.ulAuthLevel(r, request.authLevel().code());
            _WDS_TRANSPORTCLIENT_REQUEST.pwszServer(r, Utf16.allocate(arena, request.server()));
            _WDS_TRANSPORTCLIENT_REQUEST.pwszNamespace(r, Utf16.allocate(arena, request.namespace()));
            _WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(r, Utf16.allocate(arena, request.objectName()));
            _WDS_TRANSPORTCLIENT_REQUEST.ulCacheSize(r, (int) request.cacheSize());
            _WDS_TRANSPORTCLIENT_REQUEST.ulProtocol(r, request.protocol().code());
            _WDS_TRANSPORTCLIENT_REQUEST.pvProtocolData(r, MemorySegment.NULL);
            _WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength(r, 0);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            check("WdsTransportClientInitializeSession", WdsTransportClientInitializeSession(r, MemorySegment.NULL, out));
            h = out.get(ValueLayout.ADDRESS, 0);
            this.handle = h;
            registerCallbacks();
        } catch (Throwable t) {
            if (!h.equals(MemorySegment.NULL)) {
                WdsTransportClientCloseSession(h);    // never started: no callback can come
            }
            arena.close();
            throw t;
        }
    }

    private static void check(String function, int rc) throws WdsTransportException {
        if (rc != ERROR_SUCCESS) {
            throw new WdsTransportException(function, rc);
        }
    }

    private void register(int id, MemorySegment stub) throws WdsTransportException {
        check("WdsTransportClientRegisterCallback(" + id + ")", WdsTransportClientRegisterCallback(handle, id, stub));
    }

    private void registerCallbacks() throws WdsTransportException {
        // StartEx reports the block size too; a DLL without it gets the plain SessionStart.
        int rc = WdsTransportClientRegisterCallback(handle, WDS_TRANSPORTCLIENT_SESSION_STARTEX(),
                PFN_WdsTransportClientSessionStartEx.allocate(this::onSessionStartEx, arena));
        if (rc != ERROR_SUCCESS) {
            register(WDS_TRANSPORTCLIENT_SESSION_START(),
                    PFN_WdsTransportClientSessionStart.allocate(this::onSessionStart, arena));
        }
        register(WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(),
                PFN_WdsTransportClientReceiveContents.allocate(this::onReceiveContents, arena));
        register(WDS_TRANSPORTCLIENT_SESSION_COMPLETE(),
                PFN_WdsTransportClientSessionComplete.allocate(this::onSessionComplete, arena));
        // Metadata is optional for the consumer: a DLL refusing it loses nothing essential.
        int meta = WdsTransportClientRegisterCallback(handle, WDS_TRANSPORTCLIENT_RECEIVE_METADATA(),
                PFN_WdsTransportClientReceiveMetadata.allocate(this::onReceiveMetadata, arena));
        if (meta != ERROR_SUCCESS) {
            LOG.log(System.Logger.Level.DEBUG, "metadata callback refused: {0}", Win32Error.nameOf(meta));
        }
        if (client.negotiationSupported() && overridesNegotiate(listener)) {
            register(WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE(),
                    PFN_WdsTransportClientSessionNegotiate.allocate(this::onSessionNegotiate, arena));
        }
    }

    private static boolean overridesNegotiate(SessionListener l) {
        try {
            Method m = l.getClass().getMethod("onNegotiate", StartInfo.class, Negotiation.class);
            return m.getDeclaringClass() != SessionListener.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    // ---- public API ------------------------------------------------------------------------

    /** The request this session receives. */
    public TransferRequest request() {
        synchronized (lock) {
            ensureOpen();
            return request;
        }
    }

    /**
     * Starts the transfer. The future completes, on the client's executor, when
     * the transport reports completion: normally on success; exceptionally with
     * the handler's exception if a handler threw, else with a
     * {@link WdsTransportException} carrying the Win32 code. Cancelling the
     * future ({@code cancel}, {@code orTimeout}, completing it yourself)
     * cancels the native session (CancelSession, or CancelSessionEx with
     * ERROR_TIMEOUT for a {@link TimeoutException}).
     *
     * @return the session's future; dependent async stages default to the client's executor
     * @throws IllegalStateException if already started or closed
     */
    public CompletableFuture<Void> start() {
        synchronized (lock) {
            ensureOpen();
            if (phase != Phase.CREATED) {
                throw new IllegalStateException("session already started");
            }
            phase = Phase.RUNNING;
            if (future.isDone()) {
                phase = Phase.COMPLETED;     // cancelled before it started: nothing to run
                return future;
            }
            startEvent = new SessionEvents.Start();
            completeEvent = new SessionEvents.Complete();
            failedEvent = new SessionEvents.Failed();
            completeEvent.begin();
            failedEvent.begin();
            int rc = WdsTransportClientStartSession(handle);
            if (rc != ERROR_SUCCESS) {
                phase = Phase.COMPLETED;
                WdsTransportException e = new WdsTransportException("WdsTransportClientStartSession", rc);
                dispatch(() -> finish(e));
                return future;
            }
            nativeStarted = true;
        }
        if (startEvent.shouldCommit()) {
            startEvent.server = request.server();
            startEvent.namespace = request.namespace();
            startEvent.objectName = request.objectName();
            startEvent.commit();
        }
        LOG.log(System.Logger.Level.DEBUG, "started {0}", request);
        return future;
    }

    /**
     * The future {@link #start()} returns (incomplete before the start).
     *
     * @throws IllegalStateException after close
     */
    public CompletableFuture<Void> completion() {
        synchronized (lock) {
            ensureOpen();
            return future;
        }
    }

    /**
     * Cancels the session (CancelSession): it completes with ERROR_CANCELLED
     * unless it already completed. Does nothing once complete.
     *
     * @throws IllegalStateException after close
     */
    public void cancel() {
        synchronized (lock) {
            ensureOpen();
        }
        future.cancel(false);             // also cancels the native session
    }

    /**
     * A snapshot of the session, from QueryStatus while it runs.
     *
     * @throws IllegalStateException after close
     */
    public SessionStatus status() {
        synchronized (lock) {
            ensureOpen();
            if (!nativeStarted) {
                SessionStatus.State s = phase == Phase.CREATED ? SessionStatus.State.CREATED : SessionStatus.State.FAILED;
                return new SessionStatus(s, 0, 0, -1);
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = a.allocate(ValueLayout.JAVA_INT);
                MemorySegment err = a.allocate(ValueLayout.JAVA_INT);
                int rc = WdsTransportClientQueryStatus(handle, st, err);
                if (rc != ERROR_SUCCESS) {
                    return new SessionStatus(SessionStatus.State.FAILED, rc, bytesReceived, fileSize);
                }
                int status = st.get(ValueLayout.JAVA_INT, 0);
                SessionStatus.State state = status == WDS_TRANSPORTCLIENT_STATUS_SUCCESS() ? SessionStatus.State.SUCCEEDED
                        : status == WDS_TRANSPORTCLIENT_STATUS_FAILURE() ? SessionStatus.State.FAILED
                        : SessionStatus.State.IN_PROGRESS;
                return new SessionStatus(state, err.get(ValueLayout.JAVA_INT, 0), bytesReceived, fileSize);
            }
        }
    }

    /**
     * Frees the session. A running session is cancelled first, and this waits
     * until its completion callback has returned and its future has completed
     * (after the handler's onSuccess/onFailure); unreleased async blocks are
     * released. Idempotent.
     *
     * @throws IllegalStateException when called on the transport's callback
     *                               thread of this session (it would wait for itself)
     */
    @Override
    public void close() {
        if (Thread.currentThread() == callbackThread && !completeReturned) {
            throw new IllegalStateException("Session.close() on the session's own callback thread would deadlock;"
                    + " close it from another thread (e.g. when its future completes)");
        }
        if (Thread.currentThread() == finishingThread) {
            // A dependent stage of the future: another thread's close() may be waiting for this
            // very thread to finish; it frees everything, so do not wait for it here.
            if (!closeLock.tryLock()) {
                return;
            }
        } else {
            closeLock.lock();
        }
        try {
            boolean started;
            synchronized (lock) {
                if (phase == Phase.CLOSED) {
                    return;
                }
                started = nativeStarted;
            }
            if (started) {
                cancelNative(ERROR_CANCELLED);      // a no-op once complete
                int rc = WdsTransportClientWaitForCompletion(handle, -1);
                if (rc != ERROR_SUCCESS) {
                    LOG.log(System.Logger.Level.WARNING, "WaitForCompletion: {0}", Win32Error.nameOf(rc));
                }
                // WaitForCompletion returns once SessionComplete has returned; make sure our body has, too.
                while (!completeReturned) {
                    Thread.onSpinWait();
                }
                // The listener's onSuccess/onFailure and the future run on the executor; let them
                // finish, unless this is that very thread (a dependent stage closing the session).
                if (Thread.currentThread() != finishingThread) {
                    awaitFinished();
                }
            }
            for (Block b : outstanding) {
                b.release();
            }
            synchronized (lock) {
                if (phase == Phase.CLOSED) {
                    return;
                }
                phase = Phase.CLOSED;
                WdsTransportClientCloseSession(handle);
            }
            // No callback can run any more: SessionComplete returned (or never started) and the handle is closed.
            arena.close();
            client.closed(this);
        } finally {
            closeLock.unlock();
        }
    }

    private void awaitFinished() {
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        synchronized (lock) {
            return phase == Phase.CLOSED;
        }
    }

    @Override
    public String toString() {
        return "Session[" + request + "]";
    }

    // ---- internals -----------------------------------------------------------------------

    private void ensureOpen() {
        if (phase == Phase.CLOSED) {
            throw new IllegalStateException("session is closed");
        }
    }

    boolean onCallbackThread() {
        return Thread.currentThread() == callbackThread && !completeReturned;
    }

    /** Cancels the native session if it runs; never throws. */
    void cancelNative(int code) {
        synchronized (lock) {
            if (nativeStarted && phase == Phase.RUNNING) {
                int rc = code == ERROR_CANCELLED ? WdsTransportClientCancelSession(handle)
                        : WdsTransportClientCancelSessionEx(handle, code);
                if (rc != ERROR_SUCCESS) {
                    LOG.log(System.Logger.Level.DEBUG, "cancel: {0}", Win32Error.nameOf(rc));
                }
            }
        }
    }

    /** Called from Block.release(), on any thread. */
    void releaseBlock(Block b) {
        try {
            synchronized (lock) {
                if (phase != Phase.CLOSED) {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment off = a.allocate(ValueLayout.JAVA_LONG);
                        off.set(ValueLayout.JAVA_LONG, 0, b.offset());
                        int rc = WdsTransportClientCompleteReceive(handle, b.rawSize(), off);
                        if (rc != ERROR_SUCCESS && phase == Phase.RUNNING) {
                            fail(new WdsTransportException("WdsTransportClientCompleteReceive", rc), true);
                        }
                    }
                }
            }
        } finally {
            WdsTransportClientReleaseBuffer(b.buffer());
            outstanding.remove(b);
        }
    }

    /** Records the first failure and cancels the native session; never throws. */
    private void fail(Throwable t, boolean cancel) {
        if (failure.compareAndSet(null, t)) {
            // DEBUG, not WARNING: the exception reaches the caller through the future.
            LOG.log(System.Logger.Level.DEBUG, "session " + request + " failed in its handler; cancelling", t);
            if (cancel) {
                int rc = WdsTransportClientCancelSession(handle);
                if (rc != ERROR_SUCCESS) {
                    LOG.log(System.Logger.Level.DEBUG, "cancel after a handler failure: {0}", Win32Error.nameOf(rc));
                }
            }
        }
    }

    private void dispatch(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            Thread.ofVirtual().name("wdstci-complete").start(task);
        }
    }

    /** Runs on the executor once the transport reported completion. */
    private void finish(Throwable startFailure) {
        finishingThread = Thread.currentThread();
        try {
            finishOnce(startFailure);
        } finally {
            finishingThread = null;
            finished.countDown();
        }
    }

    private void finishOnce(Throwable startFailure) {
        Throwable cause = startFailure != null ? startFailure : failure.get();
        int code = resultCode;
        if (cause == null && code != ERROR_SUCCESS) {
            cause = new WdsTransportException("session", code);
        }
        if (cause == null && future.isDone()) {
            cause = new CancellationException("the session's future was completed before the transfer");
        }
        if (cause == null) {
            try {
                listener.onSuccess();
            } catch (Throwable t) {
                cause = t;
            }
        }
        if (cause != null) {
            try {
                listener.onFailure(cause);
            } catch (Throwable t) {
                if (t != cause) {
                    cause.addSuppressed(t);
                }
            }
        }
        synchronized (lock) {
            if (phase == Phase.RUNNING) {
                phase = Phase.COMPLETED;
            }
        }
        events(cause, code);
        if (cause == null) {
            LOG.log(System.Logger.Level.DEBUG, "received {0}: {1} bytes", request, bytesReceived);
            future.succeed();
        } else {
            LOG.log(System.Logger.Level.DEBUG, "session {0} failed: {1}", request, cause);
            future.failWith(cause);
        }
    }

    private void events(Throwable cause, int code) {
        if (completeEvent == null) {
            return;
        }
        if (cause == null) {
            completeEvent.end();
            if (completeEvent.shouldCommit()) {
                completeEvent.server = request.server();
                completeEvent.namespace = request.namespace();
                completeEvent.objectName = request.objectName();
                completeEvent.bytes = bytesReceived;
                completeEvent.commit();
            }
        } else {
            failedEvent.end();
            if (failedEvent.shouldCommit()) {
                failedEvent.server = request.server();
                failedEvent.namespace = request.namespace();
                failedEvent.objectName = request.objectName();
                failedEvent.bytes = bytesReceived;
                failedEvent.code = code;
                failedEvent.error = Win32Error.nameOf(code);
                failedEvent.cause = cause.toString();
                failedEvent.commit();
            }
        }
    }

    // ---- upcalls: each body catches Throwable; nothing escapes into native code -----------------

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PULARGE_INTEGER ullFileSize)
    private void onSessionStart(MemorySegment h, MemorySegment callerData, MemorySegment pFileSize) {
        try {
            callbackThread = Thread.currentThread();
            started(new StartInfo(EVERYTHING.get(ValueLayout.JAVA_LONG, pFileSize.address()), 0));
        } catch (Throwable t) {
            fail(t, true);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PTRANSPORTCLIENT_SESSION_INFO Info)
    private void onSessionStartEx(MemorySegment h, MemorySegment callerData, MemorySegment pInfo) {
        try {
            callbackThread = Thread.currentThread();
            started(startInfo(pInfo));
        } catch (Throwable t) {
            fail(t, true);
        }
    }

    private static StartInfo startInfo(MemorySegment pInfo) {
        MemorySegment info = pInfo.reinterpret(_TRANSPORTCLIENT_SESSION_INFO.sizeof());
        return new StartInfo(_TRANSPORTCLIENT_SESSION_INFO.ullFileSize(info).get(ValueLayout.JAVA_LONG, 0),
                _TRANSPORTCLIENT_SESSION_INFO.ulBlockSize(info));
    }

    private void started(StartInfo info) throws Exception {
        fileSize = info.fileSize();
        if (failure.get() == null) {
            listener.onStart(info);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PVOID pMetadata, ULONG ulSize)
    private void onReceiveMetadata(MemorySegment h, MemorySegment callerData, MemorySegment pMetadata, int size) {
        try {
            callbackThread = Thread.currentThread();
            if (failure.get() == null) {
                try (Arena call = Arena.ofConfined()) {
                    listener.onMetadata(pMetadata.reinterpret(Integer.toUnsignedLong(size), call, null).asReadOnly());
                }
            }
        } catch (Throwable t) {
            fail(t, true);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PTRANSPORTCLIENT_SESSION_INFO pInfo, HANDLE hNegotiateKey)
    private void onSessionNegotiate(MemorySegment h, MemorySegment callerData, MemorySegment pInfo, MemorySegment key) {
        try {
            callbackThread = Thread.currentThread();
            if (failure.get() == null) {
                StartInfo info = startInfo(pInfo);
                NegotiationImpl n = new NegotiationImpl(key, info.fileSize());
                try {
                    listener.onNegotiate(info, n);
                } finally {
                    n.active = false;
                }
            }
        } catch (Throwable t) {
            fail(t, true);
        }
    }

    private final class NegotiationImpl implements Negotiation {
        private final MemorySegment key;
        private final long size;
        private final Thread thread = Thread.currentThread();
        volatile boolean active = true;

        NegotiationImpl(MemorySegment key, long size) {
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
                check("WdsTransportClientNegotiateRequiredDataRange",
                        WdsTransportClientNegotiateRequiredDataRange(handle, key, s, l));
            }
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PVOID pContents, ULONG ulSize, PULARGE_INTEGER pullContentOffset)
    private void onReceiveContents(MemorySegment h, MemorySegment callerData, MemorySegment pContents, int size,
                                   MemorySegment pOffset) {
        boolean completed = false;
        try {
            if (failure.get() != null) {
                return;                       // cancelling: the finally completes the block
            }
            long offset = EVERYTHING.get(ValueLayout.JAVA_LONG, pOffset.address());
            if (sync != null) {
                try (Arena call = Arena.ofConfined()) {
                    sync.onContent(pContents.reinterpret(Integer.toUnsignedLong(size), call, null).asReadOnly(), offset);
                }
                bytesReceived += Integer.toUnsignedLong(size);
            } else {
                int rc = WdsTransportClientAddRefBuffer(pContents);
                if (rc != ERROR_SUCCESS) {
                    throw new WdsTransportException("WdsTransportClientAddRefBuffer", rc);
                }
                Block block;
                try {
                    block = new Block(this, pContents, offset, size);
                } catch (Throwable t) {
                    WdsTransportClientReleaseBuffer(pContents);
                    throw t;
                }
                outstanding.add(block);
                completed = true;             // from now on the block's release completes it
                bytesReceived += Integer.toUnsignedLong(size);
                try {
                    async.onBlock(block);
                } catch (Throwable t) {
                    block.release();
                    throw t;
                }
            }
        } catch (Throwable t) {
            fail(t, true);
        } finally {
            if (!completed) {
                try {
                    int rc = WdsTransportClientCompleteReceive(handle, size, pOffset);
                    if (rc != ERROR_SUCCESS) {
                        fail(new WdsTransportException("WdsTransportClientCompleteReceive", rc), true);
                    }
                } catch (Throwable t) {
                    fail(t, true);
                }
            }
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, DWORD dwError)
    private void onSessionComplete(MemorySegment h, MemorySegment callerData, int error) {
        try {
            callbackThread = Thread.currentThread();
            resultCode = error;
            dispatch(() -> finish(null));
        } catch (Throwable t) {
            // Not even a thread for the completion: complete here rather than never.
            try {
                failure.compareAndSet(null, t);
                finish(null);
            } catch (Throwable ignored) {
                // nothing more can be done on this thread
            }
        } finally {
            completeReturned = true;
        }
    }

    /**
     * The session's future: completed by the session; anyone else completing it
     * (cancel, orTimeout, complete) cancels the native session.
     */
    static final class SessionFuture extends Dependent<Void> {
        private final Session session;

        SessionFuture(Session session, Executor executor) {
            super(executor);
            this.session = session;
        }

        void succeed() {
            super.complete(null);
        }

        void failWith(Throwable t) {
            super.completeExceptionally(t);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean done = super.cancel(mayInterruptIfRunning);
            session.cancelNative(ERROR_CANCELLED);
            return done;
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            boolean done = super.completeExceptionally(ex);
            session.cancelNative(ex instanceof TimeoutException ? ERROR_TIMEOUT : ERROR_CANCELLED);
            return done;
        }

        @Override
        public boolean complete(Void value) {
            boolean done = super.complete(value);
            session.cancelNative(ERROR_CANCELLED);
            return done;
        }
    }

    /** Dependent stages: plain futures whose async stages default to the client's executor. */
    static class Dependent<T> extends CompletableFuture<T> {
        private final Executor executor;

        Dependent(Executor executor) {
            this.executor = executor;
        }

        @Override
        public Executor defaultExecutor() {
            return executor;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new Dependent<>(executor);
        }
    }
}
