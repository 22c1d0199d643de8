package io.github.wdstci.bench;

import static io.github.wdstci.internal.ffi.wdstci_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;

import io.github.wdstci.internal.Wdstptc;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveContents;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionComplete;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStart;

/**
 * One session on the raw FFM stubs: what a Java consumer on FFM pays without
 * the Session API's bookkeeping. Upcall bodies catch everything; the arena
 * (stubs, request) closes after WaitForCompletion and CloseSession.
 */
final class FfmRawSession {

    private static final int ERROR_CANCELLED = 1223;

    private final boolean touch;
    private final BlockProbe probe;
    private Arena arena;
    private MemorySegment handle;
    private long sum;
    private long blocks;
    private volatile Throwable error;
    private volatile int result = -1;
    private final CountDownLatch completed = new CountDownLatch(1);

    FfmRawSession(boolean touch) {
        this(touch, null);
    }

    FfmRawSession(boolean touch, BlockProbe probe) {
        this.touch = touch;
        this.probe = probe;
    }

    /** Receives the object; returns the checksum (touch) or the block count. */
    long run(String object, int cacheSize) {
        start(object, cacheSize);
        return finish(true);
    }

    void start(String object, int cacheSize) {
        arena = Arena.ofShared();
        try {
            MemorySegment handleOut = arena.allocate(ValueLayout.ADDRESS);
            Standin.check("InitializeSession", Wdstptc.initializeSession(
                    Standin.request(arena, object, cacheSize), MemorySegment.NULL, handleOut));
            handle = handleOut.get(ValueLayout.ADDRESS, 0);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        try {
            Standin.check("RegisterCallback", Wdstptc.registerCallback(handle,
                    WDS_TRANSPORTCLIENT_SESSION_START(),
                    PFN_WdsTransportClientSessionStart.allocate(this::onSessionStart, arena)));
            Standin.check("RegisterCallback", Wdstptc.registerCallback(handle,
                    WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(),
                    PFN_WdsTransportClientReceiveContents.allocate(this::onReceiveContents, arena)));
            Standin.check("RegisterCallback", Wdstptc.registerCallback(handle,
                    WDS_TRANSPORTCLIENT_SESSION_COMPLETE(),
                    PFN_WdsTransportClientSessionComplete.allocate(this::onSessionComplete, arena)));
            Standin.check("StartSession", Wdstptc.startSession(handle));
        } catch (RuntimeException e) {
            Wdstptc.closeSession(handle);       // never started: no callback can come
            arena.close();
            throw e;
        }
    }

    void cancel() {
        Wdstptc.cancelSession(handle);
    }

    /** Waits for completion, closes, frees the stubs; {@code expectSuccess}: else a cancel is fine too. */
    long finish(boolean expectSuccess) {
        try {
            // SessionComplete first, then WaitForCompletion (which returns at once): see Standin.awaitCompletion
            Standin.awaitCompletion(completed);
            Standin.check("WaitForCompletion", Wdstptc.waitForCompletion(handle, Standin.INFINITE));
        } finally {
            Wdstptc.closeSession(handle);
            arena.close();
        }
        if (error != null) {
            throw new IllegalStateException("a callback failed", error);
        }
        if (expectSuccess || result != ERROR_CANCELLED) {
            Standin.check("session", result);
        }
        return touch ? sum : blocks;
    }

    // void SessionStart(HANDLE hSessionKey, PVOID pCallerData, PULARGE_INTEGER FileSize)
    private void onSessionStart(MemorySegment h, MemorySegment callerData, MemorySegment fileSize) {
    }

    // void ReceiveContents(HANDLE hSessionKey, PVOID pCallerData, PVOID pContents, ULONG ulSize,
    //                      PULARGE_INTEGER pullContentOffset)
    private void onReceiveContents(MemorySegment h, MemorySegment callerData, MemorySegment pContents, int ulSize,
                                   MemorySegment pullContentOffset) {
        try {
            if (probe != null) {
                probe.onBlock();
            }
            if (touch) {
                sum += Standin.sum(pContents.reinterpret(Integer.toUnsignedLong(ulSize)));
            }
            blocks++;
            Wdstptc.completeReceive(h, ulSize, pullContentOffset);
        } catch (Throwable t) {
            error = t;
            Wdstptc.cancelSession(h);
        }
    }

    // void SessionComplete(HANDLE hSessionKey, PVOID pCallerData, DWORD dwError)
    private void onSessionComplete(MemorySegment h, MemorySegment callerData, int dwError) {
        result = dwError;
        completed.countDown();
    }
}
