package io.github.wdstci.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows nothing ({@code --progress=none} / {@code --quiet}) but what was
 * asked for: with {@code --sha256}, the hash alone (with several objects,
 * {@code HASH  OUTPUT} as sha256sum prints it).
 */
final class QuietDisplay extends Display {
    QuietDisplay(PrintStream out, PrintStream err) {
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
