package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

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
    /** {@code --timeout} expired before the transfer ended. */
    TIMED_OUT(9),
    /** Cancelled: Ctrl-C (SIGINT) or by the transport; 128 + SIGINT, as shells report it. */
    CANCELLED(130),
    /**
     * SIGTERM: the JVM exits with 128 + SIGTERM after wdsget cancelled and cleaned up
     * (wdsget cannot tell SIGTERM from SIGINT; the message is the same).
     */
    TERMINATED(143);

    /** Worst first: with several objects the exit code is that of the first of these that occurred. */
    private static final List<Outcome> SEVERITY = List.of(TERMINATED, CANCELLED, TIMED_OUT, VERIFICATION_FAILED,
            DISK_FULL, ACCESS_DENIED, UNREACHABLE, NOT_FOUND, FAILURE, TARGET_EXISTS, USAGE, SUCCESS);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The process exit code. */
    int exitCode() {
        return exitCode;
    }

    /** The worse of two outcomes (see {@link #SEVERITY}). */
    static Outcome worst(Outcome a, Outcome b) {
        return SEVERITY.indexOf(a) <= SEVERITY.indexOf(b) ? a : b;
    }

    /** The exit codes of failures a run of several objects can end with, worst first (as the help lists them). */
    static String severityOrder() {
        return SEVERITY.stream().filter(o -> o != SUCCESS && o != USAGE && o != TERMINATED)
                .map(o -> Integer.toString(o.exitCode)).collect(Collectors.joining(", "));
    }

    /** A classified failure: its outcome and the one line to show. */
    record Failure(Outcome outcome, String message) {
    }

    /** Why wdsget stopped a run itself: a signal (Ctrl-C, SIGTERM) or {@code --timeout}. */
    record Stop(Outcome outcome, String message) {
        static Stop signal() {
            return new Stop(CANCELLED, "cancelled by signal " + code(Win32Error.ERROR_CANCELLED.code()));
        }

        static Stop timeout(java.time.Duration after) {
            return new Stop(TIMED_OUT, "timed out after " + Durations.format(after) + " (--timeout) "
                    + code(Win32Error.ERROR_TIMEOUT.code()));
        }

        Failure failure() {
            return new Failure(outcome, message);
        }
    }

    /** The Win32 code's name and number, as the messages show them: {@code (ERROR_DISK_FULL, 112)}. */
    static String code(int win32) {
        return "(" + Win32Error.nameOf(win32) + ", " + Integer.toUnsignedString(win32) + ")";
    }

    /**
     * Classifies why a transfer failed.
     *
     * @param t       the failure (completion wrappers are looked through)
     * @param request what was requested, for the message
     * @param stop    why wdsget itself stopped the run, or null: a signal or {@code --timeout} wins
     *                over whatever the cancelled session reported
     */
    static Failure classify(Throwable t, TransferRequest request, Stop stop) {
        return classify(t, request, request.objectName(), stop);
    }

    /** {@link #classify(Throwable, TransferRequest, Stop)} for an object of a run, named as its user named it. */
    static Failure classify(Throwable t, Job.Spec spec, Stop stop) {
        return classify(t, spec.request(), spec.name(), stop);
    }

    private static Failure classify(Throwable t, TransferRequest request, String objectName, Stop stop) {
        Throwable c = unwrap(t);
        if (stop != null) {
            return stop.failure();
        }
        if (c instanceof Stalled st) {
            return new Failure(TIMED_OUT, st.getMessage() + " " + code(Win32Error.ERROR_TIMEOUT.code()));
        }
        if (c instanceof CancellationException) {
            return new Failure(CANCELLED, "cancelled " + code(Win32Error.ERROR_CANCELLED.code()));
        }
        if (c instanceof Problem p) {
            return new Failure(p.outcome(), p.getMessage());
        }
        if (c instanceof WdsTransportException e) {
            return transport(e, request, objectName);
        }
        if (c instanceof IOException e && isAccessDenied(e)) {
            return new Failure(ACCESS_DENIED, "access denied: cannot write "
                    + (e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : "the output") + " "
                    + code(Win32Error.ERROR_ACCESS_DENIED.code()));
        }
        if (c instanceof IOException e && isNoSpace(e)) {
            return new Failure(DISK_FULL, "disk full while writing the output: " + e.getMessage() + " "
                    + code(Win32Error.ERROR_DISK_FULL.code()));
        }
        String what = c instanceof IOException io ? describe(io)
                : c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
        return new Failure(FAILURE, (c instanceof IOException ? "I/O error: " : "failed: ") + what);
    }

    private static Failure transport(WdsTransportException e, TransferRequest r, String objectName) {
        String object = "'" + objectName + "' in namespace '" + r.namespace() + "' on " + r.server();
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
                    new Failure(CANCELLED, "cancelled by the transport " + code);
            case ERROR_INVALID_PARAMETER -> new Failure(FAILURE, "the transport refused the request for " + object
                    + " as invalid " + code + "; check the names (and, for the stand-in, the options after ?)");
            default -> new Failure(FAILURE, phase(e.operation()) + " failed for " + object + " " + code);
        };
    }

    /** A user's word for the transport's step that failed: the DLL's function names mean nothing to them. */
    private static String phase(String operation) {
        return switch (operation == null ? "" : operation) {
            case "WdsTransportClientInitializeSession", "InitializeSession" -> "setting up the session";
            case "WdsTransportClientStartSession", "StartSession", "WdsTransportClientRegisterCallback",
                    "RegisterCallback" -> "starting the session";
            default -> "the session";
        };
    }

    /**
     * A problem with the output met before or after the transfer, classified as a failed
     * transfer's would be: access denied (5), disk full (6), else 1; the message says
     * {@code what} failed and why, without the exception's class.
     */
    static Problem ioProblem(String what, IOException e) {
        if (isAccessDenied(e)) {
            return new Problem(ACCESS_DENIED, what + ": access denied: " + describe(e) + " "
                    + code(Win32Error.ERROR_ACCESS_DENIED.code()));
        }
        if (isNoSpace(e)) {
            return new Problem(DISK_FULL, what + ": disk full: " + describe(e) + " "
                    + code(Win32Error.ERROR_DISK_FULL.code()));
        }
        return new Problem(FAILURE, what + ": " + describe(e));
    }

    /**
     * EACCES, EPERM (a sticky directory, an immutable file) and EROFS (a read-only file
     * system: the output may not be written there either), as the JDK reports them.
     */
    static boolean isAccessDenied(IOException e) {
        return e instanceof AccessDeniedException
                || e instanceof FileSystemException f && ("Operation not permitted".equals(f.getReason())
                        || "Read-only file system".equals(f.getReason()));
    }

    /** An I/O exception as one readable phrase: the file and the reason, never the class name. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return "no such file or directory: " + f.getFile();
        }
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "")
                    + (f.getReason() != null ? ": " + f.getReason() : "");
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** ENOSPC as the JDK reports it (Linux, macOS; Windows words it differently). */
    static boolean isNoSpace(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("no space left on device") || m.contains("not enough space on the disk");
    }

    /** The cause inside completion wrappers (today's futures wrap; the reworked library's will not). */
    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** No block arrived for {@code --stall-timeout}: wdsget ended the attempt (see {@link Retries}). */
    static final class Stalled extends java.util.concurrent.TimeoutException {
        private static final long serialVersionUID = 1L;

        Stalled(java.time.Duration limit) {
            super("stalled: no block arrived for " + Durations.format(limit) + " (--stall-timeout)");
        }
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
