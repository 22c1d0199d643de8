package io.github.wdstci;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Lock;

/**
 * A session's lifecycle: each event (a start, a cancel, a close, the transport's end, a
 * handler's exception, a late block) asks the {@link SessionState} what to do, which it
 * decides under its one lock, and then does it with the lock released: the native calls,
 * the listener, the future's completion (which runs its stages).
 *
 * <p><b>Who does the work.</b> The transport's end hands {@link #progress} to the executor,
 * off any transport thread. A closer on an ordinary thread does itself whatever nobody has
 * begun (hearing, CloseSession, completing the future) and waits only for work under way:
 * the transport honouring the cancel, a listener running elsewhere, a CloseSession; never
 * for another closer, so a close inside a close (in a stage of the future) returns too.
 *
 * <p><b>The handle.</b> Downcalls made by Java threads hold a {@link Leases lease};
 * CloseSession waits for them to drain, so no call reaches a closed handle. Callbacks use
 * the handle they were given: it is closed only once the transport has ended.
 */
final class Lifecycle implements Dependent.Owner, Delivery.Owner {

    private static final System.Logger LOG = System.getLogger("io.github.wdstci.Session");
    private static final int ERROR_SUCCESS = Win32Error.ERROR_SUCCESS.code();
    private static final int ERROR_CANCELLED = Win32Error.ERROR_CANCELLED.code();
    private static final int ERROR_TIMEOUT = Win32Error.ERROR_TIMEOUT.code();

    final SessionFuture future;
    private final SessionState state;
    private final NativeSide nat;
    private final SessionListener listener;
    private final Executor executor;
    private final SessionJournal journal;
    private final Runnable releaseKept;       // blocks the handler still holds, before CloseSession
    private final Runnable onClosed;          // closed, and the future complete

    Lifecycle(NativeSide nat, SessionListener listener, Executor executor, boolean closeWhenHeard,
              SessionJournal journal, Runnable releaseKept, Runnable onClosed, Lock lock) {
        this.state = new SessionState(lock, closeWhenHeard);
        this.nat = nat;
        this.listener = listener;
        this.executor = executor;
        this.journal = journal;
        this.releaseKept = releaseKept;
        this.onClosed = onClosed;
        this.future = new SessionFuture(executor, this);
    }

    /** Calls StartSession, once; {@return the session's future} */
    CompletableFuture<Void> start() {
        if (!state.starting()) {
            return future;                        // ended before it started: nothing to run
        }
        journal.started();
        int rc;
        try {
            rc = nat.start();
        } finally {
            state.giveLease();
        }
        if (state.startReturned(rc)) {
            CallbackThreads.execute(executor, () -> progress(false));
        }
        return future;
    }

    /** The future's caller completes it ({@code futureFailure} null: with a value). */
    @Override
    public boolean end(Throwable cause, Throwable futureFailure) {
        return end(cause, true, futureFailure, false);
    }

    /** A handler threw, or a downcall was refused; the future will hold what the listener hears. */
    @Override
    public void fail(Throwable cause) {
        end(cause, false, null, false);
    }

    /**
     * The one way to end a session, unless its outcome is decided (see
     * {@link SessionState#end}): then the native session is cancelled (CancelSessionEx with
     * ERROR_TIMEOUT for a timeout, where the DLL has it) before anyone completes the future.
     *
     * @return whether {@code cause} is the session's failure now
     */
    private boolean end(Throwable cause, boolean decidesFuture, Throwable futureFailure, boolean whileRunning) {
        int code = cause instanceof TimeoutException && nat.hasCancelEx() ? ERROR_TIMEOUT : ERROR_CANCELLED;
        SessionState.After after = state.end(cause, code, decidesFuture, futureFailure, whileRunning);
        if (after == SessionState.After.REFUSED) {
            return false;
        }
        journal.failing(cause);
        if (after == SessionState.After.CANCEL) {
            try {
                int rc = code == ERROR_CANCELLED ? nat.cancel() : nat.cancelEx(code);
                if (rc != ERROR_SUCCESS) {
                    LOG.log(System.Logger.Level.DEBUG, "cancel: {0}", Win32Error.nameOf(rc));
                }
            } finally {
                state.giveLease();
            }
        } else if (after == SessionState.After.PROGRESS) {
            CallbackThreads.execute(executor, () -> progress(false));
        }
        return true;
    }

    /** Session.cancel(): as the future's cancel; from a transport callback the future completes later, off it. */
    void cancel() {
        state.ensureOpen();
        CancellationException e = new CancellationException("the session was cancelled");
        boolean inline = !CallbackThreads.inAnyCallback();
        if (end(e, inline, e, false) && inline) {
            future.settle(e);
        }
    }

    @Override
    public boolean failed() {
        return state.failure() != null;
    }

    @Override
    public void ended(int code) {
        Throwable transport = code == ERROR_SUCCESS ? null : new WdsTransportException("session", code);
        if (!state.transportEnded(transport, code)) {
            LOG.log(System.Logger.Level.WARNING, "a second SessionComplete: ignored");
            return;
        }
        if (transport != null && state.failure() == transport) {
            journal.failing(transport);
        }
        CallbackThreads.execute(executor, () -> progress(false));
    }

    @Override
    public int completeLate(int size, long offset) {
        if (!state.takeLease()) {
            return ERROR_SUCCESS;                 // closed: the transport no longer counts the block
        }
        try {
            return nat.completeReceive(size, offset);
        } finally {
            state.giveLease();
        }
    }

    /**
     * Moves a session the transport has ended on to its close, doing what nobody has begun:
     * the listener hears, CloseSession runs (for a closer, and where a close was asked:
     * receive, a close that could not wait), the future completes, the client hears. The
     * executor's run never waits; a {@code closer} waits for the transport, for a listener
     * running elsewhere and for a CloseSession under way, and returns with all done.
     */
    private void progress(boolean closer) {
        if (state.claimListener(closer)) {
            // the listener hears here, once; the failure is stable once it is claimed
            Throwable cause = CallbackThreads.listen(this, listener, state.failure());
            journal.ended(cause, state.heard(cause));
        }
        if (!state.isHeard()) {
            return;                               // a closer hears, and does the rest
        }
        if (closer || state.closeWhenHeard()) {  // read once heard: a close asked later sees HEARD, dispatches
            closeNative(closer);
        }
        future.settle(state.futureFailure());
        if (state.tell()) {
            onClosed.run();
        }
    }

    /** Session.close(); see there. */
    void close() {
        if (beginClose()) {
            awaitClosed();
        }
    }

    /**
     * The part of closing that never waits: refuses further use, ends a session the transport
     * has not ended (its future completes at once, except on a transport callback thread),
     * and on a thread that may not wait leaves the close to the executor.
     *
     * @return whether this thread may wait for the rest ({@link #awaitClosed})
     */
    boolean beginClose() {
        boolean mayWait = !CallbackThreads.busy();
        boolean dispatch = state.closeAsked(mayWait);
        CancellationException e = new CancellationException("the session was closed");
        boolean inline = !CallbackThreads.inAnyCallback();
        if (end(e, inline, e, true) && inline) {
            future.settle(e);
        }
        if (dispatch) {
            CallbackThreads.execute(executor, () -> progress(false));
        }
        return mayWait;
    }

    /** The rest of close() for a thread that may wait: returns with the session closed. */
    void awaitClosed() {
        progress(true);
    }

    /** Releases the kept blocks and calls CloseSession once heard, once; {@code wait}: until done, by whomever. */
    private void closeNative(boolean wait) {
        if (!state.claimClose(wait)) {
            return;
        }
        releaseKept.run();                        // their CompleteReceive calls still get leases
        state.drainLeases();
        int rc = nat.close();
        if (rc != ERROR_SUCCESS) {
            LOG.log(System.Logger.Level.WARNING, "WdsTransportClientCloseSession: {0}", Win32Error.nameOf(rc));
        }
        state.closed();
    }

    /** Closes a session its caller never received (the client closed while it was made), without a word to the listener. */
    void abandon() {
        CancellationException e = new CancellationException("the client was closed");
        state.abandoned(e);
        closeNative(true);
        future.settle(e);
        if (state.tell()) {
            onClosed.run();
        }
    }

    @Override
    public void ensureMayWait() {
        CallbackThreads.ensureMayWait(this);
    }

    /** See Session.status(); {@code open}: refused after close. */
    SessionStatus status(long bytes, long fileSize, boolean open) {
        return state.status(bytes, fileSize, open);
    }

    boolean isClosed() {
        return state.isClosed();
    }

    void ensureOpen() {
        state.ensureOpen();
    }
}
