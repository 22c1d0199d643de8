package io.github.wdstci.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A figure combined over the runs: the mean of the runs' values, the largest
 * of their errors, and the run-to-run spread ((max - min) / mean; NaN with a
 * single run).
 */
record Figure(double value, double error, double spread, int runs, String unit) {

    static Figure of(List<Measured> perRun) {
        List<Measured> ms = perRun.stream().filter(Objects::nonNull).filter(m -> Double.isFinite(m.value())).toList();
        if (ms.isEmpty()) {
            return null;
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double err = Double.NaN;
        for (Measured m : ms) {
            sum += m.value();
            min = Math.min(min, m.value());
            max = Math.max(max, m.value());
            if (Double.isFinite(m.error())) {
                err = Double.isNaN(err) ? m.error() : Math.max(err, m.error());
            }
        }
        double mean = sum / ms.size();
        double spread = ms.size() < 2 ? Double.NaN : mean == 0 ? 0 : (max - min) / Math.abs(mean);
        return new Figure(mean, err, spread, ms.size(), ms.get(0).unit());
    }

    /** Decimals for a value of this size: 3 significant digits or so, never fewer than whole units. */
    static int decimals(double v) {
        double a = Math.abs(v);
        return a >= 100 || a == 0 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
    }

    /** {@code 731 ± 12 (Δ2.1%)}: value, error, run-to-run spread. */
    String format() {
        return format(decimals(value));
    }

    String format(int decimals) {
        String f = "%." + decimals + "f";
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, f, value));
        b.append(" ± ").append(Double.isFinite(error) ? String.format(Locale.ROOT, f, error) : "?");
        if (Double.isFinite(spread)) {
            b.append(String.format(Locale.ROOT, " (Δ%.1f%%)", 100 * spread));
        }
        return b.toString();
    }

    /** Just the value, e.g. for ratios in the summary. */
    String formatValue(String fmt) {
        return String.format(Locale.ROOT, fmt, value);
    }

    static String format(Figure f) {
        return f == null ? "n/a" : f.format();
    }
}
