package io.github.wdstci;

import java.io.IOException;

/**
 * A transport failure reported by WDSTPTC.dll (or the stand-in): a failed API
 * call, or a session that ended with a Win32 error code.
 */
public class WdsTransportException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final String operation;

    /**
     * @param operation what failed: an API function name, or "session" for a
     *                  session that completed with an error
     * @param code      the Win32 error code
     */
    public WdsTransportException(String operation, int code) {
        this(operation, code, null);
    }

    /**
     * @param operation what failed
     * @param code      the Win32 error code
     * @param cause     the underlying failure, or null
     */
    public WdsTransportException(String operation, int code, Throwable cause) {
        super(operation + " failed: " + Win32Error.nameOf(code) + " (" + Integer.toUnsignedString(code) + ")", cause);
        this.operation = operation;
        this.code = code;
    }

    /** The raw Win32 error code. */
    public int code() {
        return code;
    }

    /** The code as a constant, or {@link Win32Error#UNKNOWN}. */
    public Win32Error error() {
        return Win32Error.of(code);
    }

    /** The code's symbolic name, e.g. {@code ERROR_CANCELLED}. */
    public String symbolicName() {
        return Win32Error.nameOf(code);
    }

    /** What failed: an API function name, or "session". */
    public String operation() {
        return operation;
    }
}
