package io.github.wdstci.bench;

/**
 * The clock of the whole-process start-up family ({@link ProcessStartup}): the
 * launching process passes its {@code System.nanoTime()} just before it starts
 * the JVM as {@code -D}{@value #T0_PROPERTY}; on Linux that is
 * {@code CLOCK_MONOTONIC}, one clock for every process, so the child can tell
 * how long after its launch something happened. Without the property (an
 * application run by hand) times count from {@code main}.
 */
final class StartupClock {

    static final String T0_PROPERTY = "startup.t0";

    private final long t0;
    private final long main;

    private StartupClock(long t0, long main) {
        this.t0 = t0;
        this.main = main;
    }

    /** Call first thing in {@code main}. */
    static StartupClock atMain() {
        long now = System.nanoTime();
        String t0 = System.getProperty(T0_PROPERTY);
        return new StartupClock(t0 == null ? now : Long.parseLong(t0), now);
    }

    /** Prints, for the launcher to read, when main ran and when the first block came (ms after launch). */
    void report(long firstBlockNanos) {
        System.out.println("main-ms=" + (main - t0) / 1e6);
        System.out.println("first-block-ms=" + (firstBlockNanos - t0) / 1e6);
    }
}
