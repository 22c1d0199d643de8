package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.github.wdstci.AuthLevel;
import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsTransportException;
import io.github.wdstci.Win32Error;

/**
 * How a wdsget run ended, with its exit code. Each failure class a person can
 * act on has a code of its own; {@link #FAILURE} is everything else.
 */
enum Outcome {
    /** The object was received (and verified, when asked). */
    SUCCESS(0),
    /** Any other failure (the message says which). */
    FAILURE(1),
    /** Bad command line (picocli's usage code). */
    USAGE(2),
    /** The server has no such object or namespace. */
    NOT_FOUND(3),
    /** The server's name does not resolve, or it cannot be reached. */
    UNREACHABLE(4),
    /** The server refused the request, or the output cannot be written. */
    ACCESS_DENIED(5),
    /** The output's file system has no room for the object. */
    DISK_FULL(6),
    /** The received object does not match the expected SHA-256 (or synthetic content). */
    VERIFICATION_FAILED(7),
    /** The output exists and {@code --if-exists=fail} (the default) keeps it. */
    TARGET_EXISTS(8),
    /** Cancelled: Ctrl-C (SIGINT), SIGTERM, or by the transport; 128 + SIGINT, as shells report it. */
    CANCELLED(130);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The process exit code. */
    int exitCode() {
        return exitCode;
    }

    /** A classified failure: its outcome and the one line to show. */
    record Failure(Outcome outcome, String message) {
    }

    /** The exit-code list shown by {@code --help}. */
    static String[] helpList() {
        return new String[] {
                "0:success",
                "1:other failure",
                "2:invalid command line",
                "3:object or namespace not found",
                "4:server unreachable",
                "5:access denied",
                "6:disk full",
                "7:verification failed (SHA-256 or content)",
                "8:output exists (see --if-exists)",
                "130:cancelled (Ctrl-C, SIGTERM or the transport)",
        };
    }

    /** The Win32 code's name and number, as the messages show them: {@code (ERROR_DISK_FULL, 112)}. */
    static String code(int win32) {
        return "(" + Win32Error.nameOf(win32) + ", " + Integer.toUnsignedString(win32) + ")";
    }

    /**
     * Classifies why a transfer failed.
     *
     * @param t           the failure (completion wrappers are looked through)
     * @param request     what was requested, for the message
     * @param interrupted whether the user interrupted the run (Ctrl-C / SIGTERM)
     */
    static Failure classify(Throwable t, TransferRequest request, boolean interrupted) {
        Throwable c = unwrap(t);
        if (interrupted) {
            return new Failure(CANCELLED, "cancelled by signal; no output was written "
                    + code(Win32Error.ERROR_CANCELLED.code()));
        }
        if (c instanceof CancellationException) {
            return new Failure(CANCELLED, "cancelled; no output was written " + code(Win32Error.ERROR_CANCELLED.code()));
        }
        if (c instanceof Problem p) {
            return new Failure(p.outcome(), p.getMessage());
        }
        if (c instanceof WdsTransportException e) {
            return transport(e, request);
        }
        if (c instanceof AccessDeniedException e) {
            return new Failure(ACCESS_DENIED, "access denied: cannot write " + e.getFile() + " "
                    + code(Win32Error.ERROR_ACCESS_DENIED.code()));
        }
        if (c instanceof IOException e && isNoSpace(e)) {
            return new Failure(DISK_FULL, "disk full while writing the output: " + e.getMessage() + " "
                    + code(Win32Error.ERROR_DISK_FULL.code()));
        }
        String what = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
        return new Failure(FAILURE, (c instanceof IOException ? "I/O error: " : "failed: ") + what);
    }

    private static Failure transport(WdsTransportException e, TransferRequest r) {
        String object = "'" + r.objectName() + "' in namespace '" + r.namespace() + "' on " + r.server();
        String code = code(e.code());
        return switch (e.error()) {
            case ERROR_FILE_NOT_FOUND, ERROR_NOT_FOUND ->
                    new Failure(NOT_FOUND, "object not found: " + object + " " + code + "; check the object name");
            case ERROR_PATH_NOT_FOUND ->
                    new Failure(NOT_FOUND, "namespace not found: '" + r.namespace() + "' on " + r.server() + " "
                            + code + "; check the namespace");
            case WSAHOST_NOT_FOUND, WSATRY_AGAIN, WSAETIMEDOUT, WSAECONNREFUSED, WSAEHOSTUNREACH, WSAENETUNREACH,
                    WSAENETDOWN, ERROR_BAD_NETPATH, ERROR_HOST_UNREACHABLE, ERROR_NETWORK_UNREACHABLE,
                    ERROR_CONNECTION_REFUSED, ERROR_TIMEOUT ->
                    new Failure(UNREACHABLE, "server unreachable: " + r.server() + " " + code
                            + "; check the server name and the network");
            case ERROR_ACCESS_DENIED, ERROR_LOGON_FAILURE ->
                    new Failure(ACCESS_DENIED, "access denied: " + object + " " + code
                            + (r.authLevel() == AuthLevel.NO_AUTH
                                    ? "; the server requires authentication: drop --no-auth"
                                    : "; check that this account may read the namespace"));
            case ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL ->
                    new Failure(DISK_FULL, "disk full " + code);
            case ERROR_CANCELLED, ERROR_OPERATION_ABORTED ->
                    new Failure(CANCELLED, "cancelled by the transport " + code + "; no output was written");
            default -> new Failure(FAILURE, e.operation() + " failed for " + object + " " + code);
        };
    }

    /** ENOSPC as the JDK reports it (Linux, macOS; Windows words it differently). */
    static boolean isNoSpace(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("no space left on device") || m.contains("not enough space on the disk");
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** A failure wdsget itself detected, already classified; its message is the line to show. */
    static final class Problem extends IOException {
        private static final long serialVersionUID = 1L;
        private final Outcome outcome;

        Problem(Outcome outcome, String message) {
            super(message);
            this.outcome = outcome;
        }

        Outcome outcome() {
            return outcome;
        }
    }
}
