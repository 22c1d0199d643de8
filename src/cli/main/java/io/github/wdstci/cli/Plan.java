package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run of {@code get} or {@code demo} is to do, decided before anything is received:
 * the options checked against each other ({@link #check}), then every object's output and
 * the files beside them ({@link #prepare}).
 */
final class Plan {

    private final List<Job.Spec> specs;
    private final boolean keepless;
    private final TransferSettings settings;
    private final boolean outTerminal;
    private final Display display;
    private Checksums checks;                                        // --check's list, once read

    /**
     * @param specs       the objects, in the order given
     * @param keepless    without {@code --output}, keep nothing (demo) rather than write each under its own name
     * @param outTerminal whether standard output is a terminal
     * @param display     where problems are said
     */
    Plan(List<Job.Spec> specs, boolean keepless, TransferSettings settings, boolean outTerminal, Display display) {
        this.specs = specs;
        this.keepless = keepless;
        this.settings = settings;
        this.outTerminal = outTerminal;
        this.display = display;
    }

    /** Checks the options against each other; a usage problem's exit code, or null. */
    Outcome check() {
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
        } else if (outTerminal && (settings.output().isStdout() || (settings.metadata() != null
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
     * Decides every object's output, and the files beside them ({@code extras}); adds the objects
     * to receive to {@code active}, each with its first sink from {@code sinks}, and tells
     * {@code tally} of those skipped. Returns the worst outcome of those that cannot run. Nothing
     * is created until the whole command line is accepted: a usage problem of any object, or of
     * a file beside them, receives nothing and leaves no directory behind.
     */
    Outcome prepare(List<Job> active, ExtraFiles extras, Tally tally, Attempts.Sinks sinks) {
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
                meta = extras.metadataTarget(resolved.get(0).spec(), resolved.get(0).target());
            } catch (Outcome.Problem e) {
                problems.add(null, e);
                resolved.clear();            // the one object is not received without its metadata
            }
        }
        Output.Target sums = null;
        if (settings.sha256File() != null && !problems.usage()) {
            try {
                sums = extras.sumsTarget(paths);
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
            Job job = new Job(r.spec(), target, sinks.make(r.spec(), target, null), new Job.Progress(() -> display.poke()),
                    "-");
            job.expect(r.expected());
            if (target.kind() == Output.Kind.SKIP) {
                tally.skipped(job);
                continue;
            }
            active.add(job);
        }
        try {
            if (!active.isEmpty()) {
                extras.make(meta, sums);
            }
        } catch (Outcome.Problem p) {
            display.failed(p.getMessage());
            active.clear();
            return Outcome.worst(worst, p.outcome());
        }
        return worst;
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
}
