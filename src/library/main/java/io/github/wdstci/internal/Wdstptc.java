package io.github.wdstci.internal;

import static io.github.wdstci.internal.ffi.wdstci_h.C_INT;
import static io.github.wdstci.internal.ffi.wdstci_h.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.wdstci.internal.ffi._ULARGE_INTEGER;

/**
 * The API's functions: the one binding of each, hand-written over the generated
 * layouts (jextract generates no function wrappers here, see
 * {@code jextract/wdstci.args}) and bound to the library {@link NativeLibrary}
 * opened. Descriptors are those of {@code headers/wdstci.h}; the ABI tests check
 * each against the header and the Windows SDK's declarations.
 *
 * <p>Each function's downcall handle is made on its first call, in a holder
 * class of its own named after the C function, as jextract's generated code
 * does: the JVM initialises the holder then, and the handle stays a
 * {@code static final} constant for the JIT, so the per-block calls
 * (CompleteReceive, AddRefBuffer, ReleaseBuffer) cost what they did when every
 * handle was made up front. A handle costs start-up time (the first of a
 * shape spins a class; a process that never cancels, queries or waits makes
 * none of those), so none is made before it is needed. That the twelve
 * functions every DLL exports are there is still checked when this class
 * initialises, by name only. The two that Vista-era DLLs lack, CancelSessionEx
 * and NegotiateRequiredDataRange, are looked up without failing:
 * {@link #hasCancelSessionEx()} and {@link #hasNegotiation()} say whether they
 * exist. Every method returns the function's Win32 code.
 */
public final class Wdstptc {

    /** {@code DWORD f(VOID)} etc.: the descriptor of each function, by name, in the header's order (NegotiateRequiredDataRange's is {@link NegotiateDescriptor}). */
    private static final Map<String, FunctionDescriptor> DESCRIPTORS = new LinkedHashMap<>();

    private static final String CANCEL_SESSION_EX = "WdsTransportClientCancelSessionEx";
    private static final String NEGOTIATE = "WdsTransportClientNegotiateRequiredDataRange";

    /** Whether the library exports the optional functions (a symbol lookup each, no handle). */
    private static final boolean HAS_CANCEL_SESSION_EX;
    private static final boolean HAS_NEGOTIATION;

    static {
        FunctionDescriptor dword = FunctionDescriptor.of(C_INT);
        FunctionDescriptor dwordHandle = FunctionDescriptor.of(C_INT, C_POINTER);
        DESCRIPTORS.put("WdsTransportClientInitialize", dword);
        DESCRIPTORS.put("WdsTransportClientInitializeSession", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER));
        DESCRIPTORS.put("WdsTransportClientRegisterCallback", FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
        DESCRIPTORS.put("WdsTransportClientStartSession", dwordHandle);
        DESCRIPTORS.put("WdsTransportClientCompleteReceive", FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
        DESCRIPTORS.put("WdsTransportClientCancelSession", dwordHandle);
        DESCRIPTORS.put("WdsTransportClientWaitForCompletion", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
        DESCRIPTORS.put("WdsTransportClientQueryStatus", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER));
        DESCRIPTORS.put("WdsTransportClientCloseSession", dwordHandle);
        DESCRIPTORS.put("WdsTransportClientAddRefBuffer", dwordHandle);
        DESCRIPTORS.put("WdsTransportClientReleaseBuffer", dwordHandle);
        DESCRIPTORS.put("WdsTransportClientShutdown", dword);
        DESCRIPTORS.put(CANCEL_SESSION_EX, FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
        DESCRIPTORS.put(NEGOTIATE, null);   // NegotiateDescriptor.DESC, made when first asked for

        // A DLL without one of the twelve is not one we can use: say so now, as when every
        // handle was made here, not at the first call of the missing function.
        NativeLibrary lib = NativeLibrary.load();
        List<String> missing = new ArrayList<>();
        for (String name : DESCRIPTORS.keySet()) {
            if (!name.equals(CANCEL_SESSION_EX) && !name.equals(NEGOTIATE) && lib.find(name).isEmpty()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new UnsatisfiedLinkError(lib.path() + " does not export " + String.join(", ", missing));
        }
        HAS_CANCEL_SESSION_EX = lib.find(CANCEL_SESSION_EX).isPresent();
        HAS_NEGOTIATION = lib.find(NEGOTIATE).isPresent();
    }

    private Wdstptc() {
    }

    /** The downcall handle of a function the library exports (checked when this class initialised). */
    private static MethodHandle downcall(String name) {
        NativeLibrary lib = NativeLibrary.load();
        MemorySegment address = lib.find(name).orElse(null);
        if (address == null) {
            throw new UnsatisfiedLinkError(lib.path() + " does not export " + name);
        }
        return Linker.nativeLinker().downcallHandle(address, descriptor(name));
    }

    /**
     * NegotiateRequiredDataRange's descriptor, made on first use: it passes two
     * ULARGE_INTEGERs by value, and the generated union's initialiser (layout paths
     * for each member) would otherwise cost every session's cold start.
     */
    private static final class NegotiateDescriptor {
        static final FunctionDescriptor DESC =
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, _ULARGE_INTEGER.layout(), _ULARGE_INTEGER.layout());
    }

    // ---- one holder per function: its handle is made when the function is first called ----

    private static final class WdsTransportClientInitialize {
        static final MethodHandle HANDLE = downcall("WdsTransportClientInitialize");
    }

    private static final class WdsTransportClientInitializeSession {
        static final MethodHandle HANDLE = downcall("WdsTransportClientInitializeSession");
    }

    private static final class WdsTransportClientRegisterCallback {
        static final MethodHandle HANDLE = downcall("WdsTransportClientRegisterCallback");
    }

    private static final class WdsTransportClientStartSession {
        static final MethodHandle HANDLE = downcall("WdsTransportClientStartSession");
    }

    private static final class WdsTransportClientCompleteReceive {
        static final MethodHandle HANDLE = downcall("WdsTransportClientCompleteReceive");
    }

    private static final class WdsTransportClientCancelSession {
        static final MethodHandle HANDLE = downcall("WdsTransportClientCancelSession");
    }

    private static final class WdsTransportClientWaitForCompletion {
        static final MethodHandle HANDLE = downcall("WdsTransportClientWaitForCompletion");
    }

    private static final class WdsTransportClientQueryStatus {
        static final MethodHandle HANDLE = downcall("WdsTransportClientQueryStatus");
    }

    private static final class WdsTransportClientCloseSession {
        static final MethodHandle HANDLE = downcall("WdsTransportClientCloseSession");
    }

    private static final class WdsTransportClientAddRefBuffer {
        static final MethodHandle HANDLE = downcall("WdsTransportClientAddRefBuffer");
    }

    private static final class WdsTransportClientReleaseBuffer {
        static final MethodHandle HANDLE = downcall("WdsTransportClientReleaseBuffer");
    }

    private static final class WdsTransportClientShutdown {
        static final MethodHandle HANDLE = downcall("WdsTransportClientShutdown");
    }

    /** Made only once {@link #cancelSessionEx} has checked that the library exports it. */
    private static final class WdsTransportClientCancelSessionEx {
        static final MethodHandle HANDLE = downcall(CANCEL_SESSION_EX);
    }

    /** Made only once {@link #negotiateRequiredDataRange} has checked that the library exports it. */
    private static final class WdsTransportClientNegotiateRequiredDataRange {
        static final MethodHandle HANDLE = downcall(NEGOTIATE);
    }

    /** {@return the descriptor of the function {@code name}, or null when it is not one of the API's} */
    public static FunctionDescriptor descriptor(String name) {
        return NEGOTIATE.equals(name) ? NegotiateDescriptor.DESC : DESCRIPTORS.get(name);
    }

    /** {@return the names of the API's functions, in the header's order} */
    public static java.util.Set<String> functions() {
        return java.util.Collections.unmodifiableSet(DESCRIPTORS.keySet());
    }

    /** Whether the library exports WdsTransportClientCancelSessionEx. */
    public static boolean hasCancelSessionEx() {
        return HAS_CANCEL_SESSION_EX;
    }

    /** Whether the library exports WdsTransportClientNegotiateRequiredDataRange. */
    public static boolean hasNegotiation() {
        return HAS_NEGOTIATION;
    }

    private static AssertionError unexpected(Throwable t) {
        return new AssertionError("a downcall cannot throw", t);
    }

    /** {@code DWORD WdsTransportClientInitialize(VOID)} */
    public static int initialize() {
        try {
            return (int) WdsTransportClientInitialize.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientInitializeSession(PWDS_TRANSPORTCLIENT_REQUEST, PVOID pCallerData, PHANDLE)} */
    public static int initializeSession(MemorySegment request, MemorySegment callerData, MemorySegment handleOut) {
        try {
            return (int) WdsTransportClientInitializeSession.HANDLE.invokeExact(request, callerData, handleOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientRegisterCallback(HANDLE, TRANSPORTCLIENT_CALLBACK_ID, PVOID pfnCallback)} */
    public static int registerCallback(MemorySegment session, int id, MemorySegment callback) {
        try {
            return (int) WdsTransportClientRegisterCallback.HANDLE.invokeExact(session, id, callback);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientStartSession(HANDLE)} */
    public static int startSession(MemorySegment session) {
        try {
            return (int) WdsTransportClientStartSession.HANDLE.invokeExact(session);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientCompleteReceive(HANDLE, ULONG ulSize, PULARGE_INTEGER pullOffset)} */
    public static int completeReceive(MemorySegment session, int size, MemorySegment offset) {
        try {
            return (int) WdsTransportClientCompleteReceive.HANDLE.invokeExact(session, size, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientCancelSession(HANDLE)} */
    public static int cancelSession(MemorySegment session) {
        try {
            return (int) WdsTransportClientCancelSession.HANDLE.invokeExact(session);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code DWORD WdsTransportClientCancelSessionEx(HANDLE, DWORD dwErrorCode)}.
     *
     * @throws UnsupportedOperationException when the library lacks it ({@link #hasCancelSessionEx()})
     */
    public static int cancelSessionEx(MemorySegment session, int errorCode) {
        if (!HAS_CANCEL_SESSION_EX) {
            throw new UnsupportedOperationException(NativeLibrary.load().path() + " does not export " + CANCEL_SESSION_EX);
        }
        try {
            return (int) WdsTransportClientCancelSessionEx.HANDLE.invokeExact(session, errorCode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientWaitForCompletion(HANDLE, ULONG uTimeout)} */
    public static int waitForCompletion(MemorySegment session, int timeoutMillis) {
        try {
            return (int) WdsTransportClientWaitForCompletion.HANDLE.invokeExact(session, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientQueryStatus(HANDLE, PULONG puStatus, PULONG puErrorCode)} */
    public static int queryStatus(MemorySegment session, MemorySegment status, MemorySegment errorCode) {
        try {
            return (int) WdsTransportClientQueryStatus.HANDLE.invokeExact(session, status, errorCode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientCloseSession(HANDLE)} */
    public static int closeSession(MemorySegment session) {
        try {
            return (int) WdsTransportClientCloseSession.HANDLE.invokeExact(session);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientAddRefBuffer(PVOID pvBuffer)} */
    public static int addRefBuffer(MemorySegment buffer) {
        try {
            return (int) WdsTransportClientAddRefBuffer.HANDLE.invokeExact(buffer);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientReleaseBuffer(PVOID pvBuffer)} */
    public static int releaseBuffer(MemorySegment buffer) {
        try {
            return (int) WdsTransportClientReleaseBuffer.HANDLE.invokeExact(buffer);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientShutdown(VOID)} */
    public static int shutdown() {
        try {
            return (int) WdsTransportClientShutdown.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code DWORD WdsTransportClientNegotiateRequiredDataRange(HANDLE, HANDLE hNegotiateKey,
     * ULARGE_INTEGER ullDataRangeStart, ULARGE_INTEGER ullDataRangeSize)}; the two
     * ranges are passed by value, read from 8-byte segments.
     *
     * @throws UnsupportedOperationException when the library lacks it ({@link #hasNegotiation()})
     */
    public static int negotiateRequiredDataRange(MemorySegment session, MemorySegment key, MemorySegment start,
                                                 MemorySegment size) {
        if (!HAS_NEGOTIATION) {
            throw new UnsupportedOperationException(NativeLibrary.load().path() + " does not export " + NEGOTIATE);
        }
        try {
            return (int) WdsTransportClientNegotiateRequiredDataRange.HANDLE.invokeExact(session, key, start, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
