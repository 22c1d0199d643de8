package io.github.wdstci;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A session's own future, the one {@link WdsClient#receive}, {@link Session#start()}
 * and {@link Session#completion()} return. The session completes it; anyone
 * else completing it first ({@code cancel}, {@code complete},
 * {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout},
 * {@code completeAsync}) ends the session: it is cancelled natively, and its
 * listener's {@code onFailure} receives that exception (a
 * {@link CancellationException} for cancel and complete). Only while the
 * session's outcome is undecided: once it failed, or once its listener is
 * hearing the outcome, these return false and the future completes with what
 * the listener heard.
 *
 * <p>Dependent stages are plain futures, except that their async stages
 * default to the client's executor and that waiting on them helps the session
 * finish; completing or cancelling them does not reach the session.
 *
 * <p>Waiting ({@code join}, {@code get}) first helps: once the transport has
 * reported completion, a waiting thread runs the session's completion itself
 * if the executor has not yet, so a task of a single-threaded executor can
 * wait for a session whose completion is queued behind it. A callback thread of
 * the session never helps (the transport waits for it): it waits until the future
 * completes, or, once the session has failed without the future completing, throws
 * {@link IllegalStateException}, also when the failure comes while it waits (see
 * {@link Session}).
 */
final class SessionFuture extends Dependent<Void> {

    SessionFuture(Executor executor, Session session) {
        super(executor, session);
    }

    void succeed() {
        super.complete(null);
    }

    void failWith(Throwable t) {
        super.completeExceptionally(t);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        CancellationException e = new CancellationException("the session was cancelled");
        if (!session.callerMayEnd(e)) {
            return isCancelled();
        }
        super.completeExceptionally(e);
        session.completedByCaller(e, NativeSession.ERROR_CANCELLED);
        return true;
    }

    @Override
    public boolean complete(Void value) {
        CancellationException e = new CancellationException("the session's future was completed by the caller");
        if (!session.callerMayEnd(e)) {
            return false;
        }
        super.complete(value);
        session.completedByCaller(e, NativeSession.ERROR_CANCELLED);
        return true;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        if (ex == null) {
            throw new NullPointerException();
        }
        if (!session.callerMayEnd(ex)) {
            return false;
        }
        super.completeExceptionally(ex);
        session.completedByCaller(ex, ex instanceof TimeoutException ? NativeSession.ERROR_TIMEOUT
                : NativeSession.ERROR_CANCELLED);
        return true;
    }

    @Override
    public CompletableFuture<Void> completeAsync(Supplier<? extends Void> supplier, Executor executor) {
        if (supplier == null || executor == null) {
            throw new NullPointerException();
        }
        // CompletableFuture's own completeAsync completes internally, past the overrides above.
        executor.execute(() -> {
            try {
                complete(supplier.get());
            } catch (Throwable t) {
                completeExceptionally(t);
            }
        });
        return this;
    }

    @Override
    public CompletableFuture<Void> completeAsync(Supplier<? extends Void> supplier) {
        return completeAsync(supplier, defaultExecutor());
    }
}

/**
 * A future of a session's chain: async stages default to the client's
 * executor, and waiting helps the session finish (see {@link SessionFuture}).
 */
class Dependent<T> extends CompletableFuture<T> {

    final Session session;
    private final Executor executor;

    Dependent(Executor executor, Session session) {
        this.executor = executor;
        this.session = session;
    }

    @Override
    public Executor defaultExecutor() {
        return executor;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new Dependent<>(executor, session);
    }

    /**
     * {@inheritDoc} Helps the session finish first.
     *
     * @throws IllegalStateException when called by the session's own listener
     *         ({@code onSuccess}, {@code onFailure}), or by a callback of the session once it
     *         has failed (after a {@code cancel()} there, say), also when the callback was
     *         already waiting as it failed: the future completes only after it returns
     */
    @Override
    public T join() {
        if (!isDone()) {
            boolean ownCallback = session.helpFinish(Long.MAX_VALUE, false);
            if (ownCallback || Session.inListener()) {
                awaitWithoutRunningStages(Long.MAX_VALUE, false, ownCallback);
            }
        }
        return super.join();
    }

    /**
     * Waits until this future is complete without running its dependent stages here, as
     * CompletableFuture's own waiting does (a waiter runs the stages still pending once
     * it wakes). Inside a session's listener, a stage run on its stack that waits for
     * that session could never see it finish; on a transport's callback thread, stages
     * never run. A dependent registered last, so fired first, wakes this thread.
     *
     * <p>On a callback thread of the session ({@code ownCallback}) the wait also ends once
     * the session fails without its future completing, with the IllegalStateException of
     * {@link Session#ensureCallbackMayWait}: the session wakes this thread when it records
     * the failure. That costs the session only when it fails, nothing per block.
     *
     * @param deadline    {@link System#nanoTime()} by which to stop waiting; {@code Long.MAX_VALUE}: none
     * @param ownCallback whether this thread is a callback thread of the session
     * @return whether the wait ended by interrupt ({@code interruptible}; the flag is kept)
     */
    private boolean awaitWithoutRunningStages(long deadline, boolean interruptible, boolean ownCallback) {
        Thread me = Thread.currentThread();
        whenComplete((v, t) -> LockSupport.unpark(me));
        if (ownCallback) {
            session.callbackWaits(me, true);
        }
        boolean interrupted = false;
        try {
            while (!isDone()) {
                if (ownCallback) {
                    session.ensureCallbackMayWait();
                }
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                    if (interruptible) {
                        break;
                    }
                }
            }
        } finally {
            if (ownCallback) {
                session.callbackWaits(me, false);
            }
            if (interrupted) {
                me.interrupt();
            }
        }
        return interrupted && interruptible && !isDone();
    }

    /**
     * {@inheritDoc} Helps the session finish first; an interrupt ends the wait.
     *
     * @throws IllegalStateException as {@link #join()}
     */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            boolean ownCallback = session.helpFinish(Long.MAX_VALUE, true);
            if ((ownCallback || Session.inListener()) && awaitWithoutRunningStages(Long.MAX_VALUE, true, ownCallback)) {
                Thread.interrupted();
                throw new InterruptedException();
            }
        }
        return super.get();
    }

    /**
     * {@inheritDoc} Waits for the session within the timeout, never running its completion
     * here (which could take longer); an interrupt ends the wait.
     *
     * @throws IllegalStateException as {@link #join()}
     */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!isDone()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long bound = deadline == Long.MAX_VALUE ? deadline - 1 : deadline;
            if (session.helpFinish(bound, true) && awaitWithoutRunningStages(bound, true, true)) {
                Thread.interrupted();
                throw new InterruptedException();
            }
        }
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
