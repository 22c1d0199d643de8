package io.github.wdstci;

import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_CURRENT_API_VERSION;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_STATUS_FAILURE;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_STATUS_SUCCESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.wdstci.internal.Utf16;
import io.github.wdstci.internal.Wdstptc;
import io.github.wdstci.internal.ffi._WDS_TRANSPORTCLIENT_REQUEST;

/**
 * One native session: its handle, the request memory, and typed downcalls.
 *
 * <p><b>The handle's lifetime.</b> CloseSession frees the handle, and the API
 * forbids any later use of it. Calls from Java threads (start, cancel, complete
 * a kept block, query the status) therefore run under a <em>lease</em>: a count
 * of calls in flight, taken under {@link #lock} only to change the count, never
 * during the native call. {@link #close()} marks the handle closed (no new
 * lease), waits until the calls in flight have returned (short native calls,
 * and StartSession, whose callbacks never wait for a closer), then calls
 * CloseSession. Calls from inside
 * a callback use the handle the callback was given and need no lease: the
 * session closes the handle only after its last callback has returned.
 *
 * <p><b>Memory.</b> The request struct and its UTF-16 names live in an
 * automatic arena held by this object: the API leaves undocumented whether a
 * DLL reads them after InitializeSession, so they stay reachable until the
 * session is closed. The upcall stubs are not here: they are shared by every
 * session and never freed ({@link Upcalls}).
 */
final class NativeSession {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    static final int ERROR_SUCCESS = 0;
    static final int ERROR_INVALID_HANDLE = 6;
    static final int ERROR_CANCELLED = 1223;
    static final int ERROR_TIMEOUT = 1460;

    /** One scratch word per thread for CompleteReceive's {@code PULARGE_INTEGER}, instead of an arena per call. */
    private static final ThreadLocal<MemorySegment> OFFSET_SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));

    private final MemorySegment handle;
    private final MemorySegment request;              // kept reachable until close
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int leases;                               // guarded by lock
    private boolean closed;                           // guarded by lock

    private NativeSession(MemorySegment handle, MemorySegment request) {
        this.handle = handle;
        this.request = request;
    }

    /**
     * InitializeSession for {@code r}, with {@code callerData} as the key the
     * callbacks hand back.
     */
    static NativeSession initialize(TransferRequest r, long callerData) throws WdsTransportException {
        Arena arena = Arena.ofAuto();
        MemorySegment req = _WDS_TRANSPORTCLIENT_REQUEST.allocate(arena);
        _WDS_TRANSPORTCLIENT_REQUEST.ulLength(req, (int) _WDS_TRANSPORTCLIENT_REQUEST.sizeof());
        _WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion(req, WDS_TRANSPORTCLIENT_CURRENT_API_VERSION());
        _WDS_TRANSPORTCLIENT_REQUEST.ulAuthLevel(req, r.authLevel().code());
        _WDS_TRANSPORTCLIENT_REQUEST.pwszServer(req, Utf16.allocate(arena, r.server()));
        _WDS_TRANSPORTCLIENT_REQUEST.pwszNamespace(req, Utf16.allocate(arena, r.namespace()));
        _WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(req, Utf16.allocate(arena, r.objectName()));
        _WDS_TRANSPORTCLIENT_REQUEST.ulCacheSize(req, (int) r.cacheSize());
        _WDS_TRANSPORTCLIENT_REQUEST.ulProtocol(req, r.protocol().code());
        _WDS_TRANSPORTCLIENT_REQUEST.pvProtocolData(req, MemorySegment.NULL);
        _WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength(req, 0);
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        check("WdsTransportClientInitializeSession",
                Wdstptc.initializeSession(req, MemorySegment.ofAddress(callerData), out));
        return new NativeSession(out.get(ValueLayout.ADDRESS, 0), req);
    }

    static void check(String function, int rc) throws WdsTransportException {
        if (rc != ERROR_SUCCESS) {
            throw new WdsTransportException(function, rc);
        }
    }

    /** RegisterCallback; before StartSession only, so no lease is needed. */
    int register(int id, MemorySegment stub) {
        return Wdstptc.registerCallback(handle, id, stub);
    }

    /**
     * StartSession, under a lease: callbacks may run, and even complete the
     * session, before it returns, and the DLL may use the session until it
     * returns, so a close (on the executor, once the session has finished)
     * waits for the return. The callbacks it may run never wait for the
     * closer: the session's end is dispatched off the transport's threads.
     */
    int start() {
        if (!lease()) {
            return ERROR_INVALID_HANDLE;          // not reached: a session is closed only once started or abandoned
        }
        try {
            return Wdstptc.startSession(handle);
        } finally {
            unlease();
        }
    }

    private boolean lease() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            leases++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void unlease() {
        lock.lock();
        try {
            if (--leases == 0 && closed) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels the session: CancelSessionEx with {@code code} when the library has
     * it and the code is not ERROR_CANCELLED, else CancelSession. Does nothing once
     * the handle is closed; never throws.
     */
    void cancel(int code) {
        if (!lease()) {
            return;
        }
        try {
            int rc = code != ERROR_CANCELLED && Wdstptc.hasCancelSessionEx()
                    ? Wdstptc.cancelSessionEx(handle, code)
                    : Wdstptc.cancelSession(handle);
            if (rc != ERROR_SUCCESS) {
                LOG.log(System.Logger.Level.DEBUG, "cancel: {0}", Win32Error.nameOf(rc));
            }
        } finally {
            unlease();
        }
    }

    /**
     * CompleteReceive for a block kept past its callback, from any thread.
     *
     * @return the Win32 code, or ERROR_SUCCESS without a call once the handle is
     *         closed (the transport no longer counts the block then)
     */
    int completeReceive(int size, long offset) {
        if (!lease()) {
            return ERROR_SUCCESS;
        }
        try {
            MemorySegment off = OFFSET_SCRATCH.get();
            off.set(ValueLayout.JAVA_LONG, 0, offset);
            return Wdstptc.completeReceive(handle, size, off);
        } finally {
            unlease();
        }
    }

    /** QueryStatus; null once the handle is closed. */
    SessionStatus status(long bytes, long fileSize) {
        if (!lease()) {
            return null;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment err = a.allocate(ValueLayout.JAVA_INT);
            int rc = Wdstptc.queryStatus(handle, st, err);
            if (rc != ERROR_SUCCESS) {
                return new SessionStatus(SessionStatus.State.FAILED, rc, bytes, fileSize);
            }
            int status = st.get(ValueLayout.JAVA_INT, 0);
            SessionStatus.State state = status == WDS_TRANSPORTCLIENT_STATUS_SUCCESS() ? SessionStatus.State.SUCCEEDED
                    : status == WDS_TRANSPORTCLIENT_STATUS_FAILURE() ? SessionStatus.State.FAILED
                    : SessionStatus.State.IN_PROGRESS;
            return new SessionStatus(state, err.get(ValueLayout.JAVA_INT, 0), bytes, fileSize);
        } finally {
            unlease();
        }
    }

    /**
     * CloseSession, once; later calls do nothing. The caller guarantees that no
     * callback runs or will run (the session never started, or its
     * SessionComplete has returned). Waits only for downcalls in flight on
     * other threads, which are short and never wait for Java code.
     */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            boolean interrupted = false;
            while (leases > 0) {
                try {
                    idle.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            lock.unlock();
        }
        int rc = Wdstptc.closeSession(handle);
        if (rc != ERROR_SUCCESS) {
            LOG.log(System.Logger.Level.WARNING, "WdsTransportClientCloseSession: {0}", Win32Error.nameOf(rc));
        }
        Reference.reachabilityFence(request);
    }
}
