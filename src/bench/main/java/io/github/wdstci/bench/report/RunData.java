package io.github.wdstci.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * One bench run's raw results, as the Maven build leaves them in a directory:
 * <ul>
 *   <li>{@code results*.json}: JMH's JSON (several invocations: the main one,
 *       cold start, memory);</li>
 *   <li>{@code c-<build>.json}: the C consumer's figures per build (O3,
 *       native, null);</li>
 *   <li>{@code extras/*.json}: what benchmarks measured besides their score
 *       (see {@code Extras});</li>
 *   <li>{@code machine.json}, {@code cc.txt}: where and with what it ran.</li>
 * </ul>
 */
final class RunData {

    /** A JMH result: short class name, method, parameters, score, secondary scores. */
    record Jmh(String bench, String method, Map<String, String> params, Measured score, Map<String, Double> secondary,
               String mode) {
    }

    /** One JMH invocation's settings, from its first record. */
    record Settings(String file, String jmhVersion, String jdk, String vm, List<String> jvmArgs, int forks,
                    int warmupIterations, String warmupTime, int measurementIterations, String measurementTime) {
    }

    final String name;
    final List<Jmh> jmh = new ArrayList<>();
    final List<Settings> settings = new ArrayList<>();
    /** build (O3, native, null) -> key -> figure */
    final Map<String, Map<String, Measured>> c = new TreeMap<>();
    /** build -> compiler flags label as the consumer reports it */
    final Map<String, String> cBuildLabel = new TreeMap<>();
    /** "bench.method" -> params -> metric -> values */
    final List<Extra> extras = new ArrayList<>();
    JsonObject machine = new JsonObject();
    String compiler = "";

    record Extra(String bench, String method, Map<String, String> params, Map<String, List<Double>> metrics) {
    }

    RunData(String name) {
        this.name = name;
    }

    static RunData load(Path dir) throws IOException {
        RunData run = new RunData(dir.getFileName().toString());
        try (Stream<Path> files = Files.list(dir)) {
            // results.json (the main JMH run) first: the report's header takes its settings from it
            for (Path f : files.sorted(java.util.Comparator.comparing((Path p) -> !p.getFileName().toString()
                    .equals("results.json")).thenComparing(Path::compareTo)).toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith("results") && n.endsWith(".json")) {
                    run.addJmh(n, parse(f));
                } else if (n.startsWith("c-") && n.endsWith(".json")) {
                    run.addC(n.substring(2, n.length() - 5), parse(f).getAsJsonObject());
                } else if (n.equals("machine.json")) {
                    run.machine = parse(f).getAsJsonObject();
                } else if (n.equals("cc.txt")) {
                    run.compiler = Files.readString(f).strip();
                }
            }
        }
        Path extras = dir.resolve("extras");
        if (Files.isDirectory(extras)) {
            try (Stream<Path> files = Files.list(extras)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    run.addExtra(parse(f).getAsJsonObject());
                }
            }
        }
        return run;
    }

    /** Whether a directory holds a run (at least one JMH or C result). */
    static boolean isRun(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.endsWith(".json") && (n.startsWith("results") || n.startsWith("c-")));
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonElement parse(Path f) throws IOException {
        try (Reader r = Files.newBufferedReader(f)) {
            return JsonParser.parseReader(r);
        }
    }

    /** "io.github.wdstci.bench.EndToEndBenchmark.sessionApi" -> {"EndToEndBenchmark", "sessionApi"} */
    static String[] split(String benchmark) {
        int m = benchmark.lastIndexOf('.');
        int c = benchmark.lastIndexOf('.', m - 1);
        return new String[] {benchmark.substring(c + 1, m), benchmark.substring(m + 1)};
    }

    private static Map<String, String> params(JsonObject o) {
        Map<String, String> p = new TreeMap<>();
        if (o != null) {
            o.entrySet().forEach(e -> p.put(e.getKey(), e.getValue().getAsString()));
        }
        return p;
    }

    void addJmh(String file, JsonElement json) {
        boolean first = true;
        for (JsonElement e : json.getAsJsonArray()) {
            JsonObject r = e.getAsJsonObject();
            if (first) {
                settings.add(new Settings(file, str(r, "jmhVersion"), str(r, "jdkVersion"), str(r, "vmName") + " "
                        + str(r, "vmVersion"), jvmArgs(r),
                        integer(r, "forks"), integer(r, "warmupIterations"), str(r, "warmupTime"),
                        integer(r, "measurementIterations"), str(r, "measurementTime")));
                first = false;
            }
            String[] bm = split(r.get("benchmark").getAsString());
            JsonObject pm = r.getAsJsonObject("primaryMetric");
            double err = pm.has("scoreError") && !pm.get("scoreError").isJsonNull()
                    && !"NaN".equals(pm.get("scoreError").getAsString()) ? pm.get("scoreError").getAsDouble() : Double.NaN;
            Measured score = new Measured(pm.get("score").getAsDouble(), err, pm.get("scoreUnit").getAsString());
            Map<String, Double> secondary = new LinkedHashMap<>();
            JsonObject sec = r.getAsJsonObject("secondaryMetrics");
            if (sec != null) {
                for (Map.Entry<String, JsonElement> s : sec.entrySet()) {
                    JsonElement v = s.getValue().getAsJsonObject().get("score");
                    if (v != null && !"NaN".equals(v.getAsString())) {
                        secondary.put(s.getKey().replace("·", ""), v.getAsDouble());
                    }
                }
            }
            jmh.add(new Jmh(bm[0], bm[1], params(r.getAsJsonObject("params")), score, secondary, str(r, "mode")));
        }
    }

    void addC(String build, JsonObject json) {
        Map<String, Measured> figures = new LinkedHashMap<>();
        JsonObject fs = json.getAsJsonObject("figures");
        for (Map.Entry<String, JsonElement> e : fs.entrySet()) {
            JsonObject f = e.getValue().getAsJsonObject();
            double min = f.get("min").getAsDouble();
            double max = f.get("max").getAsDouble();
            int runs = f.has("runs") ? f.get("runs").getAsInt() : 1;
            figures.put(e.getKey(), new Measured(f.get("value").getAsDouble(), runs > 1 ? (max - min) / 2 : Double.NaN,
                    f.get("unit").getAsString()));
        }
        c.put(build, figures);
        cBuildLabel.put(build, json.has("build") ? json.get("build").getAsString() : build);
    }

    void addExtra(JsonObject json) {
        String[] bm = split(json.get("benchmark").getAsString());
        Map<String, List<Double>> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> m : json.getAsJsonObject("metrics").entrySet()) {
            List<Double> vs = new ArrayList<>();
            m.getValue().getAsJsonArray().forEach(v -> vs.add(v.getAsDouble()));
            metrics.put(m.getKey(), vs);
        }
        extras.add(new Extra(bm[0], bm[1], params(json.getAsJsonObject("params")), metrics));
    }

    /** The forks' JVM options, without repeats and without the -Dbench.* ones (they name local files). */
    private static List<String> jvmArgs(JsonObject r) {
        List<String> args = new ArrayList<>();
        if (r.has("jvmArgs")) {
            for (JsonElement a : r.getAsJsonArray("jvmArgs")) {
                String s = a.getAsString();
                if (!s.startsWith("-Dbench.") && !args.contains(s)) {
                    args.add(s);
                }
            }
        }
        return args;
    }

    private static String str(JsonObject o, String k) {
        return o.has(k) && !o.get(k).isJsonNull() ? o.get(k).getAsString() : "?";
    }

    private static int integer(JsonObject o, String k) {
        return o.has(k) ? o.get(k).getAsInt() : -1;
    }

    private static boolean matches(Map<String, String> params, String... kv) {
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (!kv[i + 1].equals(params.get(kv[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The JMH result of bench.method whose parameters include these key/value pairs, or null. */
    Jmh find(String bench, String method, String... kv) {
        for (Jmh j : jmh) {
            if (j.bench.equals(bench) && j.method.equals(method) && matches(j.params, kv)) {
                return j;
            }
        }
        return null;
    }

    Measured score(String bench, String method, String... kv) {
        Jmh j = find(bench, method, kv);
        return j == null ? null : j.score;
    }

    /** A secondary metric of a JMH result (e.g. gc.alloc.rate.norm), without error. */
    Measured secondary(String bench, String method, String metric, String unit, String... kv) {
        Jmh j = find(bench, method, kv);
        Double v = j == null ? null : j.secondary.get(metric);
        return v == null ? null : new Measured(v, Double.NaN, unit);
    }

    /** A C figure of one build, or null. */
    Measured c(String build, String key) {
        Map<String, Measured> b = c.get(build);
        return b == null ? null : b.get(key);
    }

    /**
     * An extra metric over every fork and iteration of bench.method with these
     * parameters: the median, with half the range as its error.
     */
    Measured extra(String bench, String method, String metric, String unit, String... kv) {
        List<Double> all = new ArrayList<>();
        for (Extra e : extras) {
            if (e.bench.equals(bench) && e.method.equals(method) && matches(e.params, kv) && e.metrics.containsKey(metric)) {
                e.metrics.get(metric).stream().filter(Double::isFinite).forEach(all::add);
            }
        }
        if (all.isEmpty()) {
            return null;
        }
        all.sort(Double::compare);
        int n = all.size();
        double median = n % 2 == 1 ? all.get(n / 2) : (all.get(n / 2 - 1) + all.get(n / 2)) / 2;
        return new Measured(median, n > 1 ? (all.get(n - 1) - all.get(0)) / 2 : Double.NaN, unit);
    }
}
