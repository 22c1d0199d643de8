package io.github.wdstci.cli;

/**
 * A smoothed transfer rate and the time left, from samples of the bytes
 * received so far.
 *
 * <p>The rate is an exponentially weighted moving average of the rate
 * between samples, with a time constant of {@link #TAU_SECONDS}, corrected
 * for its start (divided by the weight given so far), so that the first
 * sample already gives the measured rate rather than a fraction of it, and a
 * burst or a stall moves the rate smoothly instead of making it jump.
 *
 * <p>Not thread-safe: one display thread samples.
 */
final class Meter {

    /** The averaging time constant: a change in speed shows two-thirds after this long. */
    static final double TAU_SECONDS = 3.0;

    private long lastNanos;
    private long lastBytes;
    private boolean started;
    private double average;     // the EWMA, biased towards 0 by the missing history
    private double weight;      // the weight given so far: 1 - exp(-elapsed / tau)

    /**
     * Adds a sample.
     *
     * @param bytes the bytes received so far (fewer than before only when an object starts over)
     * @param nanos {@link System#nanoTime()} of the sample
     */
    void sample(long bytes, long nanos) {
        if (!started) {
            started = true;
            lastNanos = nanos;
            lastBytes = bytes;
            return;
        }
        double dt = (nanos - lastNanos) / 1e9;
        if (dt <= 0) {
            return;
        }
        if (bytes < lastBytes) {
            // an object started over (--retries): measure on from here, the rate as it was
            lastNanos = nanos;
            lastBytes = bytes;
            return;
        }
        double instant = (bytes - lastBytes) / dt;
        double w = 1 - Math.exp(-dt / TAU_SECONDS);
        average += w * (instant - average);
        weight += w * (1 - weight);
        lastNanos = nanos;
        lastBytes = bytes;
    }

    /** Bytes per second, smoothed; 0 before the second sample. */
    double rate() {
        return weight > 0 ? Math.max(0, average / weight) : 0;
    }

    /**
     * Seconds until {@code remaining} bytes arrive at the current rate, or -1
     * when unknown (no rate yet).
     */
    long etaSeconds(long remaining) {
        if (remaining <= 0) {
            return 0;
        }
        double r = rate();
        if (r <= 0) {
            return -1;
        }
        double s = Math.ceil(remaining / r);
        return s > Long.MAX_VALUE / 2.0 ? -1 : (long) s;
    }

    /** {@code 0:01:05}, {@code 12:00:00}; {@code --:--} when unknown; days beyond 99 hours. */
    static String clock(long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        if (seconds >= 100L * 3600) {
            return (seconds / 86400) + "d";
        }
        return String.format(java.util.Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds % 3600 / 60, seconds % 60);
    }
}
