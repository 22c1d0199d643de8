package io.github.wdstci.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A run's stop (a signal, {@code --timeout}) and the objects it reaches. One lock decides
 * both: a session starts only while the run is not stopped ({@link #start}), and the stop
 * takes every object whose session may have started ({@link #stop}), so that each session
 * either starts before the stop, which then cancels it, or not at all.
 */
final class Stopping {

    private final List<Job> jobs = new ArrayList<>();              // guarded by this
    private final Set<Job> endedBeforeStop = ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopped = new CountDownLatch(1);   // counted down by stop(): ends a retry's wait
    private volatile Outcome.Stop stop;

    /** The objects whose sessions are about to run: a stop from now on reaches them. */
    synchronized void add(List<Job> running) {
        jobs.addAll(running);
    }

    /** Whether sessions were to run ({@link #add}); before, no output was touched. */
    synchronized boolean sessions() {
        return !jobs.isEmpty();
    }

    /** Why the run was stopped, or null while it was not. */
    Outcome.Stop reason() {
        return stop;
    }

    /** Fails with the stop's outcome and message once the run was stopped. */
    void check() throws Outcome.Problem {
        Outcome.Stop s = stop;
        if (s != null) {
            throw new Outcome.Problem(s.outcome(), s.message());
        }
    }

    /** Waits before a retry; false when the run was stopped meanwhile (a signal, --timeout). */
    boolean await(Duration wait) {
        try {
            return !stopped.await(wait.toNanos(), TimeUnit.NANOSECONDS) && stop == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts {@code job}'s session with {@code start}, unless the run is stopped; under the lock
     * that {@link #stop} takes, so that the stop reaches the session through {@link Job#running()}.
     */
    synchronized Transport.Running start(Job job, Callable<Transport.Running> start) throws Exception {
        check();
        Transport.Running running = start.call();
        job.running(running);
        return running;
    }

    /**
     * Stops the run; the first reason wins.
     *
     * @return the objects whose sessions are to be cancelled, or null when the run was stopped already
     */
    List<Job> stop(Outcome.Stop why) {
        List<Job> all;
        synchronized (this) {
            if (stop != null) {
                return null;
            }
            stop = why;
            all = List.copyOf(jobs);
            for (Job j : all) {
                if (j.progress().ended()) {
                    endedBeforeStop.add(j);
                }
            }
        }
        stopped.countDown();         // a retry's wait ends
        return all;
    }

    /** Whether {@code job} had ended when the run was stopped (its own line said what became of it). */
    boolean endedBeforeStop(Job job) {
        return endedBeforeStop.contains(job);
    }
}
