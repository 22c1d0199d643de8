package io.github.wdstci.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * A live bar redrawn in place (percent, bytes, smoothed rate, ETA; with
 * several objects how many are done), and a sentence per object at the
 * end. Drawn from the first byte on, and never after the run failed.
 */
final class BarDisplay extends Display {
    private final IntSupplier width;
    private final boolean unicode;
    private int drawn;                    // length of the bar on screen; 0: none

    BarDisplay(PrintStream out, PrintStream err, IntSupplier width) {
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
