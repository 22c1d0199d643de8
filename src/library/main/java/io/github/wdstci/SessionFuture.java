package io.github.wdstci;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A session's own future, the one {@link WdsClient#receive}, {@link Session#start()}
 * and {@link Session#completion()} return. The session completes it; anyone
 * else completing it first ({@code cancel}, {@code complete},
 * {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout},
 * {@code completeAsync}) ends the session: it is cancelled natively, and its
 * listener's {@code onFailure} receives that exception (a
 * {@link CancellationException} for cancel and complete).
 *
 * <p>Dependent stages are plain futures, except that their async stages
 * default to the client's executor and that waiting on them helps the session
 * finish; completing or cancelling them does not reach the session.
 *
 * <p>Waiting ({@code join}, {@code get}) first helps: once the transport has
 * reported completion, a waiting thread runs the session's completion itself
 * if the executor has not yet, so a task of a single-threaded executor can
 * wait for a session whose completion is queued behind it.
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
        boolean done = super.completeExceptionally(e);
        if (done) {
            session.completedByCaller(e, NativeSession.ERROR_CANCELLED);
        }
        return done || isCancelled();
    }

    @Override
    public boolean complete(Void value) {
        boolean done = super.complete(value);
        if (done) {
            session.completedByCaller(new CancellationException("the session's future was completed by the caller"),
                    NativeSession.ERROR_CANCELLED);
        }
        return done;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean done = super.completeExceptionally(ex);
        if (done) {
            session.completedByCaller(ex, ex instanceof TimeoutException ? NativeSession.ERROR_TIMEOUT
                    : NativeSession.ERROR_CANCELLED);
        }
        return done;
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

    @Override
    public T join() {
        if (!isDone()) {
            session.helpFinish(Long.MAX_VALUE);
        }
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            session.helpFinish(Long.MAX_VALUE);
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!isDone()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            session.helpFinish(deadline);
        }
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
