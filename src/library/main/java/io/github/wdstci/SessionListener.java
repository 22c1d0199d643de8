package io.github.wdstci;

import java.lang.foreign.MemorySegment;

/**
 * The lifecycle of a session, shared by {@link ContentHandler} and
 * {@link AsyncContentHandler}. Every method has a default.
 *
 * <p>{@link #onStart}, {@link #onMetadata} and {@link #onNegotiate} run on the
 * transport's callback thread; keep them short. {@code onStart} runs at most
 * once, and the transport starts a session before it sends blocks. The stand-in
 * delivers the metadata once, after the start and before the first block, then
 * the negotiation; {@code WDSTPTC.dll} documents neither when nor how often the
 * metadata comes, and the session passes each callback on as it arrives. {@link #onSuccess} and {@link #onFailure} run
 * once the transport has stopped calling back, on the client's executor (or
 * on a thread that waits for the session, see {@link Session}). Anything a
 * method throws fails the session with that exception and never escapes into
 * native code.
 *
 * @see ForwardingContentHandler to add to a ready-made handler
 */
public interface SessionListener {

    /**
     * The session started: the object's size and the block size. Runs exactly
     * once for a session that starts, whichever of the transport's start
     * callbacks it delivers.
     *
     * @param info the object's size and the block size
     * @throws Exception to fail the session
     */
    default void onStart(StartInfo info) throws Exception {
    }

    /**
     * The object's metadata, if the server has any. The session registers the
     * transport's metadata callback only for a listener whose class overrides
     * this method (this default ignores it; a {@link ForwardingContentHandler}
     * passes it on, so it overrides it).
     *
     * @param metadata read-only, valid only during this call (copy what you need)
     * @throws Exception to fail the session
     */
    default void onMetadata(MemorySegment metadata) throws Exception {
    }

    /**
     * Whether this listener answers the server's negotiation
     * ({@link #onNegotiate}). Opting in is explicit, so that a wrapper cannot
     * opt in by accident; a forwarding wrapper forwards it. Default: false.
     *
     * @return true to have {@link #onNegotiate} called
     */
    default boolean negotiates() {
        return false;
    }

    /**
     * The server asks which parts of the object the client needs. Called only
     * when {@link #negotiates()} returns true and the library exports
     * NegotiateRequiredDataRange ({@link TransportLibrary#hasNegotiation()});
     * ask for ranges with {@link Negotiation#require}, or for none to receive
     * the whole object.
     *
     * @param info        the object's size and the block size
     * @param negotiation the answer, usable during this call only
     * @throws Exception to fail the session
     */
    default void onNegotiate(StartInfo info, Negotiation negotiation) throws Exception {
    }

    /**
     * Every block has arrived and been completed; finish up (e.g. move a file
     * into place). Not called when the session's future was completed or
     * cancelled by its caller before.
     *
     * @throws Exception to fail the session with that exception
     */
    default void onSuccess() throws Exception {
    }

    /**
     * The session failed or was cancelled; clean up. Called at most once,
     * never after {@link #onSuccess} returned normally.
     *
     * @param cause the first failure: the handler's own exception, a
     *              {@link WdsTransportException}, or what the session's future
     *              was completed with by its caller (a
     *              {@link java.util.concurrent.CancellationException} for a
     *              cancel or close, a {@link java.util.concurrent.TimeoutException}
     *              for {@code orTimeout})
     */
    default void onFailure(Throwable cause) {
    }
}
