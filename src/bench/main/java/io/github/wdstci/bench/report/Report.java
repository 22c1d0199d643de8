package io.github.wdstci.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

/**
 * Turns one or more bench runs (JMH JSON, the C consumer's JSON, the
 * benchmarks' extras; see {@link RunData}) into {@code results.md} (every
 * table, each labelled by what it includes), {@code summary.md} (goal,
 * figure, met or missed: for the README) and one chart per family.
 *
 * <p>Every figure is shown as {@code value ± error (Δspread)}: the value is
 * the mean over the runs; the error is JMH's 99.9% confidence half-width
 * (for the C consumer and the extras: half the range of their repeated
 * measurements), the largest over the runs; the spread is the run-to-run
 * spread, (max - min) / mean, shown when there are two runs or more.
 *
 * <pre>
 * java ... Report --out DIR --runs DIR [--stamp RUN_DIR] [--publish=true --publish-dir DIR]
 * </pre>
 * {@code --runs}: a run directory, or a directory of run directories (all are
 * combined). {@code --stamp}: records this machine in RUN_DIR/machine.json
 * first (the run that just finished). {@code --publish=true}: also copies the
 * report and every run's raw files to the publish directory.
 */
public final class Report {

    static final String[] SIZES = {"4096", "65536", "1048576"};
    static final String[] SIZE_LABELS = {"4 KiB", "64 KiB", "1 MiB"};
    static final String[] LATENCY_SIZES = {"4096", "65536"};
    static final String[] SESSIONS = {"1", "4", "16", "64"};
    static final String[] LIFECYCLE_SIZES = {"0", "4096"};
    static final double GIB = 1L << 30;
    static final String[] C_BUILDS = {"O3", "native"};

    final List<RunData> runs;

    Report(List<RunData> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to report");
        }
        this.runs = runs;
    }

    // ---- command line --------------------------------------------------------------------------

    public static void main(String[] args) throws IOException {
        Path out = null;
        Path runsDir = null;
        Path stamp = null;
        Path publishDir = null;
        boolean publish = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out" -> out = Path.of(args[++i]);
                case "--runs" -> runsDir = Path.of(args[++i]);
                case "--stamp" -> stamp = Path.of(args[++i]);
                case "--publish-dir" -> publishDir = Path.of(args[++i]);
                default -> {
                    if (a.startsWith("--publish=")) {
                        publish = Boolean.parseBoolean(a.substring("--publish=".length()).strip());
                    } else {
                        throw new IllegalArgumentException("unknown argument " + a
                                + "; usage: Report --out DIR --runs DIR [--stamp RUN_DIR] [--publish=true --publish-dir DIR]");
                    }
                }
            }
        }
        if (out == null || runsDir == null) {
            throw new IllegalArgumentException("--out and --runs are required");
        }
        if (stamp != null) {
            stampMachine(stamp);
        }
        List<Path> dirs = runDirs(runsDir);
        List<RunData> runs = new ArrayList<>();
        for (Path d : dirs) {
            runs.add(RunData.load(d));
        }
        Report report = new Report(runs);
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), report.markdown());
        Files.writeString(out.resolve("summary.md"), report.summary());
        List<String> charts = Charts.write(report, out);
        System.out.println("report: " + runs.size() + " run(s) " + dirs + " -> " + out.resolve("results.md") + ", "
                + out.resolve("summary.md") + ", " + charts);
        if (publish) {
            if (publishDir == null) {
                throw new IllegalArgumentException("--publish=true needs --publish-dir");
            }
            publish(out, dirs, charts, publishDir);
        }
    }

    /** The run directories: the directory itself when it holds a run, else its subdirectories that do. */
    static List<Path> runDirs(Path dir) throws IOException {
        if (RunData.isRun(dir)) {
            return List.of(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> dirs = s.filter(Files::isDirectory).filter(RunData::isRun).sorted().toList();
            if (dirs.isEmpty()) {
                throw new IllegalArgumentException("no run (results*.json or c-*.json) in " + dir + " or below it");
            }
            return dirs;
        }
    }

    private static void publish(Path out, List<Path> dirs, List<String> charts, Path to) throws IOException {
        Files.createDirectories(to);
        List<String> files = new ArrayList<>(List.of("results.md", "summary.md"));
        files.addAll(charts);
        for (String f : files) {
            Files.copy(out.resolve(f), to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Path runsTo = to.resolve("runs");
        for (Path d : dirs) {
            Path target = runsTo.resolve(d.getFileName().toString());
            try (Stream<Path> walk = Files.walk(d)) {
                for (Path p : walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json")
                        || p.toString().endsWith(".txt")).toList()) {
                    Path t = target.resolve(d.relativize(p).toString());
                    Files.createDirectories(t.getParent());
                    Files.writeString(t, withoutLocalPaths(Files.readString(p)));
                }
            }
        }
        System.out.println("report: published to " + to);
    }

    private static final Pattern LOCAL_PATH =
            Pattern.compile("(\"jvm\" *: *\"|=)(/[^\"]*/)([^/\"]+)\"");

    /**
     * JMH records the JVM's path and the forks' options, some of which name
     * files on this machine: published copies keep only the file names
     * ({@code "jvm": ".../java"}, {@code -Dbench.standin=.../libwdstptc.so}).
     */
    static String withoutLocalPaths(String json) {
        return LOCAL_PATH.matcher(json).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + ".../" + m.group(3) + "\""));
    }

    /** Writes machine.json (CPU, cores, OS, date) into a run directory. */
    static void stampMachine(Path runDir) throws IOException {
        JsonObject m = new JsonObject();
        m.addProperty("cpu", cpu());
        m.addProperty("cores", Runtime.getRuntime().availableProcessors());
        m.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.addProperty("date", LocalDate.now().toString());
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("machine.json"), new GsonBuilder().setPrettyPrinting().create().toJson(m));
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    // ---- figures -------------------------------------------------------------------------------

    /** A figure computed per run, combined over the runs. */
    Figure fig(Function<RunData, Measured> perRun) {
        return Figure.of(runs.stream().map(perRun).toList());
    }

    static boolean higherIsBetter(Measured m) {
        return m.unit().endsWith("/s");
    }

    /** The faster of the C builds for this figure (higher for rates, lower for times), or null. */
    static Measured cFloor(RunData run, String key) {
        Measured best = null;
        for (String b : C_BUILDS) {
            Measured m = run.c(b, key);
            if (m != null && (best == null || (higherIsBetter(m) ? m.value() > best.value() : m.value() < best.value()))) {
                best = m;
            }
        }
        return best;
    }

    /** Which build is the floor for this figure, by majority over the runs ("O3", "O3 -march=native"). */
    String cFloorBuild(String key) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (RunData run : runs) {
            Measured best = cFloor(run, key);
            for (String b : C_BUILDS) {
                if (best != null && best == run.c(b, key)) {
                    votes.merge(run.cBuildLabel.getOrDefault(b, b), 1, Integer::sum);
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("n/a");
    }

    /** JMH ms per object -> GiB/s, from the result's objectSize parameter. */
    static Measured e2eGibPerSecond(RunData run, String method, String size) {
        RunData.Jmh j = run.find("EndToEndBenchmark", method, "blockSize", size);
        if (j == null) {
            return null;
        }
        double gib = Long.parseLong(j.params().get("objectSize")) / GIB;
        return j.score().inverse(gib * 1000, "GiB/s");
    }

    /** JMH ms per object -> ns per block. */
    static Measured e2eNsPerBlock(RunData run, String method, String size) {
        RunData.Jmh j = run.find("EndToEndBenchmark", method, "blockSize", size);
        if (j == null) {
            return null;
        }
        double blocks = Math.ceil(Double.parseDouble(j.params().get("objectSize")) / Long.parseLong(size));
        return j.score().times(1e6 / blocks, "ns/block");
    }

    /** C GiB/s -> ns per block. */
    static Measured cNsPerBlock(Measured gibPerSecond, String size) {
        return gibPerSecond == null ? null : gibPerSecond.inverse(Long.parseLong(size) / GIB * 1e9, "ns/block");
    }

    /** JMH ms per k sessions -> aggregate GiB/s. */
    static Measured concurrencyGibPerSecond(RunData run, String method, String sessions) {
        RunData.Jmh j = run.find("ConcurrencyBenchmark", method, "sessions", sessions);
        if (j == null) {
            return null;
        }
        double gib = Long.parseLong(j.params().get("sessionSize")) * Double.parseDouble(sessions) / GIB;
        return j.score().inverse(gib * 1000, "GiB/s");
    }

    // ---- targets -------------------------------------------------------------------------------

    /** A performance target: the goal, its figure and whether the figure meets it. */
    record Target(String goal, String target, Figure figure, boolean higherIsBetter, double threshold, String note) {

        String verdict() {
            if (figure == null) {
                return "not measured";
            }
            boolean met = higherIsBetter ? figure.value() >= threshold : figure.value() <= threshold;
            return met ? "met" : "missed";
        }
    }

    List<Target> targets() {
        List<Target> t = new ArrayList<>();
        t.add(new Target("upcall, isolated: JNA (best configuration) / FFM Session API", ">= 20x",
                fig(r -> Measured.ratio(r.score("NullTransportBenchmark", "jna"), r.score("NullTransportBenchmark", "sessionApi"))),
                true, 20, "null transport, ns per block (each includes one trivial CompleteReceive); harness alone, JNA direct / FFM stub: "
                        + ratio(fig(r -> Measured.ratio(r.score("HarnessUpcallBenchmark", "jnaDirect"),
                        r.score("HarnessUpcallBenchmark", "ffm"))))));
        t.add(new Target("downcall, isolated: JNA direct / FFM", ">= 10x",
                fig(r -> Measured.ratio(r.score("DowncallBenchmark", "constantJnaDirect"), r.score("DowncallBenchmark", "constantFfm"))),
                true, 10, "WdsStandinHarnessConstant, plain FFM downcall (not critical)"));
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            double goal = s.equals("4096") ? 0.85 : 0.95;
            t.add(new Target("end to end, Session API / best C floor, " + SIZE_LABELS[i], ">= " + goal,
                    fig(r -> Measured.ratio(e2eGibPerSecond(r, "sessionApi", s), cFloor(r, "e2e." + s))),
                    true, goal, "floor: C " + cFloorBuild("e2e." + s)));
        }
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            t.add(new Target("async path / sync path, per block, " + SIZE_LABELS[i], "<= 2x",
                    fig(r -> Measured.ratio(r.score("DeliveryBenchmark", "sessionApiAsync", "blockSize", s),
                            r.score("DeliveryBenchmark", "sessionApi", "blockSize", s))),
                    false, 2, "delivery path (stand-in, no content), ns per block"));
        }
        for (String s : LIFECYCLE_SIZES) {
            t.add(new Target("session lifecycle, Session API / C, time per session, " + s + " B", "<= 2x",
                    fig(r -> Measured.ratio(r.score("LifecycleBenchmark", "sessionApi", "size", s),
                            cFloor(r, "lifecycle." + s))),
                    false, 2, ""));
        }
        t.add(new Target("cold start to the first block, Session API / JNA", "<= 1",
                fig(r -> Measured.ratio(r.score("ColdStartBenchmark", "sessionApi"), r.score("ColdStartBenchmark", "jna"))),
                false, 1, "JMH single shot in fresh JVMs; the JDK's FFM linking alone of the functions and callbacks"
                        + " a session needs (ffmLinking, no library code) / JNA's whole cold start: "
                        + ratio(fig(r -> Measured.ratio(r.score("ColdStartBenchmark", "ffmLinking"),
                        r.score("ColdStartBenchmark", "jna"))))
                        + "; whole process to the first block: "
                        + ratio(fig(r -> Measured.ratio(startup(r, "sessionApi", "firstBlockMs"), startup(r, "jna", "firstBlockMs"))))
                        + ", with an AOT cache each: "
                        + ratio(fig(r -> Measured.ratio(startup(r, "sessionApiAot", "firstBlockMs"),
                        startup(r, "jnaAot", "firstBlockMs"))))));
        t.add(new Target("64 concurrent sessions, aggregate / 1 session (Session API)", ">= 0.9",
                fig(r -> Measured.ratio(concurrencyGibPerSecond(r, "sessionApi", "64"), concurrencyGibPerSecond(r, "sessionApi", "1"))),
                true, 0.9, "aggregate GiB/s; C: " + ratio(fig(r -> Measured.ratio(cFloor(r, "concurrency.64"),
                        cFloor(r, "concurrency.1"))))));
        for (String s : LATENCY_SIZES) {
            t.add(new Target("per-block p99.9, Session API / JNA, " + label(s), "<= 1",
                    fig(r -> Measured.ratio(r.extra("LatencyBenchmark", "sessionApi", "p999", "ns", "blockSize", s),
                            r.extra("LatencyBenchmark", "jna", "p999", "ns", "blockSize", s))),
                    false, 1, ""));
        }
        return t;
    }

    static String label(String size) {
        for (int i = 0; i < SIZES.length; i++) {
            if (SIZES[i].equals(size)) {
                return SIZE_LABELS[i];
            }
        }
        return size + " B";
    }

    // ---- markdown ------------------------------------------------------------------------------

    /** A markdown table under construction. */
    static final class Table {
        private final StringBuilder b = new StringBuilder();

        Table(String... header) {
            b.append('|');
            for (String h : header) {
                b.append(' ').append(h).append(" |");
            }
            b.append("\n|");
            for (int i = 0; i < header.length; i++) {
                b.append(i == 0 ? "---|" : "---:|");
            }
            b.append('\n');
        }

        Table row(Object... cells) {
            b.append('|');
            for (Object c : cells) {
                b.append(' ').append(c instanceof Figure f ? f.format() : c == null ? "n/a" : c.toString()).append(" |");
            }
            b.append('\n');
            return this;
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }

    /** {@code 12.3x ± 0.4 (Δ2.0%)} */
    static String ratio(Figure f) {
        if (f == null) {
            return "n/a";
        }
        int d = f.value() >= 10 ? 1 : 2;
        String s = f.format(d);
        int sp = s.indexOf(' ');
        return s.substring(0, sp) + "x" + s.substring(sp);
    }

    String header() {
        StringBuilder b = new StringBuilder();
        RunData first = runs.get(0);
        JsonObject m = first.machine;
        b.append("- **Machine**: ").append(m.has("cpu") ? m.get("cpu").getAsString() : "?").append(", ")
                .append(m.has("cores") ? m.get("cores").getAsString() : "?").append(" cores; ")
                .append(m.has("os") ? m.get("os").getAsString() : "?").append('\n');
        Set<String> dates = new LinkedHashSet<>();
        for (RunData r : runs) {
            dates.add(r.name + ": " + (r.machine.has("date") ? r.machine.get("date").getAsString() : "?"));
        }
        b.append("- **Runs**: ").append(runs.size()).append(" (").append(String.join(", ", dates)).append(")\n");
        RunData.Settings s = first.settings.isEmpty() ? null : first.settings.get(0);
        if (s != null) {
            b.append("- **JDK**: ").append(s.jdk()).append(" (").append(s.vm()).append("); **JMH** ").append(s.jmhVersion())
                    .append("; fork JVM options `").append(String.join(" ", s.jvmArgs())).append("`\n");
        }
        for (RunData.Settings x : first.settings) {
            b.append("- **JMH settings** (").append(x.file()).append("): ").append(x.forks()).append(" fork(s), ")
                    .append(x.warmupIterations()).append(" x ").append(x.warmupTime()).append(" warm-up, ")
                    .append(x.measurementIterations()).append(" x ").append(x.measurementTime())
                    .append(" measurement\n");
        }
        b.append("- **C consumer**: ").append(first.compiler.isEmpty() ? "?" : first.compiler).append("; builds `-")
                .append(first.cBuildLabel.getOrDefault("O3", "O3")).append("` and `-")
                .append(first.cBuildLabel.getOrDefault("native", "O3 -march=native"))
                .append("` against the stand-in, `-O3` against the null transport; each figure the median of several runs\n");
        return b.toString();
    }

    String markdown() {
        StringBuilder b = new StringBuilder("# wdstci benchmarks: FFM against JNA and C\n\n");
        b.append(header()).append('\n');
        b.append("Every figure: value ± error (Δ run-to-run spread). The value is the mean over the runs; the error is")
                .append(" JMH's 99.9% confidence half-width (C consumer and extras: half the range of their repeated")
                .append(" measurements), the largest over the runs; Δ is (max - min) / mean over the runs. The C floor is the")
                .append(" faster of the `-O3` and `-O3 -march=native` builds, figure by figure (named where it matters).")
                .append(" What each benchmark includes: [README.md](README.md).\n\n");

        b.append("## Summary\n\n").append(summaryTable()).append('\n');

        // isolated downcall
        b.append("## Isolated downcall, ns per call\n\n")
                .append("Includes: the call alone. `constant` returns a constant (harness export); `QueryStatus` is a real")
                .append(" call that takes the stand-in's locks (its FFM row is the generated stub; critical is not legitimate")
                .append(" for it: a transport's status call may block).\n\n");
        Table down = new Table("call", "FFM", "FFM critical", "JNA direct", "JNA interface", "C", "JNA direct / FFM");
        down.row("constant", fig(r -> r.score("DowncallBenchmark", "constantFfm")),
                fig(r -> r.score("DowncallBenchmark", "constantFfmCritical")),
                fig(r -> r.score("DowncallBenchmark", "constantJnaDirect")),
                fig(r -> r.score("DowncallBenchmark", "constantJnaInterface")),
                fig(r -> cFloor(r, "downcall.constant")),
                ratio(fig(r -> Measured.ratio(r.score("DowncallBenchmark", "constantJnaDirect"),
                        r.score("DowncallBenchmark", "constantFfm")))));
        down.row("QueryStatus", fig(r -> r.score("DowncallBenchmark", "queryStatusFfm")), "(not legitimate)",
                fig(r -> r.score("DowncallBenchmark", "queryStatusJnaDirect")),
                fig(r -> r.score("DowncallBenchmark", "queryStatusJnaInterface")),
                fig(r -> cFloor(r, "downcall.queryStatus")),
                ratio(fig(r -> Measured.ratio(r.score("DowncallBenchmark", "queryStatusJnaDirect"),
                        r.score("DowncallBenchmark", "queryStatusFfm")))));
        b.append(down).append('\n');

        // isolated upcall
        b.append("## Isolated upcall, ns per callback\n\n")
                .append("Includes: the upcall alone. The harness thread calls the callback in a tight loop (one fixed")
                .append(" buffer, no lock, map or pool); the callback counts the call. C: a C function pointer.\n\n");
        Figure cUp = fig(r -> cFloor(r, "upcall.harness"));
        Table up = new Table("callback", "ns per callback", "/ C");
        up.row("C function pointer", cUp, "1x");
        for (String[] row : new String[][] {{"FFM upcall stub (raw)", "ffm"}, {"JNA, best configuration (direct)", "jnaDirect"},
                {"JNA, interface mapping", "jnaInterface"}}) {
            up.row(row[0], fig(r -> r.score("HarnessUpcallBenchmark", row[1])),
                    ratio(fig(r -> Measured.ratio(r.score("HarnessUpcallBenchmark", row[1]), cFloor(r, "upcall.harness")))));
        }
        b.append(up).append('\n');

        b.append("## Each consumer's own cost per block (null transport), ns per block\n\n")
                .append("Includes: the upcall, the consumer's dispatch and one CompleteReceive downcall that returns at")
                .append(" once (async: the Block and its release), 64 KiB blocks, no content. Excludes: the stand-in (the")
                .append(" null transport has no locks, map or pool). This is the Session API's upcall path in isolation.\n\n");
        Figure nullApi = fig(r -> r.score("NullTransportBenchmark", "sessionApi"));
        Table nt = new Table("consumer", "ns per block", "JNA / this");
        for (String[] row : new String[][] {{"Session API (sync)", "sessionApi"}, {"Session API (async, Block)", "sessionApiAsync"},
                {"raw FFM", "rawFfm"}, {"JNA (best configuration)", "jna"}}) {
            nt.row(row[0], fig(r -> r.score("NullTransportBenchmark", row[1])),
                    ratio(fig(r -> Measured.ratio(r.score("NullTransportBenchmark", "jna"), r.score("NullTransportBenchmark", row[1])))));
        }
        nt.row("C", fig(r -> r.c("null", "delivery.null.65536")),
                ratio(fig(r -> Measured.ratio(r.score("NullTransportBenchmark", "jna"), r.c("null", "delivery.null.65536")))));
        b.append(nt).append('\n');
        if (nullApi == null) {
            b.append("(no null-transport figures in these runs)\n\n");
        }

        // realistic delivery path
        b.append("## Delivery path through the stand-in, ns per block\n\n")
                .append("Includes: the stand-in's per-block bookkeeping (locks, the outstanding-block map, the buffer")
                .append(" pool: about as much as everything else together), the upcall, the consumer's dispatch, its")
                .append(" CompleteReceive (async: AddRefBuffer, the Block, its release). No content is written (fill=0).\n\n");
        Table del = new Table("block", "Session API", "Session API async", "async / sync", "raw FFM", "JNA", "C",
                "JNA / Session API");
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            del.row(SIZE_LABELS[i], fig(r -> r.score("DeliveryBenchmark", "sessionApi", "blockSize", s)),
                    fig(r -> r.score("DeliveryBenchmark", "sessionApiAsync", "blockSize", s)),
                    ratio(fig(r -> Measured.ratio(r.score("DeliveryBenchmark", "sessionApiAsync", "blockSize", s),
                            r.score("DeliveryBenchmark", "sessionApi", "blockSize", s)))),
                    fig(r -> r.score("DeliveryBenchmark", "rawFfm", "blockSize", s)),
                    fig(r -> r.score("DeliveryBenchmark", "jna", "blockSize", s)),
                    fig(r -> cFloor(r, "delivery." + s)),
                    ratio(fig(r -> Measured.ratio(r.score("DeliveryBenchmark", "jna", "blockSize", s),
                            r.score("DeliveryBenchmark", "sessionApi", "blockSize", s)))));
        }
        b.append(del).append('\n');

        // end to end
        b.append("## End to end, GiB/s\n\n")
                .append("Includes: everything. The stand-in writes synthetic content into each block (as a transport")
                .append(" writes received data), the consumer sums every 64-bit word; a 1 GiB object, 32 MiB cache.\n\n");
        Table e2e = new Table("block", "Session API", "Session API async", "raw FFM", "JNA", "C -O3", "C -O3 -march=native",
                "Session API / C floor", "floor");
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            e2e.row(SIZE_LABELS[i], fig(r -> e2eGibPerSecond(r, "sessionApi", s)),
                    fig(r -> e2eGibPerSecond(r, "sessionApiAsync", s)),
                    fig(r -> e2eGibPerSecond(r, "rawFfm", s)),
                    fig(r -> e2eGibPerSecond(r, "jna", s)),
                    fig(r -> r.c("O3", "e2e." + s)),
                    fig(r -> r.c("native", "e2e." + s)),
                    percent(fig(r -> Measured.ratio(e2eGibPerSecond(r, "sessionApi", s), cFloor(r, "e2e." + s)))),
                    cFloorBuild("e2e." + s));
        }
        b.append(e2e).append('\n');
        b.append("Per block, ns (same runs):\n\n");
        Table e2eNs = new Table("block", "Session API", "Session API async", "async / sync", "raw FFM", "JNA", "C floor");
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            e2eNs.row(SIZE_LABELS[i], fig(r -> e2eNsPerBlock(r, "sessionApi", s)),
                    fig(r -> e2eNsPerBlock(r, "sessionApiAsync", s)),
                    ratio(fig(r -> Measured.ratio(e2eNsPerBlock(r, "sessionApiAsync", s), e2eNsPerBlock(r, "sessionApi", s)))),
                    fig(r -> e2eNsPerBlock(r, "rawFfm", s)),
                    fig(r -> e2eNsPerBlock(r, "jna", s)),
                    fig(r -> cNsPerBlock(cFloor(r, "e2e." + s), s)));
        }
        b.append(e2eNs).append('\n');
        b.append(aboveFloorNote());

        // allocation
        b.append("## Allocation, bytes per block (gc.alloc.rate.norm)\n\n");
        Table alloc = new Table("block", "Session API (delivery)", "Session API async (delivery)", "raw FFM (delivery)",
                "JNA (delivery)", "Session API (end to end)");
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            alloc.row(SIZE_LABELS[i],
                    fig(r -> r.secondary("DeliveryBenchmark", "sessionApi", "gc.alloc.rate.norm", "B/op", "blockSize", s)),
                    fig(r -> r.secondary("DeliveryBenchmark", "sessionApiAsync", "gc.alloc.rate.norm", "B/op", "blockSize", s)),
                    fig(r -> r.secondary("DeliveryBenchmark", "rawFfm", "gc.alloc.rate.norm", "B/op", "blockSize", s)),
                    fig(r -> r.secondary("DeliveryBenchmark", "jna", "gc.alloc.rate.norm", "B/op", "blockSize", s)),
                    fig(r -> {
                        RunData.Jmh j = r.find("EndToEndBenchmark", "sessionApi", "blockSize", s);
                        Double v = j == null ? null : j.secondary().get("gc.alloc.rate.norm");
                        return v == null ? null : new Measured(v / Math.ceil(Double.parseDouble(j.params().get("objectSize"))
                                / Long.parseLong(s)), Double.NaN, "B/block");
                    }));
        }
        b.append(alloc).append('\n');

        // lifecycle
        b.append("## Session lifecycle\n\n")
                .append("Includes: initialize, register callbacks, start (the stand-in starts a delivery thread, which a")
                .append(" JVM attaches on its first upcall), receive the object, complete, close. us per session")
                .append(" (sessions/s).\n\n");
        Table life = new Table("object", "Session API", "raw FFM", "JNA", "C", "Session API / C");
        for (String s : LIFECYCLE_SIZES) {
            life.row(s + " B", lifecycleCell(r -> r.score("LifecycleBenchmark", "sessionApi", "size", s)),
                    lifecycleCell(r -> r.score("LifecycleBenchmark", "rawFfm", "size", s)),
                    lifecycleCell(r -> r.score("LifecycleBenchmark", "jna", "size", s)),
                    lifecycleCell(r -> cFloor(r, "lifecycle." + s)),
                    ratio(fig(r -> Measured.ratio(r.score("LifecycleBenchmark", "sessionApi", "size", s),
                            cFloor(r, "lifecycle." + s)))));
        }
        b.append(life).append('\n');

        b.append("## Cold start, ms\n\n")
                .append("Includes: in a fresh JVM, from the first call into the binding to the first block: class loading,")
                .append(" loading the library, Initialize, the session, the delivery thread's attach, the first upcall")
                .append(" (JMH single shot, one per fork; the error is over the forks). Excludes: the JVM's own start.")
                .append(" FFM linking alone: no library code and no session, only the JDK's linker making the downcall")
                .append(" handles and upcall stubs a session needs before its first block (`ffmLinking`), the floor under")
                .append(" the Session API's figure.\n\n");
        Table cold = new Table("Session API (FFM)", "FFM linking alone", "JNA", "JNA / FFM");
        cold.row(fig(r -> r.score("ColdStartBenchmark", "sessionApi")), fig(r -> r.score("ColdStartBenchmark", "ffmLinking")),
                fig(r -> r.score("ColdStartBenchmark", "jna")),
                ratio(fig(r -> Measured.ratio(r.score("ColdStartBenchmark", "jna"), r.score("ColdStartBenchmark", "sessionApi")))));
        b.append(cold).append('\n');

        b.append("## Whole-process start-up, ms\n\n")
                .append("Includes: everything from just before the launch of a fresh JVM (default settings) to its first")
                .append(" block, and to its exit: the JVM's start, the application's class loading, the library, the")
                .append(" session. A small application receives one 64 KiB object (4 KiB blocks) from the stand-in and")
                .append(" exits (`FirstBlockApp`: the Session API with the stand-in the library extracts from its jar;")
                .append(" `JnaFirstBlockApp`: JNA on the stand-in's file); `java -version` is the yardstick. With a cache:")
                .append(" the same application with an AOT cache made by one training run of it (JDK 25+:")
                .append(" `-XX:AOTCacheOutput`, then `-XX:AOTCache`; AppCDS before JDK 24). One process per variant per")
                .append(" round, the variants in turn (`ProcessStartup`); median ± half the range over the rounds.\n\n");
        Table start = new Table("process", "first block", "exit", "exit / java -version");
        for (String[] row : new String[][] {{"java -version", "javaVersion"}, {"Session API", "sessionApi"}, {"JNA", "jna"},
                {"Session API, AOT cache", "sessionApiAot"}, {"JNA, AOT cache", "jnaAot"}}) {
            start.row(row[0], row[1].equals("javaVersion") ? "" : Figure.format(fig(r -> startup(r, row[1], "firstBlockMs"))),
                    fig(r -> startup(r, row[1], "wallMs")),
                    ratio(fig(r -> Measured.ratio(startup(r, row[1], "wallMs"), startup(r, "javaVersion", "wallMs")))));
        }
        b.append(start).append('\n');

        // concurrency
        b.append("## Concurrent sessions\n\n")
                .append("Includes: k sessions of 64 MiB (64 KiB blocks, synthetic content, every word summed) started at")
                .append(" once, each with the stand-in's delivery thread; aggregate GiB/s until the last completes.\n\n");
        Table conc = new Table("sessions", "Session API", "JNA", "C", "Session API / C");
        for (String k : SESSIONS) {
            conc.row(k, fig(r -> concurrencyGibPerSecond(r, "sessionApi", k)), fig(r -> concurrencyGibPerSecond(r, "jna", k)),
                    fig(r -> cFloor(r, "concurrency." + k)),
                    percent(fig(r -> Measured.ratio(concurrencyGibPerSecond(r, "sessionApi", k), cFloor(r, "concurrency." + k)))));
        }
        b.append(conc).append('\n');
        b.append("Memory per live session, KiB: k sessions each holding its first 64 KiB block (delivery thread waiting")
                .append(" in the callback), after whole sessions warmed the process up (C: one). RSS from /proc/self/smaps_rollup")
                .append(" (everything: the library's buffers, thread stacks); NMT: the JVM's committed native memory")
                .append(" (-XX:NativeMemoryTracking=summary, DiagnosticCommand vmNativeMemory, as `jcmd PID")
                .append(" VM.native_memory summary`) over every category but the heap (fixed) and the JIT's scratch")
                .append(" arenas, which excludes the library's own mallocs. Fresh JVM per measurement (C: a fresh child")
                .append(" process); 64 sessions is the figure to quote.\n\n");
        Table mem = new Table("sessions", "Session API RSS", "JNA RSS", "C RSS", "Session API NMT", "JNA NMT");
        for (String k : SESSIONS) {
            mem.row(k, fig(r -> kib(r.extra("MemoryBenchmark", "sessionApi", "rssPerSession", "B", "sessions", k))),
                    fig(r -> kib(r.extra("MemoryBenchmark", "jna", "rssPerSession", "B", "sessions", k))),
                    fig(r -> kib(r.c("O3", "memory." + k))),
                    fig(r -> kib(r.extra("MemoryBenchmark", "sessionApi", "nmtPerSession", "B", "sessions", k))),
                    fig(r -> kib(r.extra("MemoryBenchmark", "jna", "nmtPerSession", "B", "sessions", k))));
        }
        mem.row("marginal, 16 to 64", fig(r -> marginal(r, "sessionApi", "rss")), fig(r -> marginal(r, "jna", "rss")),
                fig(r -> marginalC(r)), fig(r -> marginal(r, "sessionApi", "nmt")), fig(r -> marginal(r, "jna", "nmt")));
        b.append(mem).append('\n');
        b.append("Growth divided by the number of sessions includes a part that does not depend on it (the JIT and")
                .append(" the allocator at work while the sessions start), which dominates with 1 or 4 sessions; the")
                .append(" marginal row, (growth with 64 - growth with 16) / 48, is the cost of one more session.\n\n");

        // latency
        b.append("## Latency per block, us\n\n")
                .append("Includes: the time between the starts of consecutive content callbacks on the delivery thread")
                .append(" (the stand-in writing content, the upcall, the dispatch, summing the block, completing it); a GC")
                .append(" pause or safepoint shows as one long gap. HdrHistogram per measured iteration; median over the")
                .append(" iterations and forks, ± half their range. GC: collections and ms per iteration (1 s) during the")
                .append(" measurement.\n\n");
        Table lat = new Table("block", "consumer", "p50", "p99", "p99.9", "max", "GCs / iteration", "GC ms / iteration");
        for (String s : LATENCY_SIZES) {
            for (String[] c : new String[][] {{"Session API", "sessionApi"}, {"JNA", "jna"}}) {
                lat.row(label(s), c[0],
                        fig(r -> us(r.extra("LatencyBenchmark", c[1], "p50", "ns", "blockSize", s))),
                        fig(r -> us(r.extra("LatencyBenchmark", c[1], "p99", "ns", "blockSize", s))),
                        fig(r -> us(r.extra("LatencyBenchmark", c[1], "p999", "ns", "blockSize", s))),
                        fig(r -> us(r.extra("LatencyBenchmark", c[1], "max", "ns", "blockSize", s))),
                        fig(r -> r.extra("LatencyBenchmark", c[1], "gcCount", "", "blockSize", s)),
                        fig(r -> r.extra("LatencyBenchmark", c[1], "gcTimeMs", "ms", "blockSize", s)));
            }
        }
        b.append(lat).append('\n');
        return b.toString();
    }

    /** A whole-process start-up figure (ms): median over the rounds, ± half their range. */
    static Measured startup(RunData r, String variant, String metric) {
        return r.extra("ProcessStartup", variant, metric, "ms");
    }

    /** (total growth with 64 sessions - with 16) / 48, KiB, from the memory extras (rss or nmt). */
    static Measured marginal(RunData r, String method, String what) {
        Measured t64 = r.extra("MemoryBenchmark", method, what + "Total", "B", "sessions", "64");
        Measured t16 = r.extra("MemoryBenchmark", method, what + "Total", "B", "sessions", "16");
        if (t64 == null || t16 == null) {
            return null;
        }
        return new Measured((t64.value() - t16.value()) / 48 / 1024, err(t64, t16) / 48 / 1024, "KiB");
    }

    /** The same for the C consumer, whose figures are per session. */
    static Measured marginalC(RunData r) {
        Measured p64 = r.c("O3", "memory.64");
        Measured p16 = r.c("O3", "memory.16");
        if (p64 == null || p16 == null) {
            return null;
        }
        Measured t64 = p64.times(64, "B");
        Measured t16 = p16.times(16, "B");
        return new Measured((t64.value() - t16.value()) / 48 / 1024, err(t64, t16) / 48 / 1024, "KiB");
    }

    private static double err(Measured a, Measured b) {
        return Double.isFinite(a.error()) && Double.isFinite(b.error()) ? Math.hypot(a.error(), b.error()) : Double.NaN;
    }

    private static Measured kib(Measured m) {
        return m == null ? null : m.times(1.0 / 1024, "KiB");
    }

    private static Measured us(Measured m) {
        return m == null ? null : m.times(1e-3, "us");
    }

    static String percent(Figure f) {
        if (f == null) {
            return "n/a";
        }
        String s = String.format(Locale.ROOT, "%.0f%% ± %.0f", 100 * f.value(),
                Double.isFinite(f.error()) ? 100 * f.error() : Double.NaN).replace("NaN", "?");
        if (Double.isFinite(f.spread())) {
            s += String.format(Locale.ROOT, " (Δ%.1f%%)", 100 * f.spread());
        }
        return f.value() > 1 ? s + " †" : s;
    }

    private String lifecycleCell(Function<RunData, Measured> usPerSession) {
        Figure us = fig(usPerSession);
        if (us == null) {
            return "n/a";
        }
        Figure perSecond = fig(r -> {
            Measured m = usPerSession.apply(r);
            return m == null ? null : m.inverse(1e6, "sessions/s");
        });
        return us.format() + " (" + perSecond.formatValue("%.0f") + "/s)";
    }

    /** Explains any figure above 100% of the C floor (marked †). */
    String aboveFloorNote() {
        boolean above = false;
        for (String s : SIZES) {
            Figure f = fig(r -> Measured.ratio(e2eGibPerSecond(r, "sessionApi", s), cFloor(r, "e2e." + s)));
            above |= f != null && f.value() > 1;
        }
        if (!above) {
            return "";
        }
        return "† Above 100% of the C floor: see \"Figures above the C floor\" in [README.md](README.md) for what was"
                + " measured about it.\n\n";
    }

    String summaryTable() {
        Table t = new Table("goal", "target", "figure", "verdict", "note");
        for (Target x : targets()) {
            t.row(x.goal(), x.target(), x.figure() == null ? "n/a" : ratio(x.figure()), x.verdict(), x.note());
        }
        return t.toString();
    }

    String summary() {
        StringBuilder b = new StringBuilder();
        b.append("Benchmarks against JNA and a C consumer, each figure against its performance target")
                .append(" (ratios measured side by side in one run, mean of ").append(runs.size()).append(" run(s), ± error, Δ run-to-run spread). ");
        RunData first = runs.get(0);
        if (first.machine.has("cpu")) {
            b.append(first.machine.get("cpu").getAsString()).append(", ")
                    .append(first.machine.get("cores").getAsString()).append(" cores");
        }
        if (!first.settings.isEmpty()) {
            b.append("; JDK ").append(first.settings.get(0).jdk());
        }
        b.append(". Full report: [src/bench/results/results.md](src/bench/results/results.md).\n\n");
        b.append(summaryTable());
        return b.toString();
    }
}
