package io.github.wdstci;

/**
 * A snapshot of a session, for monitoring.
 *
 * @param state         where the session is
 * @param errorCode     the Win32 code of a failed session, else 0
 * @param bytesReceived bytes delivered to the handler so far
 * @param fileSize      the object's size, or -1 before the session started
 */
public record SessionStatus(State state, int errorCode, long bytesReceived, long fileSize) {

    /** Where a session is. */
    public enum State {
        /** Created, not yet started. */
        CREATED,
        /** Started and not complete. */
        IN_PROGRESS,
        /** Completed successfully. */
        SUCCEEDED,
        /** Failed or cancelled. */
        FAILED
    }
}
