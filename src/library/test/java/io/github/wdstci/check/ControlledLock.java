package io.github.wdstci.check;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A reentrant lock whose waits go through a {@link Sched}: taking it is a scheduling
 * point, a thread that finds it held blocks in the scheduler, and its conditions'
 * waits and signals are the scheduler's. For the code under test it is an ordinary
 * {@link Lock}.
 *
 * <p>{@link #skipWhen} plants a bug: while the named method of the code under test is
 * on the calling thread's stack, taking the lock does nothing, as if that transition
 * had been written without it.
 */
public final class ControlledLock implements Lock {

    /** The owner for a lock taken outside the run's threads (the checks after a run). */
    private static final Object OUTSIDE = new Object();

    private final Sched sched;
    private Object owner;
    private int holds;
    private String skipIn;

    public ControlledLock(Sched sched) {
        this.sched = sched;
    }

    /** Plants the bug: {@code lock()} and {@code unlock()} called from {@code method} (or a helper it calls) do nothing. */
    public ControlledLock skipWhen(String method) {
        this.skipIn = method;
        return this;
    }

    private boolean skipped() {
        if (skipIn == null) {
            return false;
        }
        // the caller of lock(), or of a helper that takes the lock for it
        return StackWalker.getInstance().walk(s -> s.skip(2).limit(3)
                .anyMatch(f -> f.getMethodName().equals(skipIn)));
    }

    @Override
    public void lock() {
        if (skipped()) {
            return;
        }
        Object me = sched.currentThread();
        if (me == null) {
            me = OUTSIDE;                             // after the run: the model reads what is left
        } else {
            sched.point();
        }
        while (owner != null && owner != me) {
            sched.block(this);
        }
        owner = me;
        if (holds++ == 0) {
            sched.held(1);
        }
    }

    @Override
    public void unlock() {
        if (skipped()) {
            return;
        }
        Object me = sched.currentThread();
        if (owner != (me == null ? OUTSIDE : me)) {
            throw new IllegalMonitorStateException("not the owner");
        }
        if (--holds == 0) {
            owner = null;
            sched.held(-1);
            sched.wake(this);
        }
    }

    @Override
    public void lockInterruptibly() {
        lock();
    }

    @Override
    public boolean tryLock() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Condition newCondition() {
        return new Cond();
    }

    @Override
    public String toString() {
        return "lock(" + (owner == null ? "free" : "held") + ")";
    }

    /** A condition of this lock: waiting gives the lock up and blocks until signalled. */
    private final class Cond implements Condition {

        @Override
        public void awaitUninterruptibly() {
            Object me = sched.currentThread();
            boolean held = owner == me && holds > 0;
            int saved = holds;
            if (held) {
                holds = 0;
                owner = null;
                sched.held(-1);
                sched.wake(ControlledLock.this);
            }
            sched.block(this);
            if (held) {
                while (owner != null && owner != me) {
                    sched.block(ControlledLock.this);
                }
                owner = me;
                holds = saved;
                sched.held(1);
            }
        }

        @Override
        public void await() {
            awaitUninterruptibly();
        }

        @Override
        public long awaitNanos(long nanosTimeout) {
            throw new UnsupportedOperationException("timed waits are not modelled");
        }

        @Override
        public boolean await(long time, TimeUnit unit) {
            throw new UnsupportedOperationException("timed waits are not modelled");
        }

        @Override
        public boolean awaitUntil(java.util.Date deadline) {
            throw new UnsupportedOperationException("timed waits are not modelled");
        }

        @Override
        public void signal() {
            sched.wakeOne(this);
        }

        @Override
        public void signalAll() {
            sched.wake(this);
        }

        @Override
        public String toString() {
            return "condition";
        }
    }
}
