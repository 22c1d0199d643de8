package io.github.wdstci.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

import io.github.wdstci.AuthLevel;

/**
 * What a run shows, on standard error (as wget and curl show it): a live bar
 * where standard error is a terminal, plain {@code key=value} lines otherwise,
 * or nothing; errors each on a line of their own. Standard output carries only
 * what was asked for: an object ({@code -o -}) and, without a display, the hash.
 *
 * <p>Nothing is written on the transport's callback threads: they only count
 * bytes ({@link Job.Progress}) and {@link #poke()} this display, which samples
 * the counts on a thread of its own. Every write to the streams holds this
 * display's lock, so an error line never lands inside the bar: the bar is
 * erased first and redrawn at the next sample.
 */
abstract sealed class Display implements AutoCloseable {

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

    /** The display shown for {@code mode}: the bar only where standard error is a terminal. */
    static Mode effective(Mode mode, boolean errTerminal) {
        return switch (mode) {
            case AUTO, BAR -> errTerminal ? Mode.BAR : Mode.LINES;
            default -> mode;
        };
    }

    /**
     * The display for this mode (see {@link #effective}).
     *
     * @param err         standard error, where the bar, records and messages go
     * @param errTerminal whether it is a terminal
     * @param hashes      where the quiet display prints the hash: standard output, unless an
     *                    object goes there
     * @param width       the terminal's width in columns, asked at every redraw
     */
    static Display create(Mode mode, boolean errTerminal, PrintStream err, PrintStream hashes, IntSupplier width) {
        Display d = switch (effective(mode, errTerminal)) {
            case BAR -> new Bar(err, err, width);
            case LINES -> new Lines(err, err);
            default -> new Quiet(hashes, err);
        };
        d.errTerminal = errTerminal;
        return d;
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
     * Feeds the meter: its first sample is 0 bytes when the first session
     * started, so that the first rate shown is already a measured one.
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
            meter.sample(0, first);
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
            bytes += p.received();
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

    static String percent(long received, long total) {
        return total > 0 ? String.format(Locale.ROOT, "%.1f", 100.0 * received / total) : total == 0 ? "100.0" : "-";
    }

    /** Plain lines for logs and scripts: {@code progress bytes=.. total=.. percent=.. rate=.. eta=..}. */
    static final class Lines extends Display {
        private long printedBytes = -1;
        private long printedTotal = -2;

        Lines(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        long intervalMillis() {
            return 1000;
        }

        @Override
        void header() {
            for (Job j : jobs) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("server", j.request().server());
                f.put("namespace", j.request().namespace());
                f.put("object", j.spec().name());
                f.put("auth", j.request().authLevel() == AuthLevel.AUTH ? "on" : "off");
                f.put("output", j.target().shown());
                f.put("transport", j.transport());
                print("request", f);
            }
        }

        @Override
        void tick(long nanos, boolean timer) {
            Totals t = totals();
            if (!t.running() || !t.started()) {
                return;              // nothing to say before a session started, nor once all ended
            }
            measure(t, nanos);
            if (printedBytes < 0 && t.received() > 0) {
                // The first sample comes after bytes arrived (the sampler thread ran late on a
                // busy machine): the record promised at the start comes first, as in finished().
                startRecord(t);
            }
            boolean changed = t.received() != printedBytes || t.total() != printedTotal;
            // every second, except the same 100% again while objects are forced to disk and renamed
            if (changed || (timer && !(t.total() >= 0 && t.received() == t.total()))) {
                progress(t);
            }
        }

        private void startRecord(Totals t) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("bytes", 0);
            f.put("total", t.total() < 0 ? "-" : Long.toString(t.total()));
            f.put("percent", percent(0, t.total()));
            f.put("rate", 0);
            f.put("eta", "-");
            if (jobs.size() > 1) {
                f.put("objects", "0/" + t.count());
                if (t.failed() > 0) {
                    f.put("failed", t.failed());
                }
            }
            print("progress", f);
            printedBytes = 0;
            printedTotal = t.total();
        }

        private void progress(Totals t) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("bytes", t.received());
            f.put("total", t.total() < 0 ? "-" : Long.toString(t.total()));     // unknown until every object started
            f.put("percent", percent(t.received(), t.total()));
            f.put("rate", Math.round(rate()));
            long eta = eta(t);
            f.put("eta", eta < 0 ? "-" : Long.toString(eta));
            if (jobs.size() > 1) {
                f.put("objects", t.done() + "/" + t.count());
                if (t.failed() > 0) {
                    f.put("failed", t.failed());
                }
            }
            print("progress", f);
            printedBytes = t.received();
            printedTotal = t.total();
        }

        @Override
        synchronized void finished(Job job, Summary s) {
            Totals t = totals();
            if (printedBytes < 0) {
                // The sampler thread, woken when the session started, has not run yet (a busy
                // machine, a fast object): the record promised at the start comes first, as it
                // would have been then, so every object's records go from 0 to 100%.
                startRecord(t);
            }
            if (t.received() != printedBytes || t.total() != printedTotal) {
                // the last progress line shows every byte of this object, at a rate measured
                // with them: the sampler may not have seen any of it (a fast object)
                measure(t, System.nanoTime());
                progress(t);
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("object", s.object());
            f.put("bytes", s.bytes());
            f.put("seconds", String.format(Locale.ROOT, "%.3f", s.elapsed().toNanos() / 1e9));
            f.put("rate", Math.round(s.rate()));
            if (s.sha256() != null) {
                f.put("sha256", s.sha256());
            }
            if (s.verified() != null) {
                f.put("verified", s.verified());
            }
            if (s.blocks() >= 0) {
                f.put("blocks", s.blocks());
                f.put("out_of_order", s.outOfOrder());
            }
            if (s.attempts() > 1) {
                f.put("attempts", s.attempts());
            }
            f.put("output", s.output());
            print("done", f);
        }

        @Override
        synchronized void retrying(Job job, int attempt, int attempts, Duration wait, String reason) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("object", job.spec().name());
            f.put("attempt", attempt);
            f.put("attempts", attempts);
            f.put("wait", Durations.format(wait));
            f.put("reason", reason);
            print("retry", f);
        }

        @Override
        synchronized void skipped(Job job) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("object", job.spec().name());
            f.put("output", job.target().shown());
            print("skipped", f);
        }

        @Override
        synchronized void tally(int count, int received, int skipped, int failed) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("objects", count);
            f.put("received", received);
            f.put("skipped", skipped);
            f.put("failed", failed);
            print("summary", f);
        }

        private void print(String key, Map<String, Object> fields) {
            StringBuilder b = new StringBuilder(key);
            fields.forEach((k, v) -> b.append(' ').append(k).append('=').append(quote(String.valueOf(v))));
            out.println(b);
            out.flush();
        }

        /**
         * Values with blanks, quotes, backslashes or control characters are double-quoted, with
         * {@code \\} and {@code \"} for backslashes and quotes and the escapes of {@link Visible}
         * for control characters, so that a record stays one line and no name reaches the terminal raw.
         */
        static String quote(String v) {
            if (!v.isEmpty() && v.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '\\' || Visible.isControl(c))) {
                return v;
            }
            StringBuilder b = new StringBuilder(v.length() + 2).append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (Visible.isControl(c)) {
                    Visible.escape(b, c);
                } else {
                    b.append(c);
                }
            }
            return b.append('"').toString();
        }
    }

    /**
     * A live bar redrawn in place (percent, bytes, smoothed rate, ETA; with
     * several objects how many are done), and a sentence per object at the
     * end. Drawn from the first byte on, and never after the run failed.
     */
    static final class Bar extends Display {
        private final IntSupplier width;
        private final boolean unicode;
        private int drawn;                    // length of the bar on screen; 0: none

        Bar(PrintStream out, PrintStream err, IntSupplier width) {
            super(out, err);
            this.width = width;
            this.unicode = StandardCharsets.UTF_8.equals(out.charset());
        }

        @Override
        long intervalMillis() {
            return 200;
        }

        @Override
        void header() {
            for (Job j : jobs) {
                String what = j.spec().header() != null ? j.spec().header()
                        : String.format("Receiving %s from %s (namespace %s)", j.spec().name(), j.request().server(),
                        j.request().namespace());
                out.println(Visible.of(what + (j.target().kind() == Output.Kind.NONE ? "" : " into " + j.target().shown())));
            }
            out.flush();
        }

        @Override
        void tick(long nanos, boolean timer) {
            Totals t = totals();
            if (!t.running()) {
                return;              // nothing to show once all ended
            }
            measure(t, nanos);
            if (t.received() == 0) {
                return;              // nor before the first byte
            }
            int w = Math.max(1, width.getAsInt());
            String line = render(t, columns(w));
            // over the old bar; then erase what is left of it: the rest of its row, or the rows
            // below too when the terminal narrowed it into several
            boolean rows = back(w) > 0;
            out.print(home(w) + line + (rows ? CLEAR_BELOW : CLEAR_RIGHT));
            out.flush();
            drawn = line.length();
        }

        /** Erases from the cursor to the end of the row. */
        private static final String CLEAR_RIGHT = "\u001b[K";

        /** Erases from the cursor to the end of the screen. */
        private static final String CLEAR_BELOW = "\u001b[J";

        /**
         * How many rows up the bar drawn last starts, on a terminal now {@code w} columns wide.
         * Drawn, it fitted one row; a terminal made narrower since has rewrapped it into several
         * (tmux, VTE, kitty and most others do), with the cursor after its end, and a carriage
         * return alone would go back to the start of the last of them only, leaving the others
         * on screen. (A terminal that cuts lines instead of rewrapping them, as xterm does, loses
         * the line above the bar in that case: the lesser evil.)
         */
        private int back(int w) {
            return drawn > 0 ? (drawn - 1) / w : 0;
        }

        /** To the start of the bar drawn last. */
        private String home(int w) {
            int up = back(w);
            return "\r" + (up > 0 ? "\u001b[" + up + "A" : "");
        }

        /**
         * The bar's length on a terminal {@code width} columns wide: three less, so that
         * neither the cursor nor the {@code ^C} the terminal echoes after it when Ctrl-C is
         * pressed ever wraps to a next line, however narrow the terminal (a wrapped line
         * cannot be redrawn in place or erased).
         */
        static int columns(int width) {
            return Math.max(1, width - 3);
        }

        /** What the terminal may echo after the bar: {@code ^C}. */
        static final int ECHO = 2;

        /**
         * One line of at most {@code columns} characters, of whole fields: the percentage, the
         * bar, the bytes received and the total, the rate, the ETA and (with several objects)
         * how many are done. Fields that do not fit are left out, never cut: first the bar
         * (drawn only with room for 10 cells), then the rate, the objects, the ETA, the total,
         * the bytes; the percentage last.
         */
        String render(Totals t, int columns) {
            String pct = t.total() > 0 ? String.format(Locale.ROOT, "%3d%%", (int) (100 * (double) t.received() / t.total()))
                    : "";
            String bytes = ByteSize.format(t.received());
            String total = t.total() >= 0 ? bytes + " / " + ByteSize.format(t.total()) : bytes;
            double r = rate();
            String rate = r > 0 ? ByteSize.rate(r) : "";
            String eta = t.total() >= 0 ? "ETA " + Meter.clock(eta(t)) : "";
            String objects = jobs.size() > 1 ? t.done() + "/" + t.count() + " objects"
                    + (t.failed() > 0 ? ", " + t.failed() + " failed" : "") : "";
            // in the order shown; each choice leaves out one more field than the one before
            List<List<String>> choices = List.of(List.of(total, rate, eta, objects), List.of(total, eta, objects),
                    List.of(total, eta), List.of(total), List.of(bytes), List.of());
            for (List<String> fields : choices) {
                String right = String.join("  ", fields.stream().filter(f -> !f.isEmpty()).toList());
                String line = pct.isEmpty() || right.isEmpty() ? pct + right : pct + "  " + right;
                if (line.length() > columns) {
                    continue;
                }
                int room = columns - line.length() - 2;   // " [" ... "]" in place of the two blanks
                if (room >= 10 && t.total() > 0 && !right.isEmpty()) {
                    int fill = (int) Math.min(room, room * (double) t.received() / t.total());
                    return pct + " [" + String.valueOf(unicode ? '\u2588' : '#').repeat(fill)
                            + String.valueOf(unicode ? '\u2591' : '-').repeat(room - fill) + "] " + right;
                }
                return line;
            }
            return "";
        }

        @Override
        void erase() {
            if (drawn > 0) {
                out.print(home(Math.max(1, width.getAsInt())) + CLEAR_BELOW);
                out.flush();
                drawn = 0;
            }
        }

        @Override
        synchronized void finished(Job job, Summary s) {
            erase();
            out.printf(Locale.ROOT, "Received %s in %.2f s (%s)%s%n", ByteSize.format(s.bytes()),
                    s.elapsed().toNanos() / 1e9, ByteSize.rate(s.rate()),
                    s.output().equals("-") && job.target().kind() == Output.Kind.NONE ? "" : " -> " + Visible.of(s.output()));
            if (s.sha256() != null && showHashes) {
                out.println("SHA-256 " + s.sha256() + (jobs.size() > 1 ? "  " + Visible.of(s.output()) : ""));
            }
            if ("content".equals(s.verified())) {
                out.printf(Locale.ROOT, "Verified every byte: %,d blocks, %,d of them out of order%n", s.blocks(),
                        s.outOfOrder());
            } else if (s.verified() != null) {
                out.println("Verified: " + s.verified() + " matches");
            }
            out.flush();
        }

        @Override
        synchronized void skipped(Job job) {
            erase();
            out.println(Visible.of("Skipped " + job.spec().name() + ": " + job.target().shown() + " exists"));
            out.flush();
        }

        @Override
        synchronized void retrying(Job job, int attempt, int attempts, Duration wait, String reason) {
            erase();
            out.println(Visible.of("Retrying " + job.spec().name() + " in " + Durations.format(wait) + " (attempt "
                    + attempt + " of " + attempts + ", from the start): " + reason));
            out.flush();
        }

        @Override
        synchronized void tally(int count, int received, int skipped, int failed) {
            erase();
            List<String> others = new ArrayList<>();
            if (skipped > 0) {
                others.add(skipped + " skipped");
            }
            if (failed > 0) {
                others.add(failed + " failed");
            }
            out.println("Received " + received + " of " + count + " objects" + (others.isEmpty() ? ""
                    : "; " + String.join(", ", others)));
            out.flush();
        }
    }

    /**
     * Shows nothing ({@code --progress=none} / {@code --quiet}) but what was
     * asked for: with {@code --sha256}, the hash alone (with several objects,
     * {@code HASH  OUTPUT} as sha256sum prints it).
     */
    static final class Quiet extends Display {
        Quiet(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        long intervalMillis() {
            return 60_000;
        }

        @Override
        void header() {
        }

        @Override
        void tick(long nanos, boolean timer) {
        }

        @Override
        synchronized void finished(Job job, Summary s) {
            if (s.sha256() != null && showHashes) {
                out.println(jobs.size() > 1 ? s.sha256() + "  " + Visible.of(s.output()) : s.sha256());
                out.flush();
            }
        }

        @Override
        synchronized void skipped(Job job) {
        }

        @Override
        void tally(int count, int received, int skipped, int failed) {
        }

        @Override
        void retrying(Job job, int attempt, int attempts, Duration wait, String reason) {
        }
    }
}
