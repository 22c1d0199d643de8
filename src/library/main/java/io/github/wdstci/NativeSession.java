package io.github.wdstci;

import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_CURRENT_API_VERSION;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

import io.github.wdstci.internal.StartPath;
import io.github.wdstci.internal.Utf16;
import io.github.wdstci.internal.Wdstptc;

/**
 * One native session over the DLL: its handle, the request memory, and the downcalls
 * a {@link Lifecycle} makes ({@link NativeSide}). It keeps no state of the lifecycle:
 * when it may call what is the lifecycle's to decide (leases keep Java threads' calls
 * off a closed handle).
 *
 * <p><b>Memory.</b> The request struct and its UTF-16 names live in an automatic arena
 * held by this object: the API leaves undocumented whether a DLL reads them after
 * InitializeSession, so they stay reachable until CloseSession. The upcall stubs are
 * not here: they are shared by every session and never freed ({@link Upcalls}).
 */
final class NativeSession implements NativeSide {

    /** One scratch word per thread for CompleteReceive's {@code PULARGE_INTEGER}, instead of an arena per call. */
    private static final ThreadLocal<MemorySegment> OFFSET_SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));

    private final MemorySegment handle;
    private final MemorySegment request;              // kept reachable until CloseSession

    private NativeSession(MemorySegment handle, MemorySegment request) {
        this.handle = handle;
        this.request = request;
    }

    /**
     * InitializeSession for {@code r}, with {@code callerData} as the key the callbacks hand back.
     * The request is written at {@link StartPath}'s offsets, not through the generated
     * {@code _WDS_TRANSPORTCLIENT_REQUEST}: that is the same layout at a fraction of the cold start.
     */
    static NativeSession initialize(TransferRequest r, long callerData) throws WdsTransportException {
        Arena arena = Arena.ofAuto();
        MemorySegment req = arena.allocate(StartPath.REQUEST_SIZE, StartPath.REQUEST_ALIGNMENT);
        req.set(ValueLayout.JAVA_INT, StartPath.REQUEST_LENGTH, (int) StartPath.REQUEST_SIZE);
        req.set(ValueLayout.JAVA_INT, StartPath.REQUEST_API_VERSION, WDS_TRANSPORTCLIENT_CURRENT_API_VERSION());
        req.set(ValueLayout.JAVA_INT, StartPath.REQUEST_AUTH_LEVEL, r.authLevel().code());
        StartPath.setPointer(req, StartPath.REQUEST_SERVER, Utf16.allocate(arena, r.server()));
        StartPath.setPointer(req, StartPath.REQUEST_NAMESPACE, Utf16.allocate(arena, r.namespace()));
        StartPath.setPointer(req, StartPath.REQUEST_OBJECT_NAME, Utf16.allocate(arena, r.objectName()));
        req.set(ValueLayout.JAVA_INT, StartPath.REQUEST_CACHE_SIZE, (int) r.cacheSize());
        req.set(ValueLayout.JAVA_INT, StartPath.REQUEST_PROTOCOL, r.protocol().code());
        // pvProtocolData NULL and ulProtocolDataLength 0: allocate() zeroes
        MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
        WdsTransportException.check("WdsTransportClientInitializeSession",
                Wdstptc.initializeSession(req, MemorySegment.ofAddress(callerData), out));
        return new NativeSession(StartPath.getPointer(out, 0), req);
    }

    /** RegisterCallback; before StartSession only. */
    int register(int id, MemorySegment stub) {
        return Wdstptc.registerCallback(handle, id, stub);
    }

    @Override
    public int start() {
        return Wdstptc.startSession(handle);
    }

    @Override
    public int cancel() {
        return Wdstptc.cancelSession(handle);
    }

    @Override
    public boolean hasCancelEx() {
        return Wdstptc.hasCancelSessionEx();
    }

    @Override
    public int cancelEx(int code) {
        return Wdstptc.cancelSessionEx(handle, code);
    }

    @Override
    public int completeReceive(int size, long offset) {
        MemorySegment off = OFFSET_SCRATCH.get();
        off.set(ValueLayout.JAVA_LONG, 0, offset);
        return Wdstptc.completeReceive(handle, size, off);
    }

    @Override
    public int close() {
        int rc = Wdstptc.closeSession(handle);
        Reference.reachabilityFence(request);
        return rc;
    }
}
