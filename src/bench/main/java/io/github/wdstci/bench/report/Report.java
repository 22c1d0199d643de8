package io.github.wdstci.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Turns a bench run's JMH JSON ({@code results.json}) and the C consumer's
 * figures ({@code c-results.json}) into {@code results.md} (tables, targets)
 * and {@code throughput.png} (end-to-end throughput by block size for the
 * four consumers).
 *
 * <p>{@code java ... Report DIR [COPY_TO]}: reads and writes in DIR; with
 * COPY_TO, also copies the three outputs there (to commit a run's figures).
 */
public final class Report {

    static final String[] SIZES = {"4096", "65536", "1048576"};
    static final String[] SIZE_LABELS = {"4 KiB", "64 KiB", "1 MiB"};
    static final double GIB = 1L << 30;

    private final Map<String, Double> score = new LinkedHashMap<>();   // "Class.method[size]" -> score
    private final Map<String, Double> alloc = new LinkedHashMap<>();   // same key -> B/op
    private final JsonObject c;
    private final JsonObject first;

    Report(JsonArray jmh, JsonObject c) {
        this.c = c;
        this.first = jmh.isEmpty() ? new JsonObject() : jmh.get(0).getAsJsonObject();
        for (JsonElement e : jmh) {
            JsonObject r = e.getAsJsonObject();
            String name = r.get("benchmark").getAsString();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            JsonObject params = r.getAsJsonObject("params");
            String key = params != null && params.has("blockSize") ? name + "[" + params.get("blockSize").getAsString() + "]" : name;
            score.put(key, r.getAsJsonObject("primaryMetric").get("score").getAsDouble());
            JsonObject sec = r.getAsJsonObject("secondaryMetrics");
            for (String metric : new String[] {"gc.alloc.rate.norm", "·gc.alloc.rate.norm"}) {   // JMH 1.37, older
                if (sec != null && sec.has(metric)) {
                    alloc.put(key, sec.getAsJsonObject(metric).get("score").getAsDouble());
                }
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        JsonArray jmh;
        try (Reader r = Files.newBufferedReader(dir.resolve("results.json"))) {
            jmh = JsonParser.parseReader(r).getAsJsonArray();
        }
        JsonObject c;
        Path cFile = dir.resolve("c-results.json");
        if (Files.exists(cFile)) {
            try (Reader r = Files.newBufferedReader(cFile)) {
                c = JsonParser.parseReader(r).getAsJsonObject();
            }
        } else {
            c = new JsonObject();
        }
        Report report = new Report(jmh, c);
        Files.writeString(dir.resolve("results.md"), report.markdown());
        BitmapEncoder.saveBitmap(report.chart(), dir.resolve("throughput.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("report: " + dir.resolve("results.md") + ", " + dir.resolve("throughput.png"));
        if (args.length > 1) {
            Path to = Path.of(args[1]);
            Files.createDirectories(to);
            for (String f : new String[] {"results.md", "throughput.png", "results.json", "c-results.json"}) {
                if (Files.exists(dir.resolve(f))) {
                    Files.copy(dir.resolve(f), to.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println("report: copied to " + to);
        }
    }

    private Double get(String key) {
        return score.get(key);
    }

    private Double cFigure(String group, String size) {
        if (size == null) {
            return c.has(group) ? c.get(group).getAsDouble() : null;
        }
        JsonObject g = c.getAsJsonObject(group);
        return g != null && g.has(size) ? g.get(size).getAsDouble() : null;
    }

    /** ms per GiB -> GiB/s. */
    static Double gibPerSecond(Double msPerGiB) {
        return msPerGiB == null ? null : 1000.0 / msPerGiB;
    }

    /** ms per GiB -> ns per block. */
    static Double nsPerBlock(Double msPerGiB, String size) {
        return msPerGiB == null ? null : msPerGiB * 1e6 / (GIB / Long.parseLong(size));
    }

    /**
     * The callbacks' own cost ratio: each figure less the C consumer's (the
     * stand-in's delivery work, which every consumer pays); "n/a" when the
     * FFM figure is within the floor.
     */
    static String netRatio(Double ffm, Double jna, Double floor) {
        if (ffm == null || jna == null || floor == null || ffm - floor <= 0) {
            return "n/a";
        }
        return f((jna - floor) / (ffm - floor), "%.1fx");
    }

    static String f(Double v, String fmt) {
        return v == null ? "n/a" : String.format(Locale.ROOT, fmt, v);
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("Machine: ").append(cpu()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores. JDK: ").append(str(first, "jdkVersion")).append(" (").append(str(first, "vmName"))
                .append("). Date: ").append(LocalDate.now()).append(". JMH: ").append(str(first, "forks"))
                .append(" fork, ").append(str(first, "warmupIterations")).append("x").append(str(first, "warmupTime"))
                .append(" warm-up, ").append(str(first, "measurementIterations")).append("x")
                .append(str(first, "measurementTime")).append(" measurement, -prof gc.\n\n");

        b.append("**Downcall** (QueryStatus on a live session), ns per call\n\n");
        b.append("| FFM stub | JNA interface | JNA direct | C |\n|---:|---:|---:|---:|\n");
        b.append("| ").append(f(get("DowncallBenchmark.ffm"), "%.1f")).append(" | ")
                .append(f(get("DowncallBenchmark.jnaInterface"), "%.1f")).append(" | ")
                .append(f(get("DowncallBenchmark.jnaDirect"), "%.1f")).append(" | ")
                .append(f(cFigure("downcallNs", null), "%.1f")).append(" |\n\n");

        b.append("**Upcall** (stand-in thread -> content callback -> CompleteReceive, fill=0), ns per block\n\n");
        b.append("| block | FFM raw | Session API | JNA | C | JNA / FFM | JNA / FFM net of C |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            Double ffm = get("UpcallBenchmark.ffm[" + s + "]");
            Double jna = get("UpcallBenchmark.jna[" + s + "]");
            b.append("| ").append(SIZE_LABELS[i]).append(" | ").append(f(ffm, "%.0f")).append(" | ")
                    .append(f(get("UpcallBenchmark.sessionApi[" + s + "]"), "%.0f")).append(" | ")
                    .append(f(jna, "%.0f")).append(" | ").append(f(cFigure("upcallNsPerBlock", s), "%.0f")).append(" | ")
                    .append(ffm == null || jna == null ? "n/a" : f(jna / ffm, "%.1fx")).append(" | ")
                    .append(netRatio(ffm, jna, cFigure("upcallNsPerBlock", s))).append(" |\n");
        }

        b.append("\n**End to end** (1 GiB synthetic object, every 64-bit word summed), GiB/s (ns per block)\n\n");
        b.append("| block | Session API | raw FFM | JNA | C | Session API / C |\n|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            Double api = get("EndToEndBenchmark.sessionApi[" + s + "]");
            Double cMs = cFigure("endToEndMsPerGiB", s);
            b.append("| ").append(SIZE_LABELS[i]);
            for (Double ms : new Double[] {api, get("EndToEndBenchmark.rawFfm[" + s + "]"),
                    get("EndToEndBenchmark.jna[" + s + "]"), cMs}) {
                b.append(" | ").append(f(gibPerSecond(ms), "%.2f")).append(" (").append(f(nsPerBlock(ms, s), "%.0f")).append(')');
            }
            b.append(" | ").append(api == null || cMs == null ? "n/a" : f(100 * cMs / api, "%.0f%%")).append(" |\n");
        }

        b.append("\n**Allocation** (gc.alloc.rate.norm), bytes per block\n\n");
        b.append("| block | Session API (upcall) | raw FFM (upcall) | JNA (upcall) | Session API (end to end) |\n|---|---:|---:|---:|---:|\n");
        for (int i = 0; i < SIZES.length; i++) {
            String s = SIZES[i];
            Double e2e = alloc.get("EndToEndBenchmark.sessionApi[" + s + "]");
            b.append("| ").append(SIZE_LABELS[i]).append(" | ")
                    .append(f(alloc.get("UpcallBenchmark.sessionApi[" + s + "]"), "%.0f")).append(" | ")
                    .append(f(alloc.get("UpcallBenchmark.ffm[" + s + "]"), "%.0f")).append(" | ")
                    .append(f(alloc.get("UpcallBenchmark.jna[" + s + "]"), "%.0f")).append(" | ")
                    .append(e2e == null ? "n/a" : f(e2e / (GIB / Long.parseLong(s)), "%.0f")).append(" |\n");
        }
        return b.toString();
    }

    CategoryChart chart() {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(450)
                .title("End to end: 1 GiB received and summed, by block size")
                .xAxisTitle("block size").yAxisTitle("GiB/s").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        List<String> x = List.of(SIZE_LABELS);
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("Session API", new ArrayList<>());
        series.put("raw FFM", new ArrayList<>());
        series.put("JNA", new ArrayList<>());
        series.put("C consumer", new ArrayList<>());
        for (String s : SIZES) {
            series.get("Session API").add(orZero(gibPerSecond(get("EndToEndBenchmark.sessionApi[" + s + "]"))));
            series.get("raw FFM").add(orZero(gibPerSecond(get("EndToEndBenchmark.rawFfm[" + s + "]"))));
            series.get("JNA").add(orZero(gibPerSecond(get("EndToEndBenchmark.jna[" + s + "]"))));
            series.get("C consumer").add(orZero(gibPerSecond(cFigure("endToEndMsPerGiB", s))));
        }
        series.forEach((name, ys) -> chart.addSeries(name, x, ys));
        return chart;
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    private static String str(JsonObject o, String k) {
        return o.has(k) ? o.get(k).getAsString() : "?";
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
