package io.github.wdstci.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What a run shows, on standard error (as wget and curl show it): a live bar
 * where standard error is a terminal ({@link BarDisplay}), plain
 * {@code key=value} lines otherwise ({@link LinesDisplay}), or nothing
 * ({@link QuietDisplay}); errors each on a line of their own. Standard output
 * carries only what was asked for: an object ({@code -o -}) and, without a
 * display, the hash. {@link Displays} picks one.
 *
 * <p>Nothing is written on the transport's callback threads: they only count
 * bytes ({@link Job.Progress}) and {@link #poke()} this display, which samples
 * the counts on a thread of its own. Every write to the streams holds this
 * display's lock, so an error line never lands inside the bar: the bar is
 * erased first and redrawn at the next sample.
 */
abstract class Display implements AutoCloseable {

    /** How to show progress; {@code AUTO} picks {@code BAR} on a terminal, else {@code LINES}. */
    enum Mode { AUTO, BAR, LINES, NONE }

    /**
     * What a finished object reports. {@code verified} is {@code content}
     * (demo: every byte and block checked), {@code sha256} (matched the
     * expected hash) or null; null fields and negative counts are left out.
     */
    record Summary(String object, long bytes, Duration elapsed, String output, String sha256, String verified,
                   long blocks, long outOfOrder, int attempts) {

        Summary(String object, long bytes, Duration elapsed, String output, String sha256, String verified,
                long blocks, long outOfOrder) {
            this(object, bytes, elapsed, output, sha256, verified, blocks, outOfOrder, 1);
        }

        double rate() {
            double s = elapsed.toNanos() / 1e9;
            return s > 0 ? bytes / s : 0;
        }
    }

    final PrintStream out;
    final PrintStream err;
    /** Whether {@code --sha256} asked for the hash to be shown (it may be computed for a list or a check only). */
    volatile boolean showHashes = true;
    /** Whether {@code err} is a terminal, where a Ctrl-C typed meanwhile may have echoed {@code ^C}. */
    volatile boolean errTerminal;
    List<Job> jobs = List.of();
    final Meter meter = new Meter();

    private final AtomicBoolean poked = new AtomicBoolean();
    private volatile Thread sampler;
    private volatile boolean closing;
    private volatile boolean halted;

    Display(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** How often progress is sampled, in ms. */
    abstract long intervalMillis();

    /** Shows the run's objects before their sessions start, and starts sampling. */
    final void begin(List<Job> running) {
        synchronized (this) {
            jobs = List.copyOf(running);
            header();
        }
        Thread t = Thread.ofPlatform().daemon().name("wdsget-display").unstarted(this::sample);
        sampler = t;
        t.start();
    }

    /** Something changed that is worth showing now (a session started, an object arrived); never blocks. */
    final void poke() {
        poked.set(true);
        Thread t = sampler;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void sample() {
        long interval = TimeUnit.MILLISECONDS.toNanos(intervalMillis());
        long due = System.nanoTime() + interval;
        while (!closing) {
            long wait = due - System.nanoTime();
            if (wait > 0 && !poked.get()) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            boolean p = poked.getAndSet(false);
            long now = System.nanoTime();
            boolean timer = now - due >= 0;
            if (timer) {
                due = now + interval;
            }
            draw(now, timer);
        }
    }

    /** A sample, unless the display is closing or halted. */
    final synchronized void draw(long nanos, boolean timer) {
        if (!closing && !halted) {
            tick(nanos, timer);
        }
    }

    /**
     * The run was told to stop (a signal, {@code --timeout}): the bar is erased and no
     * more progress is shown, however long the transport takes to end its sessions.
     */
    final void halt() {
        halted = true;
        synchronized (this) {
            erase();
            out.flush();
        }
    }

    /**
     * Totals over the run's objects. A failed object stays counted, with the bytes it had received
     * and its size once known, so that neither the count nor the total shrinks when one fails.
     *
     * @param received  bytes received, by every object
     * @param total     the objects' sizes; -1 until every object that has not failed has started
     * @param done      objects received and put in place
     * @param failed    objects that failed
     * @param count     every object of the run
     * @param running   whether an object is still arriving
     * @param started   whether a session has started
     * @param remaining bytes still to come for the objects arriving; -1 while one's size is unknown
     */
    record Totals(long received, long total, int done, int failed, int count, boolean running, boolean started,
                  long remaining) {
    }

    private boolean metering;

    /**
     * Feeds the meter: its first sample is 0 bytes (plus those of part files
     * continued) when the first session started, so that the first rate shown
     * is already a measured one.
     */
    final void measure(Totals t, long nanos) {
        if (!metering) {
            long first = Long.MAX_VALUE;
            for (Job j : jobs) {
                if (j.progress().total() >= 0) {
                    first = Math.min(first, j.progress().startedNanos());
                }
            }
            if (first == Long.MAX_VALUE) {
                return;
            }
            long held = 0;                   // bytes of part files continued: not received now
            for (Job j : jobs) {
                held += j.progress().received() - j.progress().fresh();
            }
            meter.sample(held, first);
            metering = true;
        }
        meter.sample(t.received(), nanos);
    }

    final Totals totals() {
        long received = 0;
        long total = 0;
        long remaining = 0;
        int done = 0;
        int failed = 0;
        boolean running = false;
        boolean started = false;
        for (Job j : jobs) {
            Job.Progress p = j.progress();
            received += p.received();
            long t = p.total();
            started |= t >= 0;
            if (p.failed()) {
                failed++;
                if (t >= 0 && total >= 0) {
                    total += t;              // its size stays in the total; one never started adds nothing
                }
                continue;
            }
            total = t < 0 || total < 0 ? -1 : total + t;
            if (p.ended()) {
                done++;
            } else {
                running = true;
                remaining = t < 0 || remaining < 0 ? -1 : remaining + Math.max(0, t - p.received());
            }
        }
        return new Totals(received, total, done, failed, jobs.size(), running, started, remaining);
    }

    /**
     * The rate to show: once every byte of the objects not failed has arrived, their bytes over
     * the time from the first session's start to the last byte, which is what the summaries
     * give (for one object, exactly its rate); before, the smoothed rate of the meter.
     */
    final double rate() {
        long bytes = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Job j : jobs) {
            Job.Progress p = j.progress();
            if (p.failed()) {
                continue;
            }
            if (p.elapsed() == null) {
                return meter.rate();
            }
            bytes += p.fresh();
            first = Math.min(first, p.startedNanos());
            last = Math.max(last, p.startedNanos() + p.elapsed().toNanos());
        }
        return last > first ? bytes / ((last - first) / 1e9) : meter.rate();
    }

    /** Seconds until the rest arrives, or -1 when unknown. */
    final long eta(Totals t) {
        return t.remaining() < 0 ? -1 : meter.etaSeconds(t.remaining());
    }

    /**
     * With several objects, the run's end: how many were received, skipped (their output
     * exists) and failed. The quiet display says nothing.
     */
    abstract void tally(int count, int received, int skipped, int failed);

    /** A sample: on the timer, or after a {@link #poke()}; under the lock. */
    abstract void tick(long nanos, boolean timer);

    /** Before the sessions start; under the lock. */
    abstract void header();

    /** An object arrived and was put in place. */
    abstract void finished(Job job, Summary summary);

    /** An object was not received because its output exists ({@code --if-exists=skip}). */
    abstract void skipped(Job job);

    /**
     * An attempt failed for a transient reason and the object is tried again ({@code --retries})
     * after {@code wait}, from the start.
     *
     * @param attempt  the attempt to come (2 for the first retry)
     * @param attempts how many there are at most
     */
    abstract void retrying(Job job, int attempt, int attempts, Duration wait, String reason);

    /** Removes the bar, if drawn; under the lock. */
    void erase() {
    }

    /**
     * An error: {@code wdsget: message} on standard error, on a line of its own. The names and
     * reasons in it have their control characters escaped ({@link Visible}).
     */
    final synchronized void failed(String message) {
        erase();
        out.flush();
        // on a terminal, from the line's start: over a ^C echoed while nothing was drawn
        err.println((errTerminal ? "\r" : "") + "wdsget: " + Visible.of(message));
        err.flush();
    }

    /** A note or warning on standard error ({@code wdsget: message}). */
    final synchronized void note(String message) {
        failed(message);
    }

    /** Under {@code --verbose}, the stack trace of an error just said ({@link #failed}). */
    final synchronized void stackTrace(Throwable t) {
        err.print(Visible.stackTrace(t));
    }

    /** Stops sampling and removes the bar; idempotent. */
    @Override
    public final void close() {
        closing = true;
        Thread t = sampler;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            erase();
            out.flush();
        }
    }
}
