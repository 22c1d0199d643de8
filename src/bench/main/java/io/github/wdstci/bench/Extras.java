package io.github.wdstci.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.GsonBuilder;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Figures a benchmark measures besides its JMH score (latency percentiles,
 * memory per session, GC pauses), written by each fork to a JSON file of its
 * own under the directory named by the system property {@value #DIR_PROPERTY}
 * (nothing is written without it). The report reads them beside JMH's
 * results: {@code {"benchmark": ..., "params": {...}, "metrics": {name: [values]}}},
 * one value per measured iteration (or per fork for single-shot benchmarks).
 */
final class Extras {

    static final String DIR_PROPERTY = "bench.extras";

    private final Map<String, List<Double>> metrics = new LinkedHashMap<>();

    void add(String metric, double value) {
        metrics.computeIfAbsent(metric, k -> new ArrayList<>()).add(value);
    }

    boolean isEmpty() {
        return metrics.isEmpty();
    }

    /** Writes this fork's figures for the benchmark; does nothing without {@value #DIR_PROPERTY}. */
    void write(BenchmarkParams params) {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", params.getBenchmark());
        Map<String, String> p = new LinkedHashMap<>();
        for (String k : params.getParamsKeys()) {
            p.put(k, params.getParam(k));
        }
        json.put("params", p);
        json.put("metrics", metrics);
        StringBuilder name = new StringBuilder(params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.',
                params.getBenchmark().lastIndexOf('.') - 1) + 1));
        p.forEach((k, v) -> name.append('-').append(k).append('=').append(v));
        name.append('-').append(ProcessHandle.current().pid()).append(".json");
        try {
            Path d = Path.of(dir);
            Files.createDirectories(d);
            Files.writeString(d.resolve(name.toString()), new GsonBuilder().setPrettyPrinting().create().toJson(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
