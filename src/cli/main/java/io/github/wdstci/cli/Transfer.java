package io.github.wdstci.cli;

import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.wdstci.Resumable;

/**
 * One wdsget run of {@code get} or {@code demo}: one or more objects,
 * received concurrently into their outputs, with one display and one exit
 * code (that of the worst outcome, see {@link Outcome#worst}).
 *
 * <p>Before any session starts, the options are checked against each other
 * and every output is decided ({@link Plan}, {@link Output}), part files of
 * dead wdsget processes are removed ({@link FileSink#removeStaleParts}; with
 * {@code -c}, those of the objects' files are taken over first, {@link Continuation}), and
 * the transport library is identified. Then each object runs on a thread of
 * its own ({@link Attempts}): its session receives into its {@link Sink},
 * which is verified and put in place only once complete, and a transient
 * failure or a stall starts the object over, as often as {@code --retries}
 * allows. The files beside the objects are written once they are in place
 * ({@link ExtraFiles}); {@code --log} records what happens ({@link EventLog}),
 * and a run of several objects ends with their {@link Tally}.
 *
 * <p>Ctrl-C (SIGINT) and SIGTERM, from the start of {@link #run()} (handed
 * over by {@link Signals}' shutdown hook), and {@code --timeout} a timer, stop
 * the run: every session is cancelled (CancelSession), every output that is
 * not complete is removed, one line says so, and the hook lets the JVM exit
 * (with 128 + the signal) only after that.
 */
final class Transfer {

    /**
     * How long wdsget waits, once told to stop (signal or --timeout), for the transport to end
     * its sessions. 30 s; {@code -Dwdsget.stopWaitMillis} changes it (for the tests of a
     * transport that never ends them).
     */
    private static final Duration HOOK_WAIT = Duration.ofMillis(Long.getLong("wdsget.stopWaitMillis", 30_000));

    private final List<Job.Spec> specs;
    private final boolean keepless;
    private final TransferSettings settings;
    private final WdsGet.Context context;
    private final CountDownLatch reported = new CountDownLatch(1);
    private final Stopping stopping = new Stopping();
    private volatile boolean leaving;                           // giving up on a transport that did not stop
    private final AtomicBoolean notEndedSaid = new AtomicBoolean();
    private volatile int exitCode = -1;                         // run()'s, once it has reported
    private volatile EventLog log = EventLog.NONE;
    private Display display;
    private Tally tally;
    /** --timeout, notes that wait for something (a FIFO's reader); its thread starts with the first task. */
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
            .daemon().name("wdsget-timer").unstarted(r));

    /**
     * @param specs    the objects, in the order given
     * @param keepless without {@code --output}, keep nothing (demo) rather than write each under its own name
     */
    Transfer(List<Job.Spec> specs, boolean keepless, TransferSettings settings, WdsGet.Context context) {
        this.specs = specs;
        this.keepless = keepless;
        this.settings = settings;
        this.context = context;
    }

    /** Runs the transfer; returns the exit code. */
    int run() {
        // the display is on standard error; with an object or its metadata on standard output,
        // the quiet display's hash goes there too
        boolean dataOnStdout = settings.output().isStdout() || (settings.metadata() != null
                && new Output(settings.metadata(), Output.IfExists.FAIL, false, false).isStdout());
        display = Displays.create(settings.mode(), context.errTerminal(), context.err(),
                dataOnStdout ? context.err() : context.out(), context.errWidth());
        display.showHashes = settings.sha256() != null;
        tally = new Tally(display);
        if (settings.mode() == Display.Mode.BAR && !context.errTerminal()) {
            display.note("note: --progress=bar needs standard error on a terminal; showing lines");
        }
        if (!Signals.handOver(this::onSignal)) {
            // a signal came first and was reported; the JVM is exiting with its code
            return Outcome.Stop.signal().outcome().exitCode();
        }
        Outcome worst = Outcome.SUCCESS;
        List<Job> active = new ArrayList<>();
        Transport transport = null;
        try {
            // A signal from here on stops the run (onSignal): each step before the sessions
            // checks for it, and end() says so.
            Plan plan = new Plan(specs, keepless, settings, context.outTerminal(), display);
            Outcome pre = plan.check();
            if (pre != null) {
                return end(pre, active);
            }
            if (settings.log() != null) {
                try {
                    log = EventLog.open(settings.log(), context.err());
                } catch (Outcome.Problem e) {
                    display.failed(e.getMessage());
                    return end(e.outcome(), active);
                }
                log.event("wdsget " + WdsGet.version() + " starts (" + WdsGet.java() + "): " + specs.size()
                        + (specs.size() == 1 ? " object" : " objects") + ", " + settings.retries().attempts()
                        + (settings.retries().attempts() == 1 ? " attempt" : " attempts") + " each"
                        + (settings.stallTimeout() == null ? "" : ", --stall-timeout " + Durations.format(settings.stallTimeout()))
                        + (settings.timeout() == null ? "" : ", --timeout " + Durations.format(settings.timeout())));
            }
            if (settings.warning() != null) {
                display.note(settings.warning());
            }
            ExtraFiles extras = new ExtraFiles(settings, display, log, context.stdout());
            worst = plan.prepare(active, extras, tally, this::sink);
            if (active.isEmpty() || stopping.reason() != null) {
                return end(worst, active);
            }
            if (settings.resume()) {
                // first: removeStaleParts would remove them
                Continuation.takeOver(active, specs.size() > 1, log, settings.quiet() ? null : display, this::sink);
            }
            removeStaleParts(active);
            if (stopping.reason() != null) {
                return end(worst, active);
            }

            Transport.Identity lib = Transport.identify();
            if (!lib.loaded()) {
                display.failed("cannot load the transport library: " + oneLine(lib.loadError()));
                return end(Outcome.worst(worst, Outcome.FAILURE), active);
            }
            if (settings.standInNote() && lib.standIn() && !settings.quiet()) {
                display.note("note: the transport is the " + lib.text() + "; no WDS server is contacted");
            }
            log.event("transport: " + lib.text() + "; exports CancelSessionEx: " + (lib.cancelEx() ? "yes" : "no")
                    + ", NegotiateRequiredDataRange: " + (lib.negotiation() ? "yes" : "no")
                    + (lib.negotiation() ? " (a retry, or -c, asks for the missing ranges of a partial file only)"
                    : " (a retry, or -c, starts a partial file over: only the whole object can be asked for)"));
            for (Job j : active) {
                j.transport(lib.text());
                log.event(j.spec(), "request: server " + j.request().server() + ", namespace " + j.request().namespace()
                        + ", object " + j.request().objectName() + ", " + (j.request().authLevel()
                        == io.github.wdstci.AuthLevel.AUTH ? "authenticated" : "unauthenticated") + ", into "
                        + j.target().shown());
            }
            try {
                transport = Transport.open();
            } catch (Throwable t) {
                Outcome.Failure f = Outcome.classify(t, active.get(0).spec(), null);
                display.failed("cannot open the transport: " + f.message());
                return end(Outcome.worst(worst, f.outcome()), active);
            }
            if (stopping.reason() != null) {
                return end(worst, active);
            }

            if (settings.timeout() != null) {
                timers.schedule(() -> stop(Outcome.Stop.timeout(settings.timeout())),
                        settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
                timers.schedule(this::giveUp, settings.timeout().plus(HOOK_WAIT).toNanos(), TimeUnit.NANOSECONDS);
            }
            stopping.add(active);
            display.begin(active);
            Attempts attempts = new Attempts(transport, settings, display, log, stopping, timers, extras, tally,
                    this::sink);
            worst = Outcome.worst(worst, receiveAll(attempts, active));
            worst = Outcome.worst(worst, extras.writeSums(active));
            return end(worst, active);
        } finally {
            display.close();
            log.event("exit " + (exitCode >= 0 ? exitCode : "(none: stopped before the end)"));
            log.close();
            if (transport != null) {
                transport.close();
            }
            timers.shutdownNow();            // after the close: giveUp() also covers a close that does not return
            Signals.ended();                // a signal from now on changes nothing (if onSignal runs, it waits)
            reported.countDown();
        }
    }

    /** The run's exit code; a stop (signal, --timeout) that came meanwhile counts, and one line says so. */
    private int end(Outcome worst, List<Job> active) {
        Outcome.Stop s = stopping.reason();
        if (s != null) {
            worst = Outcome.worst(worst, s.outcome());
            display.failed(s.message() + "; " + abandoned(active));
            log.event(s.message() + "; " + abandoned(active));
        }
        if (specs.size() > 1 && stopping.sessions()) {
            tally.report(specs.size());
        }
        exitCode = worst.exitCode();
        return exitCode;
    }

    /**
     * A new sink for an object's output: for its first attempt, and for each retry. A regular
     * file of {@code get} is resumable, and continues {@code from} when given; the demo's is not
     * (it checks that every block arrives, exactly once).
     */
    private Sink sink(Job.Spec spec, Output.Target target, Resumable from) {
        if (target.kind() == Output.Kind.FILE && spec.syntheticSeed() == null) {
            return new FileSink(target.path(), target.shown(), target.ifExists(), FileSink.object(spec.request()), from,
                    settings.resume(), settings.hashes());
        }
        boolean toStdout = target.kind() == Output.Kind.STDOUT;
        WritableByteChannel stdout = toStdout ? context.stdout().get() : null;
        return target.sink(stdout, toStdout && context.outDropped().getAsBoolean(), settings.spoolDir(),
                settings.hashes());
    }

    /** Removes the temporary files of dead wdsget processes from every output directory (said under -v). */
    private void removeStaleParts(List<Job> active) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Job j : active) {
            Path d = j.target().directory();
            if (d != null) {
                dirs.add(d);
            }
        }
        for (Path d : dirs) {
            FileSink.removeStaleParts(d, m -> {
                if (settings.verbose()) {
                    display.note(m);
                }
            });
        }
    }

    /** Runs every object's session, at most {@code parallel} at once; the worst outcome. */
    private Outcome receiveAll(Attempts attempts, List<Job> active) {
        Semaphore slots = new Semaphore(Math.max(1, settings.parallel()));
        Outcome worst = Outcome.SUCCESS;
        try (ExecutorService threads = Executors.newThreadPerTaskExecutor(
                Thread.ofPlatform().daemon().name("wdsget-job-", 0).factory())) {
            List<Future<Outcome>> results = new ArrayList<>();
            for (Job j : active) {
                results.add(threads.submit(() -> {
                    slots.acquire();
                    try {
                        // the call's count: an object left alone by skipped ones still names itself
                        return attempts.receive(j, specs.size() > 1);
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<Outcome> r : results) {
                try {
                    worst = Outcome.worst(worst, r.get());
                } catch (ExecutionException e) {
                    display.failed("internal error: " + e.getCause());
                    worst = Outcome.worst(worst, Outcome.FAILURE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop(Outcome.Stop.signal());
                }
            }
        }
        return worst;
    }

    /** What the stopped run left behind, for its one line. */
    private String abandoned(List<Job> active) {
        if (!stopping.sessions()) {
            // stopped before any session started: no output was touched
            return active.size() == 1 ? active.get(0).sink().abandoned() : "nothing was received";
        }
        List<String> left = new ArrayList<>();
        for (Job j : active) {
            // not those that had failed before the stop: their own line said what became of them
            if (j.progress().failed() && !stopping.endedBeforeStop(j)) {
                left.add(j.sink().abandoned());
            }
        }
        if (left.isEmpty()) {
            return "no object was still arriving";
        }
        List<String> distinct = List.copyOf(new LinkedHashSet<>(left));
        return active.size() == 1 ? distinct.get(0)
                : left.size() + (left.size() == 1 ? " object" : " objects") + " still arriving: "
                        + String.join(", ", distinct);
    }

    /** Stops the run: the first reason wins; every session is cancelled and every blocked output unblocked. */
    void stop(Outcome.Stop why) {
        List<Job> all = stopping.stop(why);
        if (all == null) {
            return;
        }
        Display d = display;
        if (d != null) {
            d.halt();                // no more progress: what follows is the run's end
            if (settings.verbose()) {
                d.note("note: " + why.message() + "; stopping every session");
            }
        }
        for (Job j : all) {
            Transport.Running r = j.running();
            if (r != null) {
                if (why.outcome() == Outcome.TIMED_OUT) {
                    r.timeOut(why.message());
                } else {
                    r.cancel();
                }
            }
            j.sink().interrupt();
        }
    }

    /**
     * The shutdown hook's body: stop, then let {@link #run()} clean up and report before the
     * JVM exits; if the transport has not ended {@link #HOOK_WAIT} later, says so and lets
     * the JVM go.
     */
    private void onSignal() {
        if (leaving) {
            return;                  // giveUp() is exiting and has said why
        }
        boolean ended = exitCode >= 0 || reported.getCount() == 0;
        Outcome.Stop before = stopping.reason();  // --timeout's, when it came first
        if (!ended) {
            stop(Outcome.Stop.signal());
        }
        try {
            if (!reported.await(HOOK_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                notEnded();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ended || before != null) {
            // The signal changed nothing: the run had ended (a Ctrl-C just after the last object
            // arrived), or --timeout had stopped it first and its message is the one shown. Its own
            // exit code stands, not the signal's, which the JVM would otherwise exit with.
            int code = exitCode >= 0 ? exitCode : before.outcome().exitCode();
            context.out().flush();
            context.err().flush();
            Runtime.getRuntime().halt(code);
        }
    }

    /**
     * {@link #HOOK_WAIT} after {@code --timeout} stopped the run: a transport that has still
     * not ended its sessions (a DLL that does not honour the cancel) would keep wdsget
     * forever, so it says so and exits with the timeout's code.
     */
    private void giveUp() {
        Outcome.Stop s = stopping.reason();
        if (s == null || reported.getCount() == 0) {
            return;
        }
        leaving = true;
        notEnded();
        System.exit(s.outcome().exitCode());
    }

    /**
     * The library's load error on one line: it has a line per candidate tried, and an error is
     * one line (a newline in it would be shown as {@code \n}).
     */
    static String oneLine(String message) {
        List<String> lines = String.valueOf(message).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.isEmpty() ? "" : lines.get(0) + (lines.size() > 1
                ? " " + String.join("; ", lines.subList(1, lines.size())) : "");
    }

    private void notEnded() {
        if (!notEndedSaid.compareAndSet(false, true)) {
            return;                  // the signal's hook and the give-up timer may both get here
        }
        Outcome.Stop s = stopping.reason();
        context.err().println((context.errTerminal() ? "\r" : "") + "wdsget: " + (s != null ? Visible.of(s.message()) + "; " : "")
                + "the transport did not end its"
                + " sessions within " + Durations.format(HOOK_WAIT) + " of being told to stop; leaving without it"
                + " (a partial output may remain as a hidden .part file, removed by the next run)");
        context.err().flush();
    }
}
