package io.github.wdstci;

import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_RECEIVE_METADATA;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_COMPLETE;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_START;
import static io.github.wdstci.internal.ffi.wdstci_h.WDS_TRANSPORTCLIENT_SESSION_STARTEX;
import static io.github.wdstci.internal.ffi.wdstci_h.C_INT;
import static io.github.wdstci.internal.ffi.wdstci_h.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import io.github.wdstci.internal.SessionRegistry;
import io.github.wdstci.internal.Wdstptc;

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

    // The descriptors of the PFN_ types (wdstci.h), written out as Wdstptc writes the
    // functions' (UpcallsTest checks each against the generated PFN_ class): the generated
    // PFN_*.allocate would also make, in each class's initialiser, a downcall handle for
    // calling such a pointer, which we never do, and spin a lambda class per callback.

    /** {@code PFN_WdsTransportClientSessionStart}, and {@code ...SessionStartEx}: three pointers. */
    static final FunctionDescriptor SESSION_START_DESC = FunctionDescriptor.ofVoid(C_POINTER, C_POINTER, C_POINTER);
    /** {@code PFN_WdsTransportClientReceiveMetadata} */
    static final FunctionDescriptor RECEIVE_METADATA_DESC = FunctionDescriptor.ofVoid(C_POINTER, C_POINTER, C_POINTER, C_INT);
    /** {@code PFN_WdsTransportClientReceiveContents} */
    static final FunctionDescriptor RECEIVE_CONTENTS_DESC =
            FunctionDescriptor.ofVoid(C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER);
    /** {@code PFN_WdsTransportClientSessionComplete} */
    static final FunctionDescriptor SESSION_COMPLETE_DESC = FunctionDescriptor.ofVoid(C_POINTER, C_POINTER, C_INT);

    private static final MemorySegment SESSION_START = stub("onSessionStart", SESSION_START_DESC);
    private static final MemorySegment SESSION_START_EX = stub("onSessionStartEx", SESSION_START_DESC);
    private static final MemorySegment RECEIVE_CONTENTS = stub("onReceiveContents", RECEIVE_CONTENTS_DESC);
    private static final MemorySegment SESSION_COMPLETE = stub("onSessionComplete", SESSION_COMPLETE_DESC);

    /** The metadata stub, made on first use: only a listener that overrides onMetadata hears metadata. */
    static final class Metadata {
        static final MemorySegment STUB = stub("onReceiveMetadata", RECEIVE_METADATA_DESC);
    }

    /** The negotiate stub, made on first use: few sessions negotiate, and a stub costs cold start. */
    static final class Negotiate {
        /** {@code PFN_WdsTransportClientSessionNegotiate} */
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MemorySegment STUB = stub("onSessionNegotiate", DESC);
    }

    private Upcalls() {
    }

    /**
     * An upcall stub, in the global arena, calling the static method {@code name} of this
     * class directly (no functional interface, no bound handle in between).
     */
    private static MemorySegment stub(String name, FunctionDescriptor desc) {
        try {
            return Linker.nativeLinker().upcallStub(
                    MethodHandles.lookup().findStatic(Upcalls.class, name, desc.toMethodType()), desc, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no entry point " + name + desc.toMethodType(), e);
        }
    }

    /**
     * Registers the callbacks of a new session: the three the documentation
     * requires (SessionStart, ReceiveContents, SessionComplete) always;
     * SessionStartEx (for the block size) when the library accepts it;
     * ReceiveMetadata, which the documentation makes optional, when the listener
     * overrides {@link SessionListener#onMetadata} (whose default ignores it) and
     * the library accepts it; SessionNegotiate when the listener opts in and the
     * library exports NegotiateRequiredDataRange. A callback not registered costs
     * no upcall stub, and the first stub of each shape costs milliseconds of a
     * cold start.
     */
    static void register(NativeSession nat, Delivery delivery, SessionListener listener) throws WdsTransportException {
        required(nat, WDS_TRANSPORTCLIENT_SESSION_START(), SESSION_START, "SESSION_START");
        required(nat, WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(), RECEIVE_CONTENTS, "RECEIVE_CONTENTS");
        required(nat, WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), SESSION_COMPLETE, "SESSION_COMPLETE");
        delivery.startExRegistered(optional(nat, WDS_TRANSPORTCLIENT_SESSION_STARTEX(), SESSION_START_EX, "SESSION_STARTEX"));
        if (hearsMetadata(listener)) {
            optional(nat, WDS_TRANSPORTCLIENT_RECEIVE_METADATA(), Metadata.STUB, "RECEIVE_METADATA");
        }
        if (listener.negotiates() && Wdstptc.hasNegotiation()) {
            required(nat, WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE(), Negotiate.STUB, "SESSION_NEGOTIATE");
        }
    }

    /**
     * Whether {@code listener} overrides {@link SessionListener#onMetadata}, whose default
     * does nothing; true when that cannot be told (reflection on a class whose public
     * methods name a class that is missing fails), so that no metadata is ever lost.
     */
    static boolean hearsMetadata(SessionListener listener) {
        try {
            return listener.getClass().getMethod("onMetadata", MemorySegment.class).getDeclaringClass()
                    != SessionListener.class;
        } catch (NoSuchMethodException | LinkageError | RuntimeException e) {
            return true;
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
