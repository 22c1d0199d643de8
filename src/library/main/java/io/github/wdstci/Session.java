package io.github.wdstci;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One transfer of one object: created by {@link WdsClient#newSession} or
 * {@link WdsClient#newAsyncSession}, run with {@link #start()}, freed with
 * {@link #close()}. ({@link WdsClient#receive} does all three.)
 *
 * <h2>Ending a session</h2>
 * The session's future ({@link #start()}, {@link #completion()}) completes exactly
 * once, whatever ends the session:
 * <ul>
 *   <li>the transport's end: normally, or with the handler's exception if a handler
 *       threw (the session is then cancelled), else with a {@link WdsTransportException}
 *       carrying the Win32 code; the listener's {@code onSuccess} or {@code onFailure}
 *       has run when it completes;</li>
 *   <li>completing the future yourself ({@code cancel}, {@code orTimeout},
 *       {@code complete}, {@code completeExceptionally}, {@code completeOnTimeout},
 *       {@code completeAsync}): the native session is cancelled first (CancelSessionEx
 *       with ERROR_TIMEOUT for a {@link java.util.concurrent.TimeoutException}, where the
 *       library has it), then the future completes, on your thread, and {@code onFailure}
 *       receives that exception (a {@link CancellationException} for {@code cancel} and
 *       {@code complete}) once the transport has stopped. Only while the outcome is
 *       undecided: once a failure was recorded or the listener is hearing the outcome,
 *       these return {@code false}, and the future completes with what the listener
 *       heard. {@code obtrudeValue} and {@code obtrudeException} throw
 *       {@link UnsupportedOperationException};</li>
 *   <li>{@link #cancel()} and {@link #close()} before the end: as {@code cancel} on the
 *       future, also for a session that never started.</li>
 * </ul>
 * Futures derived from it ({@code thenApply}, ...) are ordinary: completing or
 * cancelling them does not reach the session.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The listener's {@code onStart}, {@code onMetadata}, {@code onNegotiate} and the
 *       content methods run on the transport's callback threads.</li>
 *   <li>Its {@code onSuccess}/{@code onFailure}, and the completion of the session's
 *       future when the session ends by itself, run once the transport has stopped
 *       calling back, on the client's executor, never on a transport thread; a thread
 *       closing the session ({@link #close()}, {@link WdsClient#close()}) may run them
 *       itself when the executor has not yet, so that a task of a single-threaded
 *       executor can close a session. A future its caller completes runs its stages on
 *       that caller's thread, as any {@code CompletableFuture} does.</li>
 *   <li>{@link #cancel()} and {@link #close()} from a transport callback (of this
 *       session or another) tell the transport at once and return; the future then
 *       fails once the transport has stopped, on the executor. {@code close()} from a
 *       listener's {@code onSuccess}/{@code onFailure} returns at once too; the session
 *       closes once its own listener has returned.</li>
 * </ul>
 * <b>Refused:</b> a callback of the session ({@code onStart}, {@code onMetadata},
 * {@code onNegotiate}, a content method) or its listener ({@code onSuccess},
 * {@code onFailure}) that waits for the session's own future ({@code join()},
 * {@code get()}, timed or not, or the same on a stage derived from it) gets an
 * {@link IllegalStateException} at once: the future completes only after that code has
 * returned, so the wait could never end. <b>Not supported:</b> a task of the client's
 * executor that waits for a session's future while the session's completion is queued
 * behind it on that same executor (a single-threaded one, or one whose threads all
 * wait so) waits forever, as with any {@code CompletableFuture}; compose with the
 * future's stages instead, or give the client an executor with a thread to spare.
 *
 * <p>Thread-safe. Every method but {@code close()} and {@code isClosed()} throws
 * {@link IllegalStateException} after {@code close()}.
 */
public final class Session implements AutoCloseable {

    private final TransferRequest request;
    private final long key;
    private final Delivery delivery;
    private final Lifecycle lifecycle;
    private final Consumer<Session> onClosed;

    Session(TransferRequest request, SessionListener listener, boolean asynchronous, Executor executor,
            boolean closeWhenFinished, Consumer<Session> onClosed) throws WdsTransportException {
        this.request = request;
        this.onClosed = onClosed;
        this.key = Upcalls.SESSIONS.register(null);       // published below, once this is complete
        NativeSession nat = null;
        try {
            nat = NativeSession.initialize(request, key);
            SessionJournal journal = new SessionJournal(request, this::bytes);
            this.lifecycle = new Lifecycle(nat, listener, executor, closeWhenFinished, journal,
                    this::releaseKept, this::closed, new ReentrantLock());
            this.delivery = new Delivery(lifecycle, listener, asynchronous);
            Upcalls.register(nat, delivery, listener);
        } catch (Throwable t) {
            if (nat != null) {
                nat.close();                              // never started: no callback can come
            }
            Upcalls.SESSIONS.remove(key);
            throw t;
        }
        Upcalls.SESSIONS.publish(key, delivery);
    }

    /** {@return the request this session receives} */
    public TransferRequest request() {
        lifecycle.ensureOpen();
        return request;
    }

    /**
     * Starts the transfer, once.
     *
     * @return the session's future (see the class description); async stages
     *         of its dependents default to the client's executor
     * @throws IllegalStateException if already started, or closed
     */
    public CompletableFuture<Void> start() {
        return lifecycle.start();
    }

    /**
     * The session's future: the one {@link #start()} returns (incomplete before the
     * start). Cancelling or completing it ends the session.
     *
     * @return the session's own future
     * @throws IllegalStateException after close
     */
    public CompletableFuture<Void> completion() {
        lifecycle.ensureOpen();
        return lifecycle.future;
    }

    /**
     * Cancels the session, as {@code completion().cancel(false)}: the future fails with
     * a {@link CancellationException} unless the outcome is decided, and the native
     * session is cancelled if it runs. A session cancelled before its start never
     * starts. Called from a transport callback (of this session or another), the future
     * fails once the transport has stopped calling back, on the client's executor, so
     * that its stages never run on a transport's thread.
     *
     * @throws IllegalStateException after close
     */
    public void cancel() {
        lifecycle.cancel();
    }

    /**
     * A snapshot of the session. A session that failed (a cancel, {@code complete} or
     * timeout of its future, a handler's or listener's exception, a transport failure) is
     * {@code FAILED} from the moment the failure is recorded, with the transport's Win32
     * code where it failed, else {@code ERROR_TIMEOUT} (1460) for a timeout the library
     * could tell the transport of, and {@code ERROR_CANCELLED} (1223) for any other
     * failure. {@code SUCCEEDED} once the transport has ended without error; it is final
     * once the session's future is complete (until then a cancel may still come first,
     * or {@code onSuccess} throw).
     *
     * @return the state, the Win32 code of a failure, bytes received and the object's size
     * @throws IllegalStateException after close
     */
    public SessionStatus status() {
        return lifecycle.status(delivery.bytes(), delivery.fileSize(), true);
    }

    /**
     * Closes the session: cancels it unless it has ended (as {@link #cancel()}), and,
     * called from an ordinary thread, a stage or an executor task (a single-threaded
     * executor's included), returns once the transport has stopped, the listener has
     * heard the end, the future is complete and the native session is closed. From a
     * transport callback or a listener's {@code onSuccess}/{@code onFailure} it does not
     * wait (it would wait for itself): the session closes as soon as its listener has
     * heard the end. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    @Override
    public String toString() {
        return "Session[" + request + "]";
    }

    // ---- for the client ----------------------------------------------------------------------

    /** The session's future, whether or not the session is closed. */
    CompletableFuture<Void> future() {
        return lifecycle.future;
    }

    /** The part of {@link #close()} that never waits; {@return whether this thread may wait for the rest} */
    boolean beginClose() {
        return lifecycle.beginClose();
    }

    /** The rest of {@link #close()}, after {@link #beginClose()} said this thread may wait. */
    void awaitClosed() {
        lifecycle.awaitClosed();
    }

    /**
     * Closes a session that its caller never received (its client closed while it was
     * made): natively, without a word to the listener, whose caller was told the client
     * is closed.
     */
    void abandon() {
        lifecycle.abandon();
    }

    // ---- hooks of the lifecycle --------------------------------------------------------------

    private long bytes() {
        return delivery.bytes();
    }

    private void releaseKept() {
        delivery.releaseAll();
    }

    /** CloseSession ran: the one place the session leaves the registry and its client. */
    private void closed() {
        Upcalls.SESSIONS.remove(key);
        onClosed.accept(this);
    }
}
