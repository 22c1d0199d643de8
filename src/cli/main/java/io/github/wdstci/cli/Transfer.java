package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.wdstci.TargetExistsException;

/**
 * One wdsget run of {@code get} or {@code demo}: one or more objects,
 * received concurrently into their outputs, with one display and one exit
 * code (that of the worst outcome, see {@link Outcome#worst}).
 *
 * <p>Before any session starts, every output is checked ({@link Output}),
 * part files of dead wdsget processes are removed ({@link FileSink#removeStaleParts}),
 * and the transport library is identified. Then each object runs on a thread
 * of its own: its session receives into its {@link Sink}, which is verified
 * and put in place only once complete. A transient failure or a stall starts
 * the object over, as often as {@code --retries} allows ({@link Retries}), and
 * {@code --log} records what happens ({@link EventLog}).
 *
 * <p>Ctrl-C (SIGINT) and SIGTERM, from the start of {@link #run()} (handed
 * over by {@link Signals}' shutdown hook), and {@code --timeout} a timer, stop
 * the run: every session is cancelled (CancelSession), every output that is
 * not complete is removed, one line says so, and the hook lets the JVM exit
 * (with 128 + the signal) only after that.
 */
final class Transfer {

    /** The settings of a run, from the command line. */
    record Settings(Output output, String sha256, String metadata, Duration timeout, int parallel, Path spoolDir,
                    Display.Mode mode, boolean quiet, boolean verbose, boolean standInNote, String warning,
                    Retries retries, Duration stallTimeout, String log, String sha256File, String check) {

        /** Whether each object's SHA-256 is computed: to print, to check or to list it. */
        boolean hashes() {
            return sha256 != null || sha256File != null || check != null;
        }
    }

    /**
     * How long wdsget waits, once told to stop (signal or --timeout), for the transport to end
     * its sessions. 30 s; {@code -Dwdsget.stopWaitMillis} changes it (for the tests of a
     * transport that never ends them).
     */
    private static final Duration HOOK_WAIT = Duration.ofMillis(Long.getLong("wdsget.stopWaitMillis", 30_000));

    private final List<Job.Spec> specs;
    private final boolean keepless;
    private final Settings settings;
    private final WdsGet.Context context;
    private final CountDownLatch reported = new CountDownLatch(1);
    private final List<Job> jobs = new ArrayList<>();           // guarded by this once sessions run
    private volatile Outcome.Stop stop;
    private volatile boolean leaving;                           // giving up on a transport that did not stop
    private final java.util.concurrent.atomic.AtomicBoolean notEndedSaid = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int exitCode = -1;                         // run()'s, once it has reported
    private final Set<Job> endedBeforeStop = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopped = new CountDownLatch(1);  // counted down by stop(): ends a retry's wait
    private volatile EventLog log = EventLog.NONE;
    private Checksums checks;                                        // --check's list, once read
    private Output.Target sumsTarget;                                // --sha256-file's, once decided
    private final AtomicInteger received = new AtomicInteger();    // objects put in place
    private final AtomicInteger skipped = new AtomicInteger();     // objects whose output exists (skip)
    private Display display;
    private Output.Target metadataTarget;
    private FileSink.Whole metadataFile;                             // its file, when a regular file
    private FileSink.Whole sumsFile;                                 // --sha256-file's, when a regular file
    /** --timeout, notes that wait for something (a FIFO's reader); its thread starts with the first task. */
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
            .daemon().name("wdsget-timer").unstarted(r));

    /**
     * @param specs    the objects, in the order given
     * @param keepless without {@code --output}, keep nothing (demo) rather than write each under its own name
     */
    Transfer(List<Job.Spec> specs, boolean keepless, Settings settings, WdsGet.Context context) {
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
            Outcome pre = check();
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
            worst = prepareJobs(active);
            if (active.isEmpty() || stop != null) {
                return end(worst, active);
            }
            removeStaleParts(active);
            if (stop != null) {
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
                    + " (no range negotiated: each attempt asks for the whole object)");
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
            if (stop != null) {
                return end(worst, active);
            }

            if (settings.timeout() != null) {
                timers.schedule(() -> stop(Outcome.Stop.timeout(settings.timeout())),
                        settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
                timers.schedule(this::giveUp, settings.timeout().plus(HOOK_WAIT).toNanos(), TimeUnit.NANOSECONDS);
            }
            synchronized (this) {
                jobs.addAll(active);
            }
            display.begin(active);
            worst = Outcome.worst(worst, receiveAll(transport, active));
            worst = Outcome.worst(worst, writeSums(active));
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
        Outcome.Stop s = stop;
        if (s != null) {
            worst = Outcome.worst(worst, s.outcome());
            display.failed(s.message() + "; " + abandoned(active));
            log.event(s.message() + "; " + abandoned(active));
        }
        boolean ran;
        synchronized (this) {
            ran = !jobs.isEmpty();
        }
        if (specs.size() > 1 && ran) {
            int got = received.get();
            int kept = skipped.get();
            display.tally(specs.size(), got, kept, specs.size() - got - kept);
        }
        exitCode = worst.exitCode();
        return exitCode;
    }

    /** Checks the options against each other; a usage problem's exit code, or null. */
    private Outcome check() {
        String sha = settings.sha256();
        boolean several = specs.size() > 1;
        String problem = null;
        if (sha != null && !sha.isEmpty() && !sha.matches("(?i)[0-9a-f]{64}")) {
            problem = "--sha256 expects 64 hex digits: '" + sha + "'";
        } else if (several && sha != null && !sha.isEmpty()) {
            problem = "--sha256=HEX checks one object; with several, give --sha256 alone to print each hash";
        } else if (several && settings.metadata() != null) {
            problem = "--metadata saves the metadata of one object; give one object";
        } else if (settings.hashes() && keepless && settings.output().given() == null) {
            problem = (sha != null ? "--sha256" : settings.sha256File() != null ? "--sha256-file" : "--check")
                    + " needs --output: without it the demo keeps nothing to hash"
                    + " (every byte is checked against the synthetic content anyway)";
        } else if (settings.check() != null && sha != null && !sha.isEmpty()) {
            problem = "--check and --sha256=HEX both give the SHA-256 to require: give one of them";
        } else if (settings.metadata() != null && settings.output().isStdout() && "-".equals(settings.metadata())) {
            problem = "--metadata - and --output - would both write to standard output";
        } else if ("-".equals(settings.sha256File()) && (settings.output().isStdout() || "-".equals(settings.metadata()))) {
            problem = "--sha256-file - and " + (settings.output().isStdout() ? "--output -" : "--metadata -")
                    + " would both write to standard output";
        } else if (settings.sha256File() != null && settings.sha256File().isBlank()) {
            problem = "--sha256-file is empty: give a file or - for standard output";
        } else if (settings.log() != null && settings.log().isBlank()) {
            problem = "--log is empty: give a file or - for standard error";
        } else if (context.outTerminal() && (settings.output().isStdout() || (settings.metadata() != null
                && new Output(settings.metadata(), Output.IfExists.FAIL, false, false).isStdout()))) {
            problem = "standard output is a terminal: " + (settings.output().isStdout() ? "the object's" : "the metadata's")
                    + " bytes would be written onto it; redirect it (> FILE, or | COMMAND), or give a file";
        } else if (settings.output().given() != null && settings.output().given().isBlank()) {
            problem = "--output is empty: give a file, a directory (ending in /) or - for standard output";
        } else if (settings.metadata() != null && settings.metadata().isBlank()) {
            problem = "--metadata is empty: give a file or - for standard output";
        } else if (settings.spoolDir() != null && settings.spoolDir().toString().isBlank()) {
            problem = "--spool-dir is empty: give an existing directory";
        } else if (settings.spoolDir() != null && !Files.isDirectory(settings.spoolDir())) {
            problem = "--spool-dir is not an existing directory: " + settings.spoolDir();
        } else if (settings.output().deviceProblem() != null) {
            problem = settings.output().deviceProblem();
        } else if (settings.check() != null && (checks = readChecks()) == null) {
            return Outcome.USAGE;            // said by readChecks
        } else {
            Set<String> seen = new HashSet<>();
            for (Job.Spec spec : specs) {
                if (!seen.add(spec.name())) {
                    problem = "the object '" + spec.name() + "' is given twice";
                    break;
                }
            }
        }
        if (problem != null) {
            display.failed(problem);
            return Outcome.USAGE;
        }
        return null;
    }

    /** Reads --check's list; null when it cannot be used (said). */
    private Checksums readChecks() {
        try {
            return Checksums.read(settings.check());
        } catch (Outcome.Problem e) {
            display.failed(e.getMessage());
            return null;
        }
    }

    /** An object and where it goes, decided but not yet made (no directory created). */
    private record Resolved(Job.Spec spec, Output.Target target, String expected) {
    }

    /**
     * Decides every object's output; returns the worst outcome of those that cannot run. Nothing
     * is created until the whole command line is accepted: a usage problem of any object, or of
     * the metadata file, receives nothing and leaves no directory behind.
     */
    private Outcome prepareJobs(List<Job> active) {
        boolean several = specs.size() > 1;
        Problems problems = new Problems();
        List<Resolved> resolved = new ArrayList<>();
        Set<Path> paths = new HashSet<>();
        for (Job.Spec spec : specs) {
            try {
                Output.Target target = spec.output() == null
                        ? settings.output().resolve(spec.defaultName(), several, keepless)
                        : settings.output().forObject(spec.output()).resolve(spec.defaultName(), false, false);
                if (target.path() != null && !paths.add(target.path())) {
                    throw new Outcome.Problem(Outcome.USAGE, "another object of this call is written to "
                            + target.shown() + "; receive them separately");
                }
                String expected = checks == null || target.kind() == Output.Kind.SKIP ? null
                        : checks.expected(target.shown(), target.path());
                resolved.add(new Resolved(spec, target, expected));
            } catch (Outcome.Problem e) {
                problems.add(several ? spec.name() : null, e);
            }
        }
        Output.Target meta = null;
        if (settings.metadata() != null && !problems.usage()
                && resolved.stream().anyMatch(r -> r.target().kind() != Output.Kind.SKIP)) {
            try {
                meta = resolveMetadata(resolved.get(0));
            } catch (Outcome.Problem e) {
                problems.add(null, e);
                resolved.clear();            // the one object is not received without its metadata
            }
        }
        Output.Target sums = null;
        if (settings.sha256File() != null && !problems.usage()) {
            try {
                sums = resolveSums(paths);
            } catch (Outcome.Problem e) {
                problems.add(null, e);
                resolved.clear();            // nothing is received whose digest has nowhere to go
            }
        }
        Outcome worst = problems.report(display);
        if (problems.usage()) {
            return Outcome.USAGE;
        }
        for (Resolved r : resolved) {
            Output.Target target;
            try {
                target = r.target().withDirectories();
            } catch (IOException e) {
                Outcome.Problem p = Outcome.ioProblem("cannot create the output directory " + r.target().create(), e);
                display.failed((several ? r.spec().name() + ": " : "") + p.getMessage());
                worst = Outcome.worst(worst, p.outcome());
                continue;
            }
            Job job = new Job(r.spec(), target, sink(target), new Job.Progress(() -> display.poke()), "-");
            job.expect(r.expected());
            if (target.kind() == Output.Kind.SKIP) {
                display.skipped(job);
                skipped.incrementAndGet();
                continue;
            }
            active.add(job);
        }
        try {
            sumsTarget = active.isEmpty() ? null : made(sums, "--sha256-file");
            metadataTarget = active.isEmpty() ? null : made(meta, "--metadata");
            sumsFile = whole(sumsTarget);
            metadataFile = whole(metadataTarget);
        } catch (Outcome.Problem p) {
            display.failed(p.getMessage());
            active.clear();
            return Outcome.worst(worst, p.outcome());
        }
        return worst;
    }

    /** {@code t} (a file beside the objects: {@code option}'s) once its directory exists; null for none. */
    private static Output.Target made(Output.Target t, String option) throws Outcome.Problem {
        try {
            return t == null ? null : t.withDirectories();
        } catch (IOException e) {
            throw Outcome.ioProblem("cannot create the directory of " + option + " " + t.create(), e);
        }
    }

    /**
     * The library's sink for {@code t} (a file beside the objects) when it is a regular file, else
     * null. Made with the other outputs, before the transfer: what appears at the file meanwhile
     * (a directory, say) is then found in its way, and {@code --if-exists} decides.
     */
    private static FileSink.Whole whole(Output.Target t) {
        return t != null && t.kind() == Output.Kind.FILE ? new FileSink.Whole(t.path(), t.ifExists()) : null;
    }

    /** A new sink for an object's output: for its first attempt, and for each retry (which starts over). */
    private Sink sink(Output.Target target) {
        WritableByteChannel stdout = target.kind() == Output.Kind.STDOUT ? context.stdout().get() : null;
        return target.sink(stdout, settings.spoolDir(), settings.hashes());
    }

    /** Where {@code --sha256-file} goes; a problem when it cannot go there, or an object goes there too. */
    private Output.Target resolveSums(Set<Path> outputs) throws Outcome.Problem {
        if (settings.sha256File().equals("-")) {
            return new Output.Target(Output.Kind.STDOUT, null, "-", settings.output().ifExists());
        }
        Output list = new Output(settings.sha256File(), settings.output().ifExists(), false,
                settings.output().createDirs());
        Output.Target t = list.resolve("SHA256SUMS", false, false);
        if (t.path() != null && outputs.contains(t.path())) {
            throw new Outcome.Problem(Outcome.USAGE, "--sha256-file and an object's output name the same file: "
                    + t.shown());
        }
        if (t.kind() != Output.Kind.FILE && t.kind() != Output.Kind.SKIP && t.kind() != Output.Kind.STREAM) {
            throw new Outcome.Problem(Outcome.USAGE, "--sha256-file " + t.shown() + " is not a file");
        }
        return t;
    }

    /** Where {@code --metadata} goes, for the one object; a problem when it cannot go there. */
    private Output.Target resolveMetadata(Resolved object) throws Outcome.Problem {
        Output meta = new Output(settings.metadata(), settings.output().ifExists(), false,
                settings.output().createDirs());
        Output.Target t = meta.resolve(object.spec().defaultName() + ".metadata", false, false);
        if (t.path() != null && t.path().equals(object.target().path())) {
            throw new Outcome.Problem(Outcome.USAGE, "--metadata and --output name the same file: " + t.shown());
        }
        if (t.kind() == Output.Kind.DEVICE) {
            throw new Outcome.Problem(Outcome.TARGET_EXISTS, "--metadata " + t.shown() + " is a block device");
        }
        // Kind.SKIP: the file is there and --if-exists=skip keeps it; the object, whose
        // output is free, is still received (saveMetadata says that its metadata was not kept)
        return t;
    }

    /**
     * The problems found while deciding the outputs, said once each: one that several objects
     * have alike (their one output directory) is one line without their names.
     */
    private static final class Problems {
        private final Map<String, List<String>> byMessage = new LinkedHashMap<>();
        private Outcome worst = Outcome.SUCCESS;
        private boolean usage;

        /** @param object the object's name, or null when it is the call's only one */
        void add(String object, Outcome.Problem p) {
            byMessage.computeIfAbsent(p.getMessage(), m -> new ArrayList<>()).add(object);
            worst = Outcome.worst(worst, p.outcome());
            usage |= p.outcome() == Outcome.USAGE;
        }

        boolean usage() {
            return usage;
        }

        /** Says each problem; the worst outcome. */
        Outcome report(Display display) {
            byMessage.forEach((message, objects) -> display.failed(objects.size() == 1 && objects.get(0) != null
                    ? objects.get(0) + ": " + message : message));
            return worst;
        }
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
    private Outcome receiveAll(Transport transport, List<Job> active) {
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
                        return receive(transport, j, specs.size() > 1);
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

    /**
     * One object, from opening its output to its summary, over as many attempts as
     * {@code --retries} gives a transient failure; its outcome.
     */
    private Outcome receive(Transport transport, Job job, boolean several) {
        String prefix = several ? job.spec().name() + ": " : "";
        for (int attempt = 1; ; attempt++) {
            Sink sink = job.sink();
            try {
                return attempt(transport, job, sink, attempt, prefix);
            } catch (Throwable t) {
                sink.abort();
                Throwable cause = Outcome.unwrap(t);
                if (cause instanceof FileSink.Kept kept) {
                    // a file appeared at the output, before the session started or while the
                    // object arrived, and --if-exists=skip keeps it: not a failure, not retried
                    return outputKept(job, kept, prefix);
                }
                Outcome.Failure f = Outcome.classify(cause, job.spec(), stop);
                log.event(job.spec(), "attempt " + attempt + " failed: " + f.message());
                Duration wait = stop != null ? null : settings.retries().next(attempt, cause, sink.canStartOver());
                if (wait != null) {
                    log.event(job.spec(), "retrying in " + Durations.format(wait) + " (attempt " + (attempt + 1)
                            + " of " + settings.retries().attempts() + "), from the start");
                    display.retrying(job, attempt + 1, settings.retries().attempts(), wait, f.message());
                    job.progress().restart();
                    if (awaitStop(wait)) {
                        // A retry starts over: the failed attempt's output was discarded, and a new
                        // sink writes the object from its first byte. (Resume would keep the part
                        // file and its record of the ranges received, and ask for the others.)
                        job.sink(sink(job.target()));
                        continue;
                    }
                    f = Outcome.classify(cause, job.spec(), stop);
                }
                job.progress().end(true);
                if (stop == null) {
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

    /**
     * The object is not received after all: a regular file appeared at its output, and
     * {@code --if-exists=skip} keeps it (exit 0); a record or sentence and a note say so.
     */
    private Outcome outputKept(Job job, FileSink.Kept kept, String prefix) {
        job.progress().end(false);
        display.skipped(job);
        skipped.incrementAndGet();
        log.event(job.spec(), "skipped: " + kept.getMessage());
        if (!settings.quiet()) {
            display.note("note: " + prefix + kept.getMessage());
        }
        return Outcome.SUCCESS;
    }

    /** Waits before a retry; false when the run was stopped meanwhile (a signal, --timeout). */
    private boolean awaitStop(Duration wait) {
        try {
            return !stopped.await(wait.toNanos(), TimeUnit.NANOSECONDS) && stop == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One attempt at an object, into {@code sink}: SUCCESS, or the failure thrown. */
    private Outcome attempt(Transport transport, Job job, Sink sink, int attempt, String prefix) throws Exception {
        checkStop();
        ScheduledFuture<?> waiting = waitingForReader(job, prefix);
        try {
            sink.prepare();
        } finally {
            if (waiting != null) {
                waiting.cancel(false);
            }
        }
        checkStop();
        Receiver receiver = new Receiver(sink, job.progress(), job.spec().syntheticSeed(), metadataTarget != null,
                event -> log.event(job.spec(), event));
        job.receiver(receiver);
        long started = System.nanoTime();
        Transport.Running running;
        synchronized (this) {
            checkStop();
            log.event(job.spec(), "attempt " + attempt + ": starting the session");
            running = transport.start(job.request(), receiver);
            job.running(running);
        }
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
        long bytes = job.progress().received();
        String expected = job.expected() != null ? job.expected() : settings.sha256() != null ? settings.sha256()
                : settings.hashes() ? "" : null;
        String digest = sink.commit(expected, this::checkStop);      // FileSink.Kept: see receive
        job.progress().end(false);
        job.digest(digest);
        if (metadataTarget != null) {
            saveMetadata(receiver.metadata(), prefix);
        }
        boolean synthetic = job.spec().syntheticSeed() != null;
        String verified = synthetic ? "content" : digest != null && expected != null && !expected.isEmpty() ? "sha256"
                : null;
        Display.Summary summary = new Display.Summary(job.spec().name(), bytes, elapsed, sink.shown(), digest,
                verified, synthetic ? receiver.blocks() : -1, synthetic ? receiver.outOfOrder() : -1, attempt);
        log.event(job.spec(), String.format(java.util.Locale.ROOT, "received %d bytes in %.3f s (%s)%s%s -> %s", bytes,
                elapsed.toNanos() / 1e9, ByteSize.rate(summary.rate()), digest == null ? "" : ", SHA-256 " + digest,
                verified == null ? "" : ", verified (" + verified + ")", sink.shown()));
        display.finished(job, summary);
        received.incrementAndGet();
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
                long bytes = job.progress().received();
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
     * {@code --sha256-file}: the digests of the objects received, in the order given, in
     * sha256sum's format, written once the run's objects are in place (as the metadata is).
     */
    private Outcome writeSums(List<Job> active) {
        Output.Target t = sumsTarget;
        if (t == null) {
            return Outcome.SUCCESS;
        }
        StringBuilder text = new StringBuilder();
        for (Job j : active) {
            if (j.digest() != null) {
                text.append(Checksums.line(j.digest(), j.target().shown()));
            }
        }
        if (text.isEmpty()) {
            if (!settings.quiet()) {
                display.note("note: no object was received; --sha256-file " + t.shown() + " was not written");
            }
            return Outcome.SUCCESS;
        }
        try {
            write(t, sumsFile, text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), Extra.SUMS, "");
            log.event("SHA-256 list written to " + t.shown());
            return Outcome.SUCCESS;
        } catch (Outcome.Problem e) {
            display.failed(e.getMessage());
            return e.outcome();
        } catch (IOException e) {
            display.failed(e.getMessage());       // write() words it
            return Outcome.FAILURE;
        }
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

    /**
     * A file wdsget writes beside the objects, once they are in place: {@code --metadata} or
     * {@code --sha256-file}; how its messages name it, what was received, and what it held.
     */
    private record Extra(String option, String received, String contents, String saving) {
        static final Extra METADATA = new Extra("--metadata", "the object was received", "the object's metadata",
                "saving its metadata to");
        static final Extra SUMS = new Extra("--sha256-file", "the objects were received", "the digests",
                "writing their digests to --sha256-file");
    }

    /** Writes the metadata (when the server sent some) to {@code --metadata}. */
    private void saveMetadata(byte[] metadata, String prefix) throws IOException {
        Output.Target t = metadataTarget;
        if (metadata == null) {
            if (!settings.quiet()) {
                display.note("note: " + prefix + "the server sent no metadata; " + t.shown() + " was not written");
            }
            return;
        }
        write(t, metadataFile, metadata, Extra.METADATA, prefix);
    }

    /**
     * Writes {@code bytes} to {@code t}: a regular file through {@code file}, its part file
     * renamed into place (see {@link #inTheWay}), standard output, or a FIFO or device as it is.
     */
    private void write(Output.Target t, FileSink.Whole file, byte[] bytes, Extra extra, String prefix)
            throws IOException {
        try {
            switch (t.kind()) {
                case SKIP -> kept(prefix, extra, extra.option() + " " + t.shown() + " exists");
                case FILE -> {
                    try {
                        file.write(bytes);
                    } catch (TargetExistsException e) {
                        inTheWay(e, t, extra, prefix);
                    }
                }
                case STDOUT -> write(context.stdout().get(), bytes);
                default -> {
                    try (FileChannel ch = FileChannel.open(t.path(), StandardOpenOption.WRITE)) {
                        write(ch, bytes);
                    }
                }
            }
        } catch (Outcome.Problem e) {
            throw e;
        } catch (IOException e) {
            throw Outcome.ioProblem(extra.received() + ", but " + extra.saving() + " " + t.shown() + " failed", e);
        }
    }

    /** Under --if-exists=skip, a file that is there is kept: what was to go into it is not saved. */
    private void kept(String prefix, Extra extra, String why) {
        if (!settings.quiet()) {
            display.note("note: " + prefix + why + "; it was kept and " + extra.contents() + " discarded"
                    + " (--if-exists=skip)");
        }
    }

    private static void write(WritableByteChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * The file was not put in place: what is there decides under --if-exists, as for the
     * object's own file ({@link FileSink#commit}). A regular file that appeared meanwhile was
     * replaced under overwrite; under skip it is kept (a note, exit 0), under fail too (exit 8);
     * anything else is never replaced (exit 8). The objects are in place already.
     */
    private void inTheWay(TargetExistsException e, Output.Target t, Extra extra, String prefix) throws IOException {
        boolean file = e.found() == TargetExistsException.Found.REGULAR_FILE;
        String there = e.found().words();
        if (file && t.ifExists() == Output.IfExists.SKIP) {
            kept(prefix, extra, extra.option() + " " + t.shown() + " appeared during the transfer");
            return;
        }
        throw new Outcome.Problem(Outcome.TARGET_EXISTS, extra.received() + ", but " + extra.option() + " " + t.shown()
                + " appeared during the transfer" + (file ? "" : " (" + there + ")") + "; it was kept and "
                + extra.contents() + " discarded" + (file ? " (use --if-exists=overwrite)"
                : ", only a regular file is replaced"));
    }

    private void checkStop() throws Outcome.Problem {
        Outcome.Stop s = stop;
        if (s != null) {
            throw new Outcome.Problem(s.outcome(), s.message());
        }
    }

    /** What the stopped run left behind, for its one line. */
    private String abandoned(List<Job> active) {
        synchronized (this) {
            if (jobs.isEmpty()) {
                // stopped before any session started: no output was touched
                return active.size() == 1 ? active.get(0).sink().abandoned() : "nothing was received";
            }
        }
        List<String> left = new ArrayList<>();
        for (Job j : active) {
            // not those that had failed before the stop: their own line said what became of them
            if (j.progress().failed() && !endedBeforeStop.contains(j)) {
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
        List<Job> all;
        synchronized (this) {
            if (stop != null) {
                return;
            }
            stop = why;
            all = List.copyOf(jobs);
            for (Job j : all) {
                if (j.progress().ended()) {
                    endedBeforeStop.add(j);
                }
            }
        }
        stopped.countDown();         // a retry's wait ends
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
        Outcome.Stop before = stop;  // --timeout's, when it came first
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
        Outcome.Stop s = stop;
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
        Outcome.Stop s = stop;
        context.err().println((context.errTerminal() ? "\r" : "") + "wdsget: " + (s != null ? Visible.of(s.message()) + "; " : "")
                + "the transport did not end its"
                + " sessions within " + Durations.format(HOOK_WAIT) + " of being told to stop; leaving without it"
                + " (a partial output may remain as a hidden .part file, removed by the next run)");
        context.err().flush();
    }
}
