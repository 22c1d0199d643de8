package io.github.wdstci;

import java.lang.foreign.MemorySegment;

/**
 * The lifecycle of a session, shared by {@link ContentHandler} and
 * {@link AsyncContentHandler}. Every method has an empty default.
 *
 * <p>{@link #onStart}, {@link #onMetadata} and {@link #onNegotiate} run on the
 * transport's callback thread, in that order, before the first block; keep them
 * short. {@link #onSuccess} and {@link #onFailure} run on the client's executor,
 * after the last callback, before the session's future completes. Anything they
 * throw fails the session (and never escapes into native code).
 */
public interface SessionListener {

    /** The session started: the object's size and the block size. */
    default void onStart(StartInfo info) throws Exception {
    }

    /**
     * The object's metadata, if the server has any: read-only, valid only
     * during this call (copy what you need).
     */
    default void onMetadata(MemorySegment metadata) throws Exception {
    }

    /**
     * The server asks which parts of the object the client needs. Only
     * called when a handler overrides this method and the library supports it
     * ({@link WdsClient#negotiationSupported()}); ask for ranges with
     * {@link Negotiation#require}, or for nothing to receive the whole object.
     */
    default void onNegotiate(StartInfo info, Negotiation negotiation) throws Exception {
    }

    /**
     * Every block has arrived and been completed; finish up (e.g. move a file
     * into place). Throwing fails the session with that exception.
     */
    default void onSuccess() throws Exception {
    }

    /**
     * The session failed or was cancelled; clean up. Called at most once,
     * never after {@link #onSuccess} returned normally.
     *
     * @param cause the handler's own exception, a {@link WdsTransportException},
     *              or a {@link java.util.concurrent.CancellationException}
     */
    default void onFailure(Throwable cause) {
    }
}
