package io.github.wdstci.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report generator on a small fixture: two runs (test/resources/report-fixture/1
 * and 2) with a few JMH records, the C consumer's figures and extras.
 */
class ReportTest {

    private static Path fixture() throws URISyntaxException {
        return Path.of(ReportTest.class.getResource("/report-fixture").toURI());
    }

    private static Report report(String... runs) throws Exception {
        List<RunData> data = new ArrayList<>();
        for (String r : runs) {
            data.add(RunData.load(fixture().resolve(r)));
        }
        return new Report(data);
    }

    @Test
    void readsJmhRecordsWithTheirErrorAndParameters() throws Exception {
        RunData run = RunData.load(fixture().resolve("1"));

        assertThat(run.score("DowncallBenchmark", "constantFfm")).isEqualTo(new Measured(2.5, 0.1, "ns/op"));
        RunData.Jmh e2e = run.find("EndToEndBenchmark", "sessionApi", "blockSize", "65536");
        assertThat(e2e.params()).containsEntry("objectSize", "1073741824");
        assertThat(run.find("EndToEndBenchmark", "sessionApi", "blockSize", "4096")).isNull();
        assertThat(run.secondary("DeliveryBenchmark", "sessionApi", "gc.alloc.rate.norm", "B/op", "blockSize", "65536")
                .value()).isEqualTo(160.0);
        assertThat(run.settings).extracting(RunData.Settings::file).containsExactly("results.json", "results-coldstart.json");
        assertThat(run.settings.get(0).jvmArgs()).containsExactly("--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void cFiguresCarryHalfTheirRangeAsError() throws Exception {
        RunData run = RunData.load(fixture().resolve("1"));

        Measured m = run.c("O3", "e2e.65536");
        assertThat(m.value()).isEqualTo(4.0);
        assertThat(m.error()).isCloseTo(0.1, within(1e-9));
        assertThat(run.cBuildLabel).containsEntry("native", "O3 -march=native");
    }

    @Test
    void extrasAreTheMedianOverForksAndIterations() throws Exception {
        RunData run = RunData.load(fixture().resolve("1"));

        Measured p999 = run.extra("LatencyBenchmark", "sessionApi", "p999", "ns", "blockSize", "65536");
        assertThat(p999.value()).isEqualTo(110_000.0);
        assertThat(p999.error()).isEqualTo(10_000.0);
        assertThat(run.extra("LatencyBenchmark", "sessionApi", "p999", "ns", "blockSize", "4096")).isNull();
    }

    @Test
    void marginalMemoryIsTheGrowthFrom16To64SessionsPerSession() throws Exception {
        RunData run = RunData.load(fixture().resolve("1"));

        assertThat(Report.marginal(run, "sessionApi", "rss").value()).isCloseTo((64 * 200 - 16 * 300) / 48.0, within(1e-9));
        assertThat(Report.marginal(run, "jna", "rss")).isNull();
        assertThat(Report.marginalC(run)).isNull();                      // the fixture's C has memory.64 only
    }

    @Test
    void theFloorIsTheFasterBuildForEachFigure() throws Exception {
        Report r = report("1");
        RunData run = r.runs.get(0);

        assertThat(Report.cFloor(run, "e2e.65536").value()).isEqualTo(4.5);         // GiB/s: higher wins
        assertThat(Report.cFloor(run, "downcall.constant").value()).isEqualTo(1.5); // ns: lower wins
        assertThat(r.cFloorBuild("e2e.65536")).isEqualTo("O3 -march=native");
        assertThat(r.cFloorBuild("downcall.constant")).isEqualTo("O3");
    }

    @Test
    void twoRunsGiveTheMeanTheLargerErrorAndTheSpread() throws Exception {
        Figure f = report("1", "2").fig(run -> run.score("DowncallBenchmark", "constantFfm"));

        assertThat(f.value()).isCloseTo(2.6, within(1e-9));
        assertThat(f.error()).isCloseTo(0.1, within(1e-9));
        assertThat(f.spread()).isCloseTo(0.2 / 2.6, within(1e-9));
        assertThat(f.runs()).isEqualTo(2);
        assertThat(f.format()).isEqualTo("2.60 ± 0.10 (Δ7.7%)");
    }

    @Test
    void oneRunHasNoSpread() throws Exception {
        Figure f = report("1").fig(run -> run.score("DowncallBenchmark", "constantFfm"));

        assertThat(f.spread()).isNaN();
        assertThat(f.format()).isEqualTo("2.50 ± 0.10");
    }

    @Test
    void endToEndIsConvertedToGibPerSecondWithItsRelativeError() throws Exception {
        RunData run = report("1").runs.get(0);

        Measured gibs = Report.e2eGibPerSecond(run, "sessionApi", "65536");
        assertThat(gibs.value()).isCloseTo(5.0, within(1e-9));                  // 1 GiB in 200 ms
        assertThat(gibs.error()).isCloseTo(5.0 * 4 / 200, within(1e-9));        // 2% of the value
        assertThat(Report.e2eNsPerBlock(run, "sessionApi", "65536").value()).isCloseTo(200e6 / 16384, within(1e-6));
    }

    @Test
    void targetsAreMetOrMissedAsMeasured() throws Exception {
        Map<String, Report.Target> t = new java.util.LinkedHashMap<>();
        for (Report.Target x : report("1", "2").targets()) {
            t.put(x.goal(), x);
        }

        Report.Target up = t.get("upcall, isolated: JNA (best configuration) / FFM Session API");
        assertThat(up.figure().value()).isCloseTo(25.0, within(1e-9));
        assertThat(up.verdict()).isEqualTo("met");
        Report.Target down = t.get("downcall, isolated: JNA direct / FFM");
        assertThat(down.figure().value()).isCloseTo((50 / 2.5 + 50 / 2.7) / 2, within(1e-9));
        assertThat(down.verdict()).isEqualTo("met");
        assertThat(t.get("end to end, Session API / best C floor, 64 KiB").figure().value())
                .isCloseTo(5.0 / 4.5, within(1e-9));
        assertThat(t.get("end to end, Session API / best C floor, 64 KiB").note()).contains("O3 -march=native");
        assertThat(t.get("end to end, Session API / best C floor, 4 KiB").verdict()).isEqualTo("not measured");
        assertThat(t.get("async path / sync path, per block, 64 KiB").figure().value()).isCloseTo(2.4, within(1e-9));
        assertThat(t.get("async path / sync path, per block, 64 KiB").verdict()).isEqualTo("missed");
        assertThat(t.get("session lifecycle, Session API / C, time per session, 0 B").figure().value())
                .isCloseTo(100.0 / 55, within(1e-9));
        assertThat(t.get("64 concurrent sessions, aggregate / 1 session (Session API)").figure().value())
                .isCloseTo(64 * 20.0 / 1400, within(1e-9));
        assertThat(t.get("64 concurrent sessions, aggregate / 1 session (Session API)").verdict()).isEqualTo("met");
        assertThat(t.get("per-block p99.9, Session API / JNA, 64 KiB").figure().value()).isCloseTo(0.55, within(1e-9));
    }

    @Test
    void markdownLabelsEveryTableAndMarksFiguresAboveTheFloor() throws Exception {
        String md = report("1", "2").markdown();

        assertThat(md).contains("- **Machine**: Test CPU, 2 cores; Linux test amd64");
        assertThat(md).contains("- **Runs**: 2 (1: 2026-01-01, 2: 2026-01-02)");
        assertThat(md).contains("gcc (Test) 12.2.0");
        assertThat(md).doesNotContain("/home/someone");
        assertThat(md).contains("## Isolated downcall", "## Isolated upcall", "(null transport)",
                "## Delivery path through the stand-in", "## End to end, GiB/s", "## Session lifecycle",
                "## Cold start", "## Concurrent sessions", "Memory per live session", "## Latency per block");
        assertThat(md).contains("| constant | 2.60 ± 0.10 (Δ7.7%) |");
        assertThat(md).contains("111% ± 3 (Δ0.0%) †");
        assertThat(md).contains("| 64 KiB | Session API | 21.0 ± 1.0 (Δ0.0%) |");
    }

    @Test
    void summaryIsATableForTheReadme() throws Exception {
        String summary = report("1").summary();

        assertThat(summary).contains("| goal | target | figure | verdict | note |");
        assertThat(summary).contains("| downcall, isolated: JNA direct / FFM | >= 10x | 20.0x ± 1.1 | met |");
        assertThat(summary).contains("Test CPU, 2 cores; JDK 25.0.3");
        assertThat(summary).as("speaks of the targets, not of the tracker").contains("performance target")
                .doesNotContainIgnoringCase("issue");
    }

    @Test
    void mainWritesTheReportAndChartsAndPublishesWithoutLocalPaths(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path pub = tmp.resolve("pub");

        Report.main(new String[] {"--out", out.toString(), "--runs", fixture().toString(), "--publish=true",
                "--publish-dir", pub.toString()});

        for (String f : List.of("results.md", "summary.md", "throughput.png", "concurrency.png", "latency.png",
                "lifecycle.png", "isolated.png")) {
            assertThat(out.resolve(f)).isNotEmptyFile();
            assertThat(pub.resolve(f)).isNotEmptyFile();
        }
        String published = Files.readString(pub.resolve("runs/2/results.json"));
        assertThat(published).doesNotContain("/home/someone", "/opt/jdk")
                .contains("\"jvm\": \".../java\"", "-Dbench.standin=.../libwdstptc.so");
        assertThat(pub.resolve("runs/1/extras/LatencyBenchmark.jna-blockSize=65536-2.json")).exists();
    }

    @Test
    void stampRecordsTheMachineInTheRun(@TempDir Path tmp) throws IOException {
        Report.stampMachine(tmp);

        assertThat(Files.readString(tmp.resolve("machine.json"))).contains("\"cores\"", "\"date\"");
    }

    @Test
    void refusesADirectoryWithoutRuns(@TempDir Path tmp) {
        assertThatThrownBy(() -> Report.runDirs(tmp)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no run");
    }
}
