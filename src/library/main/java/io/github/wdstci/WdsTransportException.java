package io.github.wdstci;

import java.io.IOException;

/**
 * A transport failure reported by WDSTPTC.dll (or the stand-in): a failed API
 * call, or a session that ended with a Win32 error code.
 */
public class WdsTransportException extends IOException {

    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /** The raw Win32 error code. */
    private final int code;
    /** What failed: an API function name, or "session". */
    private final String operation;

    /**
     * A failure without an underlying cause; the message names the operation,
     * the code's symbolic name and its number.
     *
     * @param operation what failed: an API function name, or "session" for a
     *                  session that completed with an error
     * @param code      the Win32 error code
     */
    public WdsTransportException(String operation, int code) {
        this(operation, code, null);
    }

    /**
     * A failure with an underlying cause; the message names the operation,
     * the code's symbolic name and its number.
     *
     * @param operation what failed: an API function name, or "session"
     * @param code      the Win32 error code
     * @param cause     the underlying failure, or null
     */
    public WdsTransportException(String operation, int code, Throwable cause) {
        super(operation + " failed: " + Win32Error.nameOf(code) + " (" + Integer.toUnsignedString(code) + ")", cause);
        this.operation = operation;
        this.code = code;
    }

    /** Throws for a function's non-zero result: errors are translated once, at the boundary. */
    static void check(String function, int rc) throws WdsTransportException {
        if (rc != 0) {
            throw new WdsTransportException(function, rc);
        }
    }

    /**
     * The raw Win32 error code, as the library returned it.
     *
     * @return the code
     */
    public int code() {
        return code;
    }

    /**
     * The code as a constant.
     *
     * @return the constant, or {@link Win32Error#UNKNOWN} for a code it does not list
     */
    public Win32Error error() {
        return Win32Error.of(code);
    }

    /**
     * The code's symbolic name.
     *
     * @return e.g. {@code ERROR_CANCELLED}; see {@link Win32Error#nameOf(int)}
     */
    public String symbolicName() {
        return Win32Error.nameOf(code);
    }

    /**
     * What failed.
     *
     * @return an API function name, or "session" for a session that completed with an error
     */
    public String operation() {
        return operation;
    }
}
