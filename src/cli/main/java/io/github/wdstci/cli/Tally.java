package io.github.wdstci.cli;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What became of a run's objects, said as each ends and counted: received and put in place,
 * or skipped because its output exists ({@code --if-exists=skip}); the others failed. A run of
 * several objects ends with the counts ({@link #report}).
 */
final class Tally {

    private final Display display;
    private final AtomicInteger received = new AtomicInteger();    // objects put in place
    private final AtomicInteger skipped = new AtomicInteger();     // objects whose output exists (skip)

    Tally(Display display) {
        this.display = display;
    }

    /** An object arrived and was put in place. */
    void received(Job job, Display.Summary summary) {
        display.finished(job, summary);
        received.incrementAndGet();
    }

    /** An object was not received because its output exists: at the start, or by the end of its transfer. */
    void skipped(Job job) {
        display.skipped(job);
        skipped.incrementAndGet();
    }

    /** The run's end, for {@code count} objects: how many were received, skipped and failed. */
    void report(int count) {
        int got = received.get();
        int kept = skipped.get();
        display.tally(count, got, kept, count - got - kept);
    }
}
