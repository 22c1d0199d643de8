package io.github.wdstci.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.github.wdstci.AuthLevel;

/** Plain lines for logs and scripts: {@code progress bytes=.. total=.. percent=.. rate=.. eta=..}. */
final class LinesDisplay extends Display {
    private long printedBytes = -1;
    private long printedTotal = -2;

    LinesDisplay(PrintStream out, PrintStream err) {
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

    private static String percent(long received, long total) {
        return total > 0 ? String.format(Locale.ROOT, "%.1f", 100.0 * received / total) : total == 0 ? "100.0" : "-";
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
