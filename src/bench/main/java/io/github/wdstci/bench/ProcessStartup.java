package io.github.wdstci.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The whole-process start-up family: fresh JVMs, one per measurement, timed from
 * just before the launch (see {@link StartupClock}) to the first block and to the
 * process's exit:
 * <ul>
 *   <li>{@code javaVersion}: {@code java -version}, the yardstick;</li>
 *   <li>{@code sessionApi}: {@link FirstBlockApp}, the Session API;</li>
 *   <li>{@code jna}: {@link JnaFirstBlockApp}, the same through JNA;</li>
 *   <li>{@code sessionApiAot}, {@code jnaAot} (with {@code --aot true}): the same
 *       two with a cache made by a training run of each: on JDK 25 and later an
 *       AOT cache ({@code -XX:AOTCacheOutput}, JEP 483/514), on JDK 24 the
 *       two-step AOT cache, before that a dynamic AppCDS archive
 *       ({@code -XX:ArchiveClassesAtExit}); used with {@code -XX:AOTMode=on}
 *       ({@code -Xshare:on}), so a cache the JVM cannot use fails the run rather
 *       than passing for one.</li>
 * </ul>
 * Every round runs each variant once, in turn, so that a busy machine slows all
 * alike; the figures (ms, one per round) go to {@code DIR/ProcessStartup-<variant>.json}
 * in the report's extras format, where the report takes their median and range.
 * Default JVM settings throughout (plus {@code --enable-native-access=ALL-UNNAMED});
 * no process is run twice in one JVM. A variant that fails fails the whole run.
 *
 * <pre>
 * ProcessStartup --out DIR --rounds N --classpath JARS --standin FILE [--aot true] [--work DIR]
 * </pre>
 * {@code JARS}: the bench jar, the library's jar and JNA's (jars only: an AOT
 * cache records its class path and refuses directories).
 */
public final class ProcessStartup {

    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    /** One way of starting: its command, and whether it reports a first block. */
    record Variant(String name, List<String> command, boolean receives) {
    }

    private ProcessStartup() {
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "wdstci-startup");
        int rounds = 10;
        String classpath = null;
        String standin = null;
        boolean aot = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i].strip());
                case "--classpath" -> classpath = args[++i];
                case "--standin" -> standin = args[++i];
                case "--aot" -> aot = Boolean.parseBoolean(args[++i].strip());
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: ProcessStartup"
                        + " --out DIR --rounds N --classpath JARS --standin FILE [--aot true|false] [--work DIR]");
            }
        }
        if (out == null || classpath == null || standin == null) {
            throw new IllegalArgumentException("--out, --classpath and --standin are required");
        }
        Files.createDirectories(work);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> sessionApi = List.of(NATIVE_ACCESS, "-cp", classpath, FirstBlockApp.class.getName());
        List<String> jna = List.of(NATIVE_ACCESS, "-cp", classpath, "-D" + Libraries.STANDIN_PROPERTY + "=" + standin,
                JnaFirstBlockApp.class.getName());

        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("javaVersion", List.of(java, "-version"), false));
        variants.add(new Variant("sessionApi", concat(List.of(java), sessionApi), true));
        variants.add(new Variant("jna", concat(List.of(java), jna), true));
        if (aot) {
            Cache cache = Cache.forThisJdk();
            System.out.println("startup: training " + cache.label + " for each application");
            variants.add(new Variant("sessionApiAot", cache.train(java, work.resolve("sessionapi"), sessionApi), true));
            variants.add(new Variant("jnaAot", cache.train(java, work.resolve("jna"), jna), true));
        }

        Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Variant v : variants) {
                Map<String, List<Double>> m = figures.computeIfAbsent(v.name(), k -> new LinkedHashMap<>());
                run(v, m);
            }
        }

        Files.createDirectories(out);
        for (Map.Entry<String, Map<String, List<Double>>> e : figures.entrySet()) {
            Files.writeString(out.resolve("ProcessStartup-" + e.getKey() + ".json"),
                    json(ProcessStartup.class.getName() + "." + e.getKey(), e.getValue()));
            System.out.println(String.format(Locale.ROOT, "startup: %-14s %s", e.getKey(), summary(e.getValue())));
        }
    }

    /** Runs one fresh JVM and records its times; throws when it fails. */
    private static void run(Variant v, Map<String, List<Double>> figures) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(v.command());
        if (v.receives()) {
            cmd.add(1, "");             // -Dstartup.t0, set at the last moment
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);   // keeps the list, not a copy
        long t0 = System.nanoTime();
        if (v.receives()) {
            cmd.set(1, "-D" + StartupClock.T0_PROPERTY + "=" + t0);
        }
        Process p = pb.start();
        CompletableFuture<String> err = drain(p.getErrorStream());
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        long wall = System.nanoTime() - t0;
        if (rc != 0) {
            throw new IllegalStateException(v.name() + " exited with " + rc + ": " + String.join(" ", cmd)
                    + "\n" + stdout + err.join());
        }
        figures.computeIfAbsent("wallMs", k -> new ArrayList<>()).add(wall / 1e6);
        if (v.receives()) {
            figures.computeIfAbsent("firstBlockMs", k -> new ArrayList<>()).add(value(stdout, "first-block-ms", v));
            figures.computeIfAbsent("mainMs", k -> new ArrayList<>()).add(value(stdout, "main-ms", v));
        }
    }

    private static double value(String stdout, String key, Variant v) {
        for (String line : stdout.split("\n")) {
            if (line.startsWith(key + "=")) {
                return Double.parseDouble(line.substring(key.length() + 1).strip());
            }
        }
        throw new IllegalStateException(v.name() + " printed no " + key + ": " + stdout);
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The report's extras format, {@code {"benchmark": ..., "params": {}, "metrics": {name: [values]}}},
     * written by hand so that this driver needs nothing but its own jar.
     */
    static String json(String benchmark, Map<String, List<Double>> metrics) {
        StringBuilder b = new StringBuilder("{\n  \"benchmark\": \"").append(benchmark)
                .append("\",\n  \"params\": {},\n  \"metrics\": {");
        String sep = "\n";
        for (Map.Entry<String, List<Double>> m : metrics.entrySet()) {
            b.append(sep).append("    \"").append(m.getKey()).append("\": [");
            for (int i = 0; i < m.getValue().size(); i++) {
                b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", m.getValue().get(i)));
            }
            b.append(']');
            sep = ",\n";
        }
        return b.append("\n  }\n}\n").toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> c = new ArrayList<>(a);
        c.addAll(b);
        return c;
    }

    /** median (min to max) of each metric, for the log. */
    private static String summary(Map<String, List<Double>> metrics) {
        StringBuilder b = new StringBuilder();
        metrics.forEach((k, vs) -> {
            List<Double> s = vs.stream().sorted().toList();
            int n = s.size();
            double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
            b.append(String.format(Locale.ROOT, "%s %.0f (%.0f to %.0f)  ", k, median, s.get(0), s.get(n - 1)));
        });
        return b.toString().strip();
    }

    /** How this JDK makes a start-up cache from a training run, and how a run uses it. */
    enum Cache {
        /** JDK 25+: one training run writes the cache (JEP 514). */
        AOT_ONE_STEP("AOT cache (-XX:AOTCacheOutput, JEP 483/514)"),
        /** JDK 24: record a configuration, then create the cache from it (JEP 483). */
        AOT_TWO_STEP("AOT cache (-XX:AOTMode=record/create, JEP 483)"),
        /** JDK 22-23: a dynamic AppCDS archive written at exit. */
        APPCDS("AppCDS archive (-XX:ArchiveClassesAtExit)");

        final String label;

        Cache(String label) {
            this.label = label;
        }

        static Cache forThisJdk() {
            int feature = Runtime.version().feature();
            return feature >= 25 ? AOT_ONE_STEP : feature == 24 ? AOT_TWO_STEP : APPCDS;
        }

        /**
         * Runs the application once to train a cache at {@code base}.*; returns the
         * command of a run that must use it.
         */
        List<String> train(String java, Path base, List<String> app) throws IOException, InterruptedException {
            Path cache = Path.of(base + (this == APPCDS ? ".jsa" : ".aot"));
            Files.deleteIfExists(cache);
            switch (this) {
                case AOT_ONE_STEP -> exec(concat(List.of(java, "-XX:AOTCacheOutput=" + cache), app));
                case AOT_TWO_STEP -> {
                    Path conf = Path.of(base + ".aotconf");
                    exec(concat(List.of(java, "-XX:AOTMode=record", "-XX:AOTConfiguration=" + conf), app));
                    exec(concat(List.of(java, "-XX:AOTMode=create", "-XX:AOTConfiguration=" + conf,
                            "-XX:AOTCache=" + cache), app.subList(0, app.size() - 1)));
                }
                case APPCDS -> exec(concat(List.of(java, "-XX:ArchiveClassesAtExit=" + cache), app));
            }
            if (!Files.isRegularFile(cache)) {
                throw new IllegalStateException("the training run wrote no " + cache);
            }
            return this == APPCDS
                    ? concat(List.of(java, "-Xshare:on", "-XX:SharedArchiveFile=" + cache), app)
                    : concat(List.of(java, "-XX:AOTMode=on", "-XX:AOTCache=" + cache), app);
        }

        private static void exec(List<String> cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("training failed: " + String.join(" ", cmd) + "\n" + out);
            }
        }
    }
}
