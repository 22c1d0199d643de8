package io.github.wdstci.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.Resumable;

/**
 * One object's transfer, from opening its output to its summary, over as many attempts as
 * {@code --retries} gives a transient failure ({@link Retries}). Each attempt receives into a
 * sink of its own: a regular file's continues the part file the failed attempt kept (asking the
 * transport for the missing ranges only), any other starts from the object's first byte (the
 * failed attempt's output was discarded). When no attempt is left, the part file kept goes,
 * unless {@code -c} keeps it for a later run. {@code --stall-timeout} ends an attempt that
 * receives nothing for that long; {@code --log} records each. A file that {@code --if-exists=skip} keeps, found at the output when an
 * attempt's session starts or when the object is put in place, skips the object.
 */
final class Attempts {

    private final Transport transport;
    private final TransferSettings settings;
    private final Display display;
    private final EventLog log;
    private final Stopping stopping;
    private final ScheduledExecutorService timers;
    private final ExtraFiles extras;
    private final Tally tally;
    private final Sinks sinks;

    /** Makes an object's sinks: for its first attempt, and for each retry. */
    @FunctionalInterface
    interface Sinks {
        /**
         * A new sink for {@code job}'s output.
         *
         * @param from the part file a failed attempt kept, to continue; null to start anew
         */
        Sink make(Job.Spec job, Output.Target target, Resumable from);
    }

    /**
     * @param stopping the run's stop: no session starts after it, and a retry's wait ends at it
     * @param timers   for {@code --stall-timeout} and the notes that wait for something
     * @param extras   the files beside the objects: the metadata is saved once the object is in place
     * @param tally    told of each object received or skipped
     * @param sinks    a new sink for an object's output, for each retry
     */
    Attempts(Transport transport, TransferSettings settings, Display display, EventLog log, Stopping stopping,
             ScheduledExecutorService timers, ExtraFiles extras, Tally tally, Sinks sinks) {
        this.transport = transport;
        this.settings = settings;
        this.display = display;
        this.log = log;
        this.stopping = stopping;
        this.timers = timers;
        this.extras = extras;
        this.tally = tally;
        this.sinks = sinks;
    }

    /**
     * One object, from opening its output to its summary, over as many attempts as
     * {@code --retries} gives a transient failure; its outcome.
     */
    Outcome receive(Job job, boolean several) {
        String prefix = several ? job.spec().name() + ": " : "";
        for (int attempt = 1; ; attempt++) {
            Sink sink = job.sink();
            try {
                return attempt(job, sink, attempt, prefix);
            } catch (Throwable t) {
                sink.abort();
                Resumable kept = sink instanceof FileSink f ? f.kept() : null;
                Throwable cause = Outcome.unwrap(t);
                if (cause instanceof FileSink.Kept k) {
                    // a file appeared at the output, before the session started or while the
                    // object arrived, and --if-exists=skip keeps it: not a failure, not retried
                    release(sink);
                    return outputKept(job, k, prefix);
                }
                Outcome.Failure f = Outcome.classify(cause, job.spec(), stopping.reason());
                log.event(job.spec(), "attempt " + attempt + " failed: " + f.message());
                Duration wait = stopping.reason() != null ? null : settings.retries().next(attempt, cause, sink.canStartOver());
                if (wait != null) {
                    log.event(job.spec(), "retrying in " + Durations.format(wait) + " (attempt " + (attempt + 1)
                            + " of " + settings.retries().attempts() + "), " + (kept == null ? "from the start"
                            : !Transport.identify().negotiation() ? "from the start (the transport library cannot"
                            + " ask for the missing ranges: no NegotiateRequiredDataRange)"
                            : "continuing " + kept.partFile() + " (" + kept.bytes() + " of " + kept.size()
                            + " bytes on disk)"));
                    display.retrying(job, attempt + 1, settings.retries().attempts(), wait, f.message());
                    job.progress().restart();
                    if (stopping.await(wait)) {
                        // A file's retry continues the part file the failed attempt kept, asking
                        // for the missing ranges only (or starts over, where it cannot: its sink
                        // says why); any other output is written anew from the first byte.
                        job.sink(sinks.make(job.spec(), job.target(), kept));
                        continue;
                    }
                    f = Outcome.classify(cause, job.spec(), stopping.reason());
                }
                Resumable stays = release(sink);
                if (stays != null) {
                    log.event(job.spec(), "kept " + stays.partFile() + " (" + stays.bytes() + " of " + stays.size()
                            + " bytes on disk) for 'wdsget get -c' to continue");
                }
                job.progress().end(true);
                if (stopping.reason() == null) {
                    String notRetried = wait == null && settings.retries().worthIt(attempt, cause) && !sink.canStartOver()
                            ? "; not retried: " + (job.target().kind() == Output.Kind.STDOUT
                            ? "what went to standard output cannot be taken back" : "its reader has seen the stream end")
                            : "";
                    display.failed(prefix + f.message() + (cause instanceof Outcome.Problem ? "" : "; " + sink.abandoned())
                            + notRetried);
                    if (settings.verbose()) {
                        display.stackTrace(cause);
                    }
                }
                return f.outcome();
            }
        }
    }

    /** No attempt follows: a part file kept for a retry goes, unless {@code -c} keeps it; what stays. */
    private static Resumable release(Sink sink) {
        return sink instanceof FileSink f ? f.release() : null;
    }

    /**
     * The object is not received after all: a regular file appeared at its output, and
     * {@code --if-exists=skip} keeps it (exit 0); a record or sentence and a note say so.
     */
    private Outcome outputKept(Job job, FileSink.Kept kept, String prefix) {
        job.progress().end(false);
        tally.skipped(job);
        log.event(job.spec(), "skipped: " + kept.getMessage());
        if (!settings.quiet()) {
            display.note("note: " + prefix + kept.getMessage());
        }
        return Outcome.SUCCESS;
    }

    /** One attempt at an object, into {@code sink}: SUCCESS, or the failure thrown. */
    private Outcome attempt(Job job, Sink sink, int attempt, String prefix) throws Exception {
        stopping.check();
        ScheduledFuture<?> waiting = waitingForReader(job, prefix);
        try {
            sink.prepare();
        } finally {
            if (waiting != null) {
                waiting.cancel(false);
            }
        }
        stopping.check();
        Receiver receiver = new Receiver(sink, job.progress(), job.spec().syntheticSeed(), extras.savesMetadata(),
                event -> log.event(job.spec(), event), note -> {
                    if (!settings.quiet()) {
                        display.note("note: " + prefix + note);
                    }
                });
        job.receiver(receiver);
        long started = System.nanoTime();
        Transport.Running running = stopping.start(job, () -> {
            log.event(job.spec(), "attempt " + attempt + ": starting the session");
            return transport.start(job.request(), receiver);
        });
        ScheduledFuture<?> stall = watchStall(job, running);
        try {
            running.completion().get();
        } finally {
            if (stall != null) {
                stall.cancel(false);
            }
            running.close();
        }
        Duration elapsed = job.progress().elapsed() != null ? job.progress().elapsed()
                : Duration.ofNanos(System.nanoTime() - started);
        long bytes = job.progress().fresh();
        long continued = job.progress().received() - bytes;
        String expected = job.expected() != null ? job.expected() : settings.sha256() != null ? settings.sha256()
                : settings.hashes() ? "" : null;
        String digest = sink.commit(expected, stopping::check);      // FileSink.Kept: see receive
        job.progress().end(false);
        job.digest(digest);
        if (extras.savesMetadata()) {
            extras.saveMetadata(receiver.metadata(), prefix);
        }
        boolean synthetic = job.spec().syntheticSeed() != null;
        String verified = synthetic ? "content" : digest != null && expected != null && !expected.isEmpty() ? "sha256"
                : null;
        Display.Summary summary = new Display.Summary(job.spec().name(), bytes, elapsed, sink.shown(), digest,
                verified, synthetic ? receiver.blocks() : -1, synthetic ? receiver.outOfOrder() : -1, attempt);
        log.event(job.spec(), String.format(Locale.ROOT, "received %d bytes in %.3f s (%s)%s%s%s -> %s", bytes,
                elapsed.toNanos() / 1e9, ByteSize.rate(summary.rate()), continued == 0 ? ""
                        : ", " + continued + " more were on disk already (continued)",
                digest == null ? "" : ", SHA-256 " + digest, verified == null ? "" : ", verified (" + verified + ")",
                sink.shown()));
        tally.received(job, summary);
        return Outcome.SUCCESS;
    }

    /**
     * {@code --stall-timeout}: ends the attempt (as timed out, {@link Outcome.Stalled}) once no
     * block has arrived for that long, looking every quarter of it; null without the option.
     */
    private ScheduledFuture<?> watchStall(Job job, Transport.Running running) {
        Duration limit = settings.stallTimeout();
        if (limit == null) {
            return null;
        }
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(1), limit.toNanos() / 4);
        return timers.scheduleAtFixedRate(new Runnable() {
            private long seen = job.progress().received();
            private long since = System.nanoTime();
            private boolean ended;

            @Override
            public void run() {
                long now = System.nanoTime();
                long bytes = job.progress().fresh();
        long continued = job.progress().received() - bytes;
                if (bytes != seen) {
                    seen = bytes;
                    since = now;
                } else if (!ended && now - since >= limit.toNanos()) {
                    ended = true;
                    log.event(job.spec(), "no block for " + Durations.format(limit) + ": ending the attempt");
                    running.end(new Outcome.Stalled(limit));
                }
            }
        }, period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * Opening a FIFO waits for its reader: unless one comes at once, a note says what wdsget is
     * waiting for (an output with no reader would otherwise look like a hang). Null when not a FIFO.
     */
    private ScheduledFuture<?> waitingForReader(Job job, String prefix) {
        Output.Target t = job.target();
        if (settings.quiet() || t.kind() != Output.Kind.STREAM || !Output.isFifo(t.path())) {
            return null;
        }
        return timers.schedule(() -> display.note("note: " + prefix + "waiting for a reader of the FIFO " + t.shown()
                + " (e.g. 'cat " + t.shown() + " > FILE' elsewhere; Ctrl-C stops)"), 500, TimeUnit.MILLISECONDS);
    }
}
