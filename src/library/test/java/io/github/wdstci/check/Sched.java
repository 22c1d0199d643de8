package io.github.wdstci.check;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic scheduler for one run of a model: it runs the model's logical threads
 * (real threads) one at a time and switches only at scheduling points, where a
 * {@link Strategy} chooses which runnable thread goes on. The points are: taking a
 * {@link ControlledLock}, every read and write of a field of an instrumented class made
 * while the thread holds no controlled lock ({@link #access()}, inserted by
 * {@link InstrumentingLoader}), and the model's own {@link #point()} calls (a native
 * call, a listener, a completion).
 *
 * <p>A thread that cannot go on (a lock held by another, a condition not signalled)
 * blocks; when no thread can go on, the run is over: complete if every non-daemon
 * thread has ended, else a deadlock. Daemon threads (an executor, a transport) may be
 * left blocked: they are waiting for work that will not come.
 */
public final class Sched {

    /** The scheduler of the run under way, for {@link #access()}; one run at a time. */
    private static volatile Sched active;

    /** Chooses the next thread at each scheduling point. */
    public interface Strategy {
        /**
         * @param runnable the ids of the threads that can go on, ascending (at least two)
         * @param current  the id of the thread at the point, or -1 when it cannot go on
         * @return one of {@code runnable}
         */
        int choose(int[] runnable, int current);
    }

    /** Thrown into the threads of a run that is over, to unwind them. */
    static final class RunOver extends Error {
        RunOver() {
            super("the run is over", null, false, false);
        }
    }

    private enum State { NEW, RUNNABLE, BLOCKED, DONE }

    private final class T {
        final int id;
        final String name;
        final boolean daemon;
        final Runnable body;
        final Semaphore turn = new Semaphore(0);
        Thread thread;
        State state = State.NEW;
        Object blockedOn;
        int locksHeld;

        T(int id, String name, boolean daemon, Runnable body) {
            this.id = id;
            this.name = name;
            this.daemon = daemon;
            this.body = body;
        }
    }

    private final Strategy strategy;
    private final List<T> threads = new ArrayList<>();
    private final Semaphore over = new Semaphore(0);
    private volatile T current;
    private volatile boolean terminating;
    private Throwable failure;                 // the first violation or error of the run
    private int points;

    public Sched(Strategy strategy) {
        this.strategy = strategy;
    }

    // ---- for instrumented code and models ----------------------------------------------------

    /** A read or write of a shared field: a point unless the thread holds a controlled lock. */
    public static void access() {
        Sched s = active;
        if (s != null) {
            T t = s.current;
            if (t != null && t.thread == Thread.currentThread() && t.locksHeld == 0) {
                s.point();
            }
        }
    }

    /** A scheduling point of the calling thread (of this run). */
    public void point() {
        T me = me();
        if (me == null) {
            return;
        }
        points++;
        switchTo(pick(me), me);
    }

    /** Adds a logical thread; before {@link #run}. */
    public void spawn(String name, boolean daemon, Runnable body) {
        threads.add(new T(threads.size(), name, daemon, body));
    }

    /** Records a violation found by a thread of the run (the first one is kept) and ends the run. */
    public void fail(Throwable t) {
        record(t);
        throw new RunOver();
    }

    /** How many scheduling points the run passed. */
    public int points() {
        return points;
    }

    // ---- the run -----------------------------------------------------------------------------------

    /**
     * Runs every spawned thread under this scheduler until the run is over.
     *
     * @return the run's violation, or null
     */
    public Throwable run(long guardSeconds) throws InterruptedException {
        active = this;
        try {
            for (T t : threads) {
                t.state = State.RUNNABLE;
                t.thread = Thread.ofVirtual().name("sched-" + t.name).unstarted(() -> body(t));
            }
            for (T t : threads) {
                t.thread.start();
            }
            T first = pick(null);
            current = first;
            first.turn.release();
            if (!over.tryAcquire(guardSeconds, TimeUnit.SECONDS)) {
                failure = new AssertionError("a run did not end within " + guardSeconds + " s: " + describe());
            }
            terminate();
            return failure;
        } finally {
            active = null;
        }
    }

    private void body(T t) {
        try {
            t.turn.acquireUninterruptibly();
            if (terminating) {
                return;
            }
            t.body.run();
        } catch (RunOver over) {
            // unwound
        } catch (Throwable e) {
            record(e);
            endRun();
            return;
        }
        if (terminating) {
            return;
        }
        t.state = State.DONE;
        T next = pickOrNull();
        if (next == null) {
            nobodyGoesOn();
            return;
        }
        current = next;
        next.turn.release();
    }

    /** No thread can go on: the run is over, complete when only daemons wait, else deadlocked. */
    private void nobodyGoesOn() {
        if (!threads.stream().allMatch(x -> x.state == State.DONE || x.daemon)) {
            record(new AssertionError("deadlock: " + describe()));
        }
        endRun();
    }

    /** Keeps the run's first violation. */
    private synchronized void record(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    /** Ends the run: the driver wakes and unwinds the threads left. */
    private void endRun() {
        terminating = true;
        over.release();
    }

    /** Wakes every thread left, one at a time, so that each unwinds with {@link RunOver}. */
    private void terminate() throws InterruptedException {
        terminating = true;
        for (T t : threads) {
            if (t.thread.isAlive()) {
                t.turn.release();
                t.thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    // ---- switching -----------------------------------------------------------------------------------

    private T me() {
        T t = current;
        if (t == null || t.thread != Thread.currentThread()) {
            return null;
        }
        if (terminating) {
            throw new RunOver();
        }
        return t;
    }

    /** The next thread by the strategy; {@code me} is the thread at the point (null: none). */
    private T pick(T me) {
        List<T> runnable = new ArrayList<>();
        for (T t : threads) {
            if (t.state == State.RUNNABLE) {
                runnable.add(t);
            }
        }
        if (runnable.isEmpty()) {
            return null;
        }
        if (runnable.size() == 1) {
            return runnable.get(0);
        }
        int[] ids = runnable.stream().mapToInt(t -> t.id).toArray();
        int chosen = strategy.choose(ids, me != null && me.state == State.RUNNABLE ? me.id : -1);
        return threads.get(chosen);
    }

    private T pickOrNull() {
        return pick(null);
    }

    /** Hands the turn from {@code me} to {@code next} (or keeps it); a run with nobody to go on is over. */
    private void switchTo(T next, T me) {
        if (next == null) {
            nobodyGoesOn();
            me.turn.acquireUninterruptibly();
            throw new RunOver();
        }
        if (next == me) {
            return;
        }
        current = next;
        next.turn.release();
        me.turn.acquireUninterruptibly();
        if (terminating) {
            throw new RunOver();
        }
    }

    /** For models: the calling thread waits until {@link #signal} of {@code on} (check the condition in a loop). */
    public void await(Object on) {
        block(on);
    }

    /** For models: every thread waiting on {@code on} may go on. */
    public void signal(Object on) {
        wake(on);
    }

    /** The calling thread cannot go on until {@link #wake} of {@code on}. */
    void block(Object on) {
        T me = me();
        if (me == null) {
            throw new IllegalStateException("not a thread of the run");
        }
        me.state = State.BLOCKED;
        me.blockedOn = on;
        switchTo(pick(me), me);
    }

    /** Makes every thread blocked on {@code on} runnable again; a daemon's work has come. */
    void wake(Object on) {
        for (T t : threads) {
            if (t.state == State.BLOCKED && t.blockedOn == on) {
                t.state = State.RUNNABLE;
                t.blockedOn = null;
            }
        }
    }

    /** Makes the first thread blocked on {@code on} runnable again. */
    void wakeOne(Object on) {
        for (T t : threads) {
            if (t.state == State.BLOCKED && t.blockedOn == on) {
                t.state = State.RUNNABLE;
                t.blockedOn = null;
                return;
            }
        }
    }

    /** The calling thread took or gave back a controlled lock. */
    void held(int delta) {
        T me = me();
        if (me != null) {
            me.locksHeld += delta;
        }
    }

    /** The logical thread running now, or null. */
    Object currentThread() {
        T t = current;
        return t != null && t.thread == Thread.currentThread() ? t : null;
    }

    /** The current thread's name in the run, or null outside it. */
    public String threadName() {
        T t = current;
        return t != null && t.thread == Thread.currentThread() ? t.name : null;
    }

    private String describe() {
        StringBuilder b = new StringBuilder();
        for (T t : threads) {
            b.append(t.name).append('=').append(t.state);
            if (t.state == State.BLOCKED) {
                b.append(" on ").append(t.blockedOn);
            }
            b.append("; ");
        }
        return b.toString();
    }
}
