package io.github.wdstci;

/**
 * Win32 error codes the transport client reports, with their symbolic names.
 *
 * <p>Codes that are not listed are kept as raw numbers: {@link #of(int)} never
 * throws and returns {@link #UNKNOWN} for them, and {@link #nameOf(int)} gives a
 * readable name for any code.
 */
public enum Win32Error {
    /** 0: the operation succeeded. */
    ERROR_SUCCESS(0),
    /** 2: the object does not exist on the server. */
    ERROR_FILE_NOT_FOUND(2),
    /** 3: the namespace (or content root) does not exist. */
    ERROR_PATH_NOT_FOUND(3),
    /** 5: access denied, e.g. authentication required. */
    ERROR_ACCESS_DENIED(5),
    /** 6: unknown or closed session handle. */
    ERROR_INVALID_HANDLE(6),
    /** 8: out of memory. */
    ERROR_NOT_ENOUGH_MEMORY(8),
    /** 30: the object could not be read. */
    ERROR_READ_FAULT(30),
    /** 50: the request is not supported. */
    ERROR_NOT_SUPPORTED(50),
    /** 87: a parameter is invalid. */
    ERROR_INVALID_PARAMETER(87),
    /** 123: the name is not valid. */
    ERROR_INVALID_NAME(123),
    /** 258: a wait timed out. */
    WAIT_TIMEOUT(258),
    /** 1131: the call would deadlock (e.g. a wait from the session's own callback). */
    ERROR_POSSIBLE_DEADLOCK(1131),
    /** 1168: element not found. */
    ERROR_NOT_FOUND(1168),
    /** 1223: the session was cancelled. */
    ERROR_CANCELLED(1223),
    /** 1236: the connection was aborted. */
    ERROR_CONNECTION_ABORTED(1236),
    /** 1247: already initialized. */
    ERROR_ALREADY_INITIALIZED(1247),
    /** 1460: the operation timed out. */
    ERROR_TIMEOUT(1460),
    /** 5023: the call is not valid in the current state. */
    ERROR_INVALID_STATE(5023),
    /** 10060: a network operation timed out. */
    WSAETIMEDOUT(10060),
    /** 11001: the server's host name is unknown. */
    WSAHOST_NOT_FOUND(11001),
    /** Any code not listed here; see {@link #nameOf(int)}. */
    UNKNOWN(-1);

    private static final Win32Error[] KNOWN = values();

    private final int code;

    Win32Error(int code) {
        this.code = code;
    }

    /** The numeric Win32 code ({@code -1} for {@link #UNKNOWN}). */
    public int code() {
        return code;
    }

    /** The constant with this code, or {@link #UNKNOWN}; never throws. */
    public static Win32Error of(int code) {
        for (Win32Error e : KNOWN) {
            if (e.code == code && e != UNKNOWN) {
                return e;
            }
        }
        return UNKNOWN;
    }

    /**
     * A readable name for any code: the symbolic name when known (e.g.
     * {@code ERROR_CANCELLED}), else {@code WIN32_ERROR_<code>}, or the hex
     * value for codes that look like HRESULTs.
     */
    public static String nameOf(int code) {
        Win32Error e = of(code);
        if (e != UNKNOWN) {
            return e.name();
        }
        return code < 0 ? String.format("HRESULT_0x%08X", code) : "WIN32_ERROR_" + Integer.toUnsignedString(code);
    }
}
