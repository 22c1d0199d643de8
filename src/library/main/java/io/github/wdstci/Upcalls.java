package io.github.wdstci;

import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_RECEIVE_METADATA;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_COMPLETE;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_START;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_STARTEX;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.github.wdstci.internal.SessionRegistry;
import io.github.wdstci.internal.Wdstptc;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveContents;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveMetadata;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionComplete;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionNegotiate;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStart;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStartEx;

/**
 * The native entry points: one upcall stub per callback type, made once per
 * process (per class loader) in the global arena and shared by every session.
 * A stub is never freed, so no callback, however late, can jump into freed
 * code, and a session costs no stub creation. Each callback finds its session
 * through {@code pCallerData}, the session's {@link SessionRegistry} key.
 *
 * <p>Every entry point is total: nothing escapes into native code. The rare
 * callbacks go through {@link #guarded}; the content callback, once per block,
 * has the same guard written inline.
 */
final class Upcalls {

    private static final System.Logger LOG = System.getLogger("io.github.wdstci.Session");

    /** Live sessions' deliveries by {@code pCallerData}; a session leaves when it closes. */
    static final SessionRegistry<Delivery> SESSIONS = new SessionRegistry<>();

    private static final MemorySegment SESSION_START =
            PFN_WdsTransportClientSessionStart.allocate(Upcalls::onSessionStart, Arena.global());
    private static final MemorySegment SESSION_START_EX =
            PFN_WdsTransportClientSessionStartEx.allocate(Upcalls::onSessionStartEx, Arena.global());
    private static final MemorySegment RECEIVE_METADATA =
            PFN_WdsTransportClientReceiveMetadata.allocate(Upcalls::onReceiveMetadata, Arena.global());
    private static final MemorySegment RECEIVE_CONTENTS =
            PFN_WdsTransportClientReceiveContents.allocate(Upcalls::onReceiveContents, Arena.global());
    private static final MemorySegment SESSION_COMPLETE =
            PFN_WdsTransportClientSessionComplete.allocate(Upcalls::onSessionComplete, Arena.global());

    /** The negotiate stub, made on first use: few sessions negotiate, and a stub costs cold start. */
    private static final class Negotiate {
        static final MemorySegment STUB =
                PFN_WdsTransportClientSessionNegotiate.allocate(Upcalls::onSessionNegotiate, Arena.global());
    }

    private Upcalls() {
    }

    /**
     * Registers the callbacks of a new session: the three the documentation
     * requires (SessionStart, ReceiveContents, SessionComplete) always;
     * SessionStartEx (for the block size) and ReceiveMetadata when the library
     * accepts them; SessionNegotiate when the listener opts in and the library
     * exports NegotiateRequiredDataRange.
     */
    static void register(NativeSession nat, Delivery delivery, boolean negotiates) throws WdsTransportException {
        required(nat, WDS_TRANSPORTCLIENT_SESSION_START(), SESSION_START, "SESSION_START");
        required(nat, WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(), RECEIVE_CONTENTS, "RECEIVE_CONTENTS");
        required(nat, WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), SESSION_COMPLETE, "SESSION_COMPLETE");
        delivery.startExRegistered(optional(nat, WDS_TRANSPORTCLIENT_SESSION_STARTEX(), SESSION_START_EX, "SESSION_STARTEX"));
        optional(nat, WDS_TRANSPORTCLIENT_RECEIVE_METADATA(), RECEIVE_METADATA, "RECEIVE_METADATA");
        if (negotiates && Wdstptc.hasNegotiation()) {
            required(nat, WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE(), Negotiate.STUB, "SESSION_NEGOTIATE");
        }
    }

    private static void required(NativeSession nat, int id, MemorySegment stub, String name) throws WdsTransportException {
        WdsTransportException.check("WdsTransportClientRegisterCallback(" + name + ")", nat.register(id, stub));
    }

    private static boolean optional(NativeSession nat, int id, MemorySegment stub, String name) {
        int rc = nat.register(id, stub);
        if (rc != 0) {
            LOG.log(System.Logger.Level.DEBUG, "{0} refused: {1}", name, Win32Error.nameOf(rc));
        }
        return rc == 0;
    }

    // ---- the guard ------------------------------------------------------------------------

    @FunctionalInterface
    private interface Body {
        void run(Delivery d) throws Throwable;
    }

    /** Finds the session and runs {@code body}; whatever it throws fails the session. */
    private static void guarded(MemorySegment callerData, String callback, Body body) {
        Delivery d = null;
        try {
            d = SESSIONS.get(callerData.address());
            if (d == null) {
                LOG.log(System.Logger.Level.WARNING, "{0} for an unknown session (pCallerData {1}); ignored",
                        callback, callerData.address());
                return;
            }
            body.run(d);
        } catch (Throwable t) {
            failed(d, t);
        }
    }

    /** Fails the session with {@code t}; never throws (it runs inside an upcall). */
    private static void failed(Delivery d, Throwable t) {
        try {
            if (d != null) {
                d.fail(t);
            }
        } catch (Throwable ignored) {
            // nothing more can be done on a native thread
        }
    }

    // ---- the entry points, one per PFN_ type ----------------------------------------------------

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PULARGE_INTEGER ullFileSize)
    private static void onSessionStart(MemorySegment hSessionKey, MemorySegment pCallerData, MemorySegment ullFileSize) {
        guarded(pCallerData, "SessionStart", d -> d.sessionStart(ullFileSize));
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PTRANSPORTCLIENT_SESSION_INFO Info)
    private static void onSessionStartEx(MemorySegment hSessionKey, MemorySegment pCallerData, MemorySegment info) {
        guarded(pCallerData, "SessionStartEx", d -> d.sessionStartEx(info));
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PVOID pMetadata, ULONG ulSize)
    private static void onReceiveMetadata(MemorySegment hSessionKey, MemorySegment pCallerData, MemorySegment pMetadata,
                                          int ulSize) {
        guarded(pCallerData, "ReceiveMetadata", d -> d.metadata(pMetadata, ulSize));
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PTRANSPORTCLIENT_SESSION_INFO pInfo, HANDLE hNegotiateKey)
    private static void onSessionNegotiate(MemorySegment hSessionKey, MemorySegment pCallerData, MemorySegment pInfo,
                                           MemorySegment hNegotiateKey) {
        guarded(pCallerData, "SessionNegotiate", d -> d.negotiate(hSessionKey, pInfo, hNegotiateKey));
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PVOID pContents, ULONG ulSize, PULARGE_INTEGER pullContentOffset)
    private static void onReceiveContents(MemorySegment hSessionKey, MemorySegment pCallerData, MemorySegment pContents,
                                          int ulSize, MemorySegment pullContentOffset) {
        Delivery d = null;
        try {
            d = SESSIONS.get(pCallerData.address());
            if (d == null) {
                // Nobody to give it to; complete it so that the transport does not stall on it.
                Wdstptc.completeReceive(hSessionKey, ulSize, pullContentOffset);
                return;
            }
            d.contents(hSessionKey, pContents, ulSize, pullContentOffset);
        } catch (Throwable t) {
            failed(d, t);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, DWORD dwError)
    private static void onSessionComplete(MemorySegment hSessionKey, MemorySegment pCallerData, int dwError) {
        guarded(pCallerData, "SessionComplete", d -> d.sessionComplete(dwError));
    }
}
