package io.github.wdstci.internal;

import static io.github.wdstci.internal.ffi.wdstci_h.C_INT;
import static io.github.wdstci.internal.ffi.wdstci_h.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.wdstci.internal.ffi._ULARGE_INTEGER;

/**
 * The API's functions: the one binding of each, hand-written over the generated
 * layouts (jextract generates no function wrappers here, see
 * {@code jextract/wdstci.args}) and bound to the library {@link NativeLibrary}
 * opened. Descriptors are those of {@code headers/wdstci.h}; the ABI tests check
 * each against the header and the Windows SDK's declarations.
 *
 * <p>The twelve functions every DLL exports are bound when this class
 * initialises. The two that Vista-era DLLs lack, CancelSessionEx and
 * NegotiateRequiredDataRange, are looked up without failing: {@link #hasCancelSessionEx()}
 * and {@link #hasNegotiation()} say whether they exist. Every method returns
 * the function's Win32 code.
 */
public final class Wdstptc {

    /** {@code DWORD f(VOID)} etc.: the descriptor of each function, by name. */
    static final Map<String, FunctionDescriptor> DESCRIPTORS = new LinkedHashMap<>();

    private static final MethodHandle INITIALIZE = required("WdsTransportClientInitialize", FunctionDescriptor.of(C_INT));
    private static final MethodHandle INITIALIZE_SESSION = required("WdsTransportClientInitializeSession",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle REGISTER_CALLBACK = required("WdsTransportClientRegisterCallback",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle START_SESSION = required("WdsTransportClientStartSession",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle COMPLETE_RECEIVE = required("WdsTransportClientCompleteReceive",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle CANCEL_SESSION = required("WdsTransportClientCancelSession",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle WAIT_FOR_COMPLETION = required("WdsTransportClientWaitForCompletion",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle QUERY_STATUS = required("WdsTransportClientQueryStatus",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle CLOSE_SESSION = required("WdsTransportClientCloseSession",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle ADD_REF_BUFFER = required("WdsTransportClientAddRefBuffer",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle RELEASE_BUFFER = required("WdsTransportClientReleaseBuffer",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle SHUTDOWN = required("WdsTransportClientShutdown", FunctionDescriptor.of(C_INT));

    /** Absent from the Vista-era DLL; null then. */
    private static final MethodHandle CANCEL_SESSION_EX = optional("WdsTransportClientCancelSessionEx",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    /** Declared by the current SDK, exported by no DLL known to win32metadata; null when absent. */
    private static final MethodHandle NEGOTIATE = optional("WdsTransportClientNegotiateRequiredDataRange",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, _ULARGE_INTEGER.layout(), _ULARGE_INTEGER.layout()));

    private Wdstptc() {
    }

    private static MethodHandle required(String name, FunctionDescriptor d) {
        DESCRIPTORS.put(name, d);
        NativeLibrary lib = NativeLibrary.load();
        return Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError(lib.path() + " does not export " + name)), d);
    }

    private static MethodHandle optional(String name, FunctionDescriptor d) {
        DESCRIPTORS.put(name, d);
        return NativeLibrary.load().find(name).map(a -> Linker.nativeLinker().downcallHandle(a, d)).orElse(null);
    }

    /** {@return the descriptor of the function {@code name}, or null when it is not one of the API's} */
    public static FunctionDescriptor descriptor(String name) {
        return DESCRIPTORS.get(name);
    }

    /** {@return the names of the API's functions, in the header's order} */
    public static java.util.Set<String> functions() {
        return java.util.Collections.unmodifiableSet(DESCRIPTORS.keySet());
    }

    /** Whether the library exports WdsTransportClientCancelSessionEx. */
    public static boolean hasCancelSessionEx() {
        return CANCEL_SESSION_EX != null;
    }

    /** Whether the library exports WdsTransportClientNegotiateRequiredDataRange. */
    public static boolean hasNegotiation() {
        return NEGOTIATE != null;
    }

    private static AssertionError unexpected(Throwable t) {
        return new AssertionError("a downcall cannot throw", t);
    }

    /** {@code DWORD WdsTransportClientInitialize(VOID)} */
    public static int initialize() {
        try {
            return (int) INITIALIZE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientInitializeSession(PWDS_TRANSPORTCLIENT_REQUEST, PVOID pCallerData, PHANDLE)} */
    public static int initializeSession(MemorySegment request, MemorySegment callerData, MemorySegment handleOut) {
        try {
            return (int) INITIALIZE_SESSION.invokeExact(request, callerData, handleOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientRegisterCallback(HANDLE, TRANSPORTCLIENT_CALLBACK_ID, PVOID pfnCallback)} */
    public static int registerCallback(MemorySegment session, int id, MemorySegment callback) {
        try {
            return (int) REGISTER_CALLBACK.invokeExact(session, id, callback);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientStartSession(HANDLE)} */
    public static int startSession(MemorySegment session) {
        try {
            return (int) START_SESSION.invokeExact(session);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientCompleteReceive(HANDLE, ULONG ulSize, PULARGE_INTEGER pullOffset)} */
    public static int completeReceive(MemorySegment session, int size, MemorySegment offset) {
        try {
            return (int) COMPLETE_RECEIVE.invokeExact(session, size, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientCancelSession(HANDLE)} */
    public static int cancelSession(MemorySegment session) {
        try {
            return (int) CANCEL_SESSION.invokeExact(session);
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
        if (CANCEL_SESSION_EX == null) {
            throw new UnsupportedOperationException(NativeLibrary.load().path() + " does not export WdsTransportClientCancelSessionEx");
        }
        try {
            return (int) CANCEL_SESSION_EX.invokeExact(session, errorCode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientWaitForCompletion(HANDLE, ULONG uTimeout)} */
    public static int waitForCompletion(MemorySegment session, int timeoutMillis) {
        try {
            return (int) WAIT_FOR_COMPLETION.invokeExact(session, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientQueryStatus(HANDLE, PULONG puStatus, PULONG puErrorCode)} */
    public static int queryStatus(MemorySegment session, MemorySegment status, MemorySegment errorCode) {
        try {
            return (int) QUERY_STATUS.invokeExact(session, status, errorCode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientCloseSession(HANDLE)} */
    public static int closeSession(MemorySegment session) {
        try {
            return (int) CLOSE_SESSION.invokeExact(session);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientAddRefBuffer(PVOID pvBuffer)} */
    public static int addRefBuffer(MemorySegment buffer) {
        try {
            return (int) ADD_REF_BUFFER.invokeExact(buffer);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientReleaseBuffer(PVOID pvBuffer)} */
    public static int releaseBuffer(MemorySegment buffer) {
        try {
            return (int) RELEASE_BUFFER.invokeExact(buffer);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code DWORD WdsTransportClientShutdown(VOID)} */
    public static int shutdown() {
        try {
            return (int) SHUTDOWN.invokeExact();
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
        if (NEGOTIATE == null) {
            throw new UnsupportedOperationException(NativeLibrary.load().path()
                    + " does not export WdsTransportClientNegotiateRequiredDataRange");
        }
        try {
            return (int) NEGOTIATE.invokeExact(session, key, start, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
