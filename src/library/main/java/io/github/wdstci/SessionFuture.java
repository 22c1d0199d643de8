package io.github.wdstci;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A session's own future, the one {@link WdsClient#receive}, {@link Session#start()}
 * and {@link Session#completion()} return, in the shape of the JDK's
 * {@code MinimalFuture}: completing it from outside ({@code cancel}, {@code complete},
 * {@code completeExceptionally}, and so {@code orTimeout}, {@code completeOnTimeout},
 * {@code completeAsync}) goes to the session's one way to end ({@link Owner#end}),
 * which cancels the native session before the future completes (so a stage that then
 * closes the session waits only for the cancel); {@code obtrudeValue} and
 * {@code obtrudeException} throw. Once the outcome is decided (a failure was recorded,
 * or the listener is hearing the end), these return {@code false} and the future
 * completes with what the listener heard.
 */
final class SessionFuture extends Dependent<Void> {

    SessionFuture(Executor executor, Owner owner) {
        super(executor, owner);
    }

    /** Completes the future with the session's outcome ({@code null}: success); nothing once it is complete. */
    void settle(Throwable failure) {
        if (failure == null) {
            super.complete(null);
        } else {
            super.completeExceptionally(failure);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        CancellationException e = new CancellationException("the session was cancelled");
        if (!owner.end(e, e)) {
            return isCancelled();
        }
        super.completeExceptionally(e);
        return true;
    }

    @Override
    public boolean complete(Void value) {
        if (!owner.end(new CancellationException("the session's future was completed by its caller"), null)) {
            return false;
        }
        super.complete(value);
        return true;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        if (ex == null) {
            throw new NullPointerException();
        }
        if (!owner.end(ex, ex)) {
            return false;
        }
        super.completeExceptionally(ex);
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

    /** @throws UnsupportedOperationException always: the session's outcome is decided once */
    @Override
    public void obtrudeValue(Void value) {
        throw new UnsupportedOperationException("a session's future holds the session's outcome; it cannot be obtruded");
    }

    /** @throws UnsupportedOperationException always: the session's outcome is decided once */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("a session's future holds the session's outcome; it cannot be obtruded");
    }
}

/**
 * A future of a session's chain (the session's own, and the stages derived from it):
 * async stages default to the client's executor; a wait on it from the session's own
 * callback or listener is refused at once, since the future can complete only after that
 * code returns; and a wait on a transport's thread leaves the stages to the completing
 * thread (a waiting thread runs them otherwise). Else an ordinary
 * {@code CompletableFuture}: completing a derived stage does not reach the session.
 */
class Dependent<T> extends CompletableFuture<T> {

    /** What a session's future needs from its session. */
    interface Owner {
        /**
         * Ends the session with {@code cause} unless its outcome is decided: records it
         * as the session's failure (what the listener will hear), cancels the native
         * session, and remembers {@code futureFailure} ({@code null}: a value) as what the
         * future holds; the caller then completes the future with it.
         *
         * @return whether {@code cause} ended the session
         */
        boolean end(Throwable cause, Throwable futureFailure);

        /**
         * @throws IllegalStateException when this thread runs a callback or the listener of
         *                               the session, for which the future can never complete
         */
        void ensureMayWait();
    }

    final Owner owner;
    private final Executor executor;

    Dependent(Executor executor, Owner owner) {
        this.executor = executor;
        this.owner = owner;
    }

    @Override
    public Executor defaultExecutor() {
        return executor;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new Dependent<>(executor, owner);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when called by a callback or the listener of the session
     */
    @Override
    public T join() {
        if (!isDone()) {
            owner.ensureMayWait();
            try {
                awaitOffTransport(Long.MAX_VALUE, false);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }
        return super.join();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when called by a callback or the listener of the session
     */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            owner.ensureMayWait();
            awaitOffTransport(Long.MAX_VALUE, true);
        }
        return super.get();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when called by a callback or the listener of the session
     */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!isDone()) {
            owner.ensureMayWait();
            awaitOffTransport(deadline, true);
        }
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * On a transport's callback thread, waits for this future without running its stages
     * there, as a waiting thread otherwise would once woken: a stage never runs on a
     * transport's thread. Elsewhere, returns at once (the wait is CompletableFuture's own).
     */
    private void awaitOffTransport(long deadline, boolean interruptible) throws InterruptedException {
        if (!CallbackThreads.inAnyCallback()) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        whenComplete((v, t) -> done.countDown());
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (deadline == Long.MAX_VALUE) {
                        done.await();
                    } else {
                        done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    }
                    return;
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw e;
                    }
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
