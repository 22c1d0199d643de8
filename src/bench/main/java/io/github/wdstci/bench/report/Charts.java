package io.github.wdstci.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * One chart per family, as PNG, with the error of each bar (the figure's ±;
 * not on the logarithmic charts, where XChart misdraws them):
 * throughput.png (end to end by block size), concurrency.png (aggregate
 * throughput and memory growth by number of live sessions), latency.png
 * (per-block percentiles), lifecycle.png (sessions per second) and
 * isolated.png (the isolated costs). A missing figure is drawn as 0, or, on
 * a logarithmic axis, leaves its series out.
 */
final class Charts {

    private Charts() {
    }

    /** A series: its name and, per category, a figure computed per run. */
    private record Series(String name, List<Function<RunData, Measured>> points) {
    }

    /** Writes every chart into {@code out}; returns the file names. */
    static List<String> write(Report report, Path out) throws IOException {
        List<String> files = new ArrayList<>();
        save(throughput(report), out, "throughput.png", files);
        List<CategoryChart> conc = List.of(concurrency(report), memory(report));
        BitmapEncoder.saveBitmap(conc, 1, 2, out.resolve("concurrency.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        files.add("concurrency.png");
        save(latency(report), out, "latency.png", files);
        save(lifecycle(report), out, "lifecycle.png", files);
        save(isolated(report), out, "isolated.png", files);
        return files;
    }

    private static void save(CategoryChart c, Path out, String name, List<String> files) throws IOException {
        BitmapEncoder.saveBitmap(c, out.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        files.add(name);
    }

    private static CategoryChart chart(String title, String x, String y, int width) {
        CategoryChart c = new CategoryChartBuilder().width(width).height(450).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setErrorBarsColorSeriesColor(true);
        return c;
    }

    private static void add(Report report, CategoryChart chart, List<String> categories, List<Series> series, boolean log) {
        double lowest = Double.POSITIVE_INFINITY;
        for (Series s : series) {
            List<Double> ys = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            boolean missing = false;
            for (Function<RunData, Measured> p : s.points()) {
                Figure f = report.fig(p);
                missing |= f == null;
                double y = f == null ? 0 : f.value();
                double e = f == null || !Double.isFinite(f.error()) ? 0 : f.error();
                missing |= log && y <= 0;
                ys.add(y);
                errors.add(e);
            }
            if (log && missing) {
                continue;
            }
            for (int i = 0; i < ys.size(); i++) {
                lowest = Math.min(lowest, ys.get(i));
            }
            if (log) {
                chart.addSeries(s.name(), categories, ys);   // XChart misdraws error bars on a log axis
            } else {
                chart.addSeries(s.name(), categories, ys, errors);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            // XChart cannot draw an empty chart: say so on a series of ones.
            chart.addSeries("no data", categories, categories.stream().map(c -> 1.0).toList());
            lowest = 1;
        }
        if (log) {
            // Bars start at the axis minimum, 0 unless told: a power of ten below the lowest bar.
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lowest))));
        }
    }

    static CategoryChart throughput(Report r) {
        CategoryChart c = chart("End to end: 1 GiB received, every word summed, by block size", "block size", "GiB/s", 900);
        List<Series> s = new ArrayList<>();
        Map<String, String> methods = new LinkedHashMap<>();
        methods.put("Session API", "sessionApi");
        methods.put("Session API async", "sessionApiAsync");
        methods.put("raw FFM", "rawFfm");
        methods.put("JNA", "jna");
        methods.forEach((name, m) -> s.add(new Series(name, bySize(size -> run -> Report.e2eGibPerSecond(run, m, size)))));
        s.add(new Series("C floor", bySize(size -> run -> Report.cFloor(run, "e2e." + size))));
        add(r, c, List.of(Report.SIZE_LABELS), s, false);
        return c;
    }

    private static List<Function<RunData, Measured>> bySize(Function<String, Function<RunData, Measured>> f) {
        List<Function<RunData, Measured>> l = new ArrayList<>();
        for (String s : Report.SIZES) {
            l.add(f.apply(s));
        }
        return l;
    }

    private static List<Function<RunData, Measured>> bySessions(Function<String, Function<RunData, Measured>> f) {
        List<Function<RunData, Measured>> l = new ArrayList<>();
        for (String k : Report.SESSIONS) {
            l.add(f.apply(k));
        }
        return l;
    }

    static CategoryChart concurrency(Report r) {
        CategoryChart c = chart("Aggregate throughput of concurrent 64 MiB sessions", "sessions", "GiB/s", 700);
        add(r, c, List.of(Report.SESSIONS), List.of(
                new Series("Session API", bySessions(k -> run -> Report.concurrencyGibPerSecond(run, "sessionApi", k))),
                new Series("JNA", bySessions(k -> run -> Report.concurrencyGibPerSecond(run, "jna", k))),
                new Series("C", bySessions(k -> run -> Report.cFloor(run, "concurrency." + k)))), false);
        return c;
    }

    static CategoryChart memory(Report r) {
        CategoryChart c = chart("Memory growth with live sessions (RSS)", "sessions", "MiB", 700);
        add(r, c, List.of(Report.SESSIONS), List.of(
                new Series("Session API", bySessions(k -> run -> mib(run.extra("MemoryBenchmark", "sessionApi",
                        "rssTotal", "B", "sessions", k)))),
                new Series("JNA", bySessions(k -> run -> mib(run.extra("MemoryBenchmark", "jna", "rssTotal", "B",
                        "sessions", k)))),
                new Series("C", bySessions(k -> run -> {
                    Measured m = run.c("O3", "memory." + k);
                    return m == null ? null : mib(m.times(Double.parseDouble(k), "B"));
                }))), false);
        return c;
    }

    private static Measured mib(Measured m) {
        return m == null ? null : m.times(1.0 / (1 << 20), "MiB");
    }

    static CategoryChart latency(Report r) {
        CategoryChart c = chart("Latency per block (gap between content callbacks)", "percentile", "us (log)", 900);
        c.getStyler().setYAxisLogarithmic(true);
        List<Series> s = new ArrayList<>();
        for (String size : Report.LATENCY_SIZES) {
            for (String[] consumer : new String[][] {{"Session API", "sessionApi"}, {"JNA", "jna"}}) {
                List<Function<RunData, Measured>> points = new ArrayList<>();
                for (String p : new String[] {"p50", "p99", "p999"}) {
                    points.add(run -> {
                        Measured m = run.extra("LatencyBenchmark", consumer[1], p, "ns", "blockSize", size);
                        return m == null ? null : m.times(1e-3, "us");
                    });
                }
                s.add(new Series(consumer[0] + ", " + Report.label(size), points));
            }
        }
        add(r, c, List.of("p50", "p99", "p99.9"), s, true);
        return c;
    }

    static CategoryChart lifecycle(Report r) {
        CategoryChart c = chart("Session lifecycle: whole sessions per second", "object size", "sessions/s", 800);
        List<String> x = new ArrayList<>();
        for (String s : Report.LIFECYCLE_SIZES) {
            x.add(s + " B");
        }
        List<Series> s = new ArrayList<>();
        for (String[] consumer : new String[][] {{"Session API", "sessionApi"}, {"raw FFM", "rawFfm"}, {"JNA", "jna"}}) {
            List<Function<RunData, Measured>> points = new ArrayList<>();
            for (String size : Report.LIFECYCLE_SIZES) {
                points.add(run -> {
                    Measured m = run.score("LifecycleBenchmark", consumer[1], "objectSize", size);
                    return m == null ? null : m.inverse(1e6, "sessions/s");
                });
            }
            s.add(new Series(consumer[0], points));
        }
        List<Function<RunData, Measured>> cPoints = new ArrayList<>();
        for (String size : Report.LIFECYCLE_SIZES) {
            cPoints.add(run -> {
                Measured m = Report.cFloor(run, "lifecycle." + size);
                return m == null ? null : m.inverse(1e6, "sessions/s");
            });
        }
        s.add(new Series("C", cPoints));
        add(r, c, x, s, false);
        return c;
    }

    static CategoryChart isolated(Report r) {
        CategoryChart c = chart("Isolated costs", "", "ns (log)", 900);
        c.getStyler().setYAxisLogarithmic(true);
        List<String> x = List.of("downcall (constant)", "upcall (harness)", "per block (null transport)");
        add(r, c, x, List.of(
                new Series("FFM / Session API", List.of(run -> run.score("DowncallBenchmark", "constantFfm"),
                        run -> run.score("HarnessUpcallBenchmark", "ffm"),
                        run -> run.score("NullTransportBenchmark", "sessionApi"))),
                new Series("JNA (direct)", List.of(run -> run.score("DowncallBenchmark", "constantJnaDirect"),
                        run -> run.score("HarnessUpcallBenchmark", "jnaDirect"),
                        run -> run.score("NullTransportBenchmark", "jna"))),
                new Series("C", List.of(run -> Report.cFloor(run, "downcall.constant"),
                        run -> Report.cFloor(run, "upcall.harness"),
                        run -> run.c("null", "delivery.null.65536")))), true);
        return c;
    }
}
