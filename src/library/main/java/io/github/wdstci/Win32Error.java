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
    /** 39: the disk is full (while writing through a handle). */
    ERROR_HANDLE_DISK_FULL(39),
    /** 50: the request is not supported. */
    ERROR_NOT_SUPPORTED(50),
    /** 53: the network path was not found (server unreachable). */
    ERROR_BAD_NETPATH(53),
    /** 87: a parameter is invalid. */
    ERROR_INVALID_PARAMETER(87),
    /** 112: there is not enough space on the disk. */
    ERROR_DISK_FULL(112),
    /** 123: the name is not valid. */
    ERROR_INVALID_NAME(123),
    /** 223: the file is larger than allowed (here: an object beyond what a Java {@code long} can address). */
    ERROR_FILE_TOO_LARGE(223),
    /** 258: a wait timed out. */
    WAIT_TIMEOUT(258),
    /** 995: the I/O operation was aborted (thread exit or application request). */
    ERROR_OPERATION_ABORTED(995),
    /** 1131: the call would deadlock (e.g. a wait from the session's own callback). */
    ERROR_POSSIBLE_DEADLOCK(1131),
    /** 1168: element not found. */
    ERROR_NOT_FOUND(1168),
    /** 1223: the session was cancelled. */
    ERROR_CANCELLED(1223),
    /** 1225: the remote computer refused the connection. */
    ERROR_CONNECTION_REFUSED(1225),
    /** 1231: the network location cannot be reached. */
    ERROR_NETWORK_UNREACHABLE(1231),
    /** 1232: the remote host cannot be reached. */
    ERROR_HOST_UNREACHABLE(1232),
    /** 1236: the connection was aborted. */
    ERROR_CONNECTION_ABORTED(1236),
    /** 1247: already initialized. */
    ERROR_ALREADY_INITIALIZED(1247),
    /** 1326: the user name or password is incorrect. */
    ERROR_LOGON_FAILURE(1326),
    /** 1460: the operation timed out. */
    ERROR_TIMEOUT(1460),
    /** 5023: the call is not valid in the current state. */
    ERROR_INVALID_STATE(5023),
    /** 10050: the network is down. */
    WSAENETDOWN(10050),
    /** 10051: the network is unreachable. */
    WSAENETUNREACH(10051),
    /** 10054: the connection was reset by the peer. */
    WSAECONNRESET(10054),
    /** 10060: a network operation timed out. */
    WSAETIMEDOUT(10060),
    /** 10061: the server refused the connection. */
    WSAECONNREFUSED(10061),
    /** 10065: no route to the server. */
    WSAEHOSTUNREACH(10065),
    /** 11001: the server's host name is unknown. */
    WSAHOST_NOT_FOUND(11001),
    /** 11002: the host name could not be resolved now (temporary DNS failure). */
    WSATRY_AGAIN(11002),
    /** Any code not listed here; see {@link #nameOf(int)}. */
    UNKNOWN(-1);

    private static final Win32Error[] KNOWN = values();

    private final int code;

    Win32Error(int code) {
        this.code = code;
    }

    /**
     * The numeric Win32 code.
     *
     * @return the code, or {@code -1} for {@link #UNKNOWN}
     */
    public int code() {
        return code;
    }

    /**
     * The constant with this code; never throws.
     *
     * @param code a Win32 error code
     * @return the constant, or {@link #UNKNOWN} for a code not listed here
     */
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
     *
     * @param code a Win32 error code (or an HRESULT)
     * @return the name, never null
     */
    public static String nameOf(int code) {
        Win32Error e = of(code);
        if (e != UNKNOWN) {
            return e.name();
        }
        return code < 0 ? String.format("HRESULT_0x%08X", code) : "WIN32_ERROR_" + Integer.toUnsignedString(code);
    }
}
