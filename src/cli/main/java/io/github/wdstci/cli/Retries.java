package io.github.wdstci.cli;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import io.github.wdstci.WdsTransportException;
import io.github.wdstci.Win32Error;

/**
 * {@code --retries N}: which failures are worth another attempt, and how long to wait first.
 *
 * <p>Transient are the transport's failures that a network having a bad moment causes (a
 * connection reset or aborted, a network or host briefly unreachable, a name server that asks
 * to try again, a timeout) and a stall ({@code --stall-timeout}). Everything else says something
 * a second attempt would say again (no such object, access denied, a name that does not
 * resolve, a server that refuses connections, a full disk, a cancel) and is not retried.
 *
 * <p>Before retry {@code k} wdsget waits {@code 2^(k-1)} seconds, at most a minute. A retry
 * into a regular file continues the part file the failed attempt kept, asking the transport
 * for the missing ranges only (where the library cannot, it starts over); any other output is
 * written anew from the object's first byte ({@link Attempts}).
 */
final class Retries {

    /** The transport's failures that are retried, by Win32 name (listed as such in the docs). */
    static final Set<Win32Error> TRANSIENT = EnumSet.of(Win32Error.ERROR_CONNECTION_ABORTED, Win32Error.WSAECONNRESET,
            Win32Error.ERROR_NETWORK_UNREACHABLE, Win32Error.WSAENETUNREACH, Win32Error.WSAENETDOWN,
            Win32Error.ERROR_HOST_UNREACHABLE, Win32Error.WSAEHOSTUNREACH, Win32Error.WSATRY_AGAIN,
            Win32Error.WSAETIMEDOUT, Win32Error.ERROR_TIMEOUT);

    /** The longest wait between two attempts. */
    static final Duration LONGEST_WAIT = Duration.ofMinutes(1);

    private final int retries;

    /** @param retries how many times an object's transfer may be tried again (0: never) */
    Retries(int retries) {
        this.retries = retries;
    }

    /** How many attempts an object gets at most. */
    int attempts() {
        return retries + 1;
    }

    /** Whether {@code cause} (unwrapped) is a failure another attempt may not meet. */
    static boolean isTransient(Throwable cause) {
        return cause instanceof Outcome.Stalled
                || cause instanceof WdsTransportException e && TRANSIENT.contains(e.error());
    }

    /**
     * The wait before the attempt after {@code attempt} failed with {@code cause} into an output
     * that {@code canStartOver}; null when there is to be none.
     */
    Duration next(int attempt, Throwable cause, boolean canStartOver) {
        return canStartOver && worthIt(attempt, cause) ? wait(attempt) : null;
    }

    /** Whether the failure of {@code attempt} with {@code cause} is one to retry, where the output allows. */
    boolean worthIt(int attempt, Throwable cause) {
        return attempt <= retries && isTransient(cause);
    }

    /** The wait before retry {@code retry} (1 for the first): 1 s, 2 s, 4 s ..., at most {@link #LONGEST_WAIT}. */
    static Duration wait(int retry) {
        return retry > 6 ? LONGEST_WAIT : Duration.ofSeconds(Math.min(LONGEST_WAIT.toSeconds(), 1L << (retry - 1)));
    }
}
