package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a run shows while it receives, as a user sees it: always on standard error (standard
 * output carries only what was asked for), the bar only where standard error is a terminal,
 * counts that keep every object, and rates that agree with the summary.
 */
class ProgressTest {

    @TempDir
    Path dir;

    /** 64 blocks 10 ms apart: progress is sampled while it arrives. */
    private static final String PACED = "4MiB?block=64KiB&delay=10ms";

    @Test
    void progressGoesToStandardErrorAndNothingElseToStandardOutput() {
        CliRun lines = CliRun.inProcess(false, false, "get", "-s", "wds01", "-n", "synthetic", "1MiB", "-o",
                dir.resolve("a.bin").toString(), "--sha256");
        assertThat(lines.exitCode()).as(lines.err()).isZero();
        assertThat(lines.out()).isEmpty();
        assertThat(lines.record("done")).containsEntry("output", dir.resolve("a.bin").toString())
                .containsKey("sha256");

        // --progress=bar with standard output redirected (a file) and standard error a terminal
        CliRun bar = CliRun.inProcess(false, true, "get", "-s", "wds01", "-n", "synthetic", PACED, "-o",
                dir.resolve("b.bin").toString(), "--progress=bar");
        assertThat(bar.exitCode()).as(bar.err()).isZero();
        assertThat(bar.out()).as("no escape codes in the redirected output").isEmpty();
        assertThat(bar.err()).contains("%").contains("ETA ").contains("Received 4.00 MiB in ");
    }

    @Test
    void theBarIsDrawnOnlyWhereStandardErrorIsATerminal() {
        CliRun auto = CliRun.inProcess(true, false, "demo", "--size", "1MiB");
        assertThat(auto.exitCode()).as(auto.err()).isZero();
        assertThat(auto.err()).doesNotContain("\r").doesNotContain("\u001b");
        assertThat(auto.record("done")).containsEntry("verified", "content");

        CliRun forced = CliRun.inProcess(true, false, "demo", "--size", "1MiB", "--progress", "bar");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.err()).doesNotContain("\r").doesNotContain("\u001b")
                .contains("wdsget: note: --progress=bar needs standard error on a terminal; showing lines");
        assertThat(forced.record("done")).containsEntry("verified", "content");
        assertThat(forced.out()).isEmpty();
    }

    @ParameterizedTest(name = "-q --progress={0}")
    @ValueSource(strings = {"bar", "lines"})
    void quietAndAProgressDisplayContradictEachOther(String mode) {
        CliRun r = CliRun.inProcess(true, true, "demo", "--size", "64KiB", "-q", "--progress", mode);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errors()).singleElement().asString().contains("--quiet").contains("--progress=" + mode);
        assertThat(CliRun.inProcess("demo", "--size", "64KiB", "-q", "--progress", "none").exitCode()).isZero();
    }

    /**
     * With several objects and one failing, every record still counts all of them, a total once
     * known never shrinks, and the run ends with a tally of what became of them.
     */
    @Test
    void aFailedObjectStaysCountedAndTheRunEndsWithATally() {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?delay=5ms", "2MiB?delay=5ms",
                "3MiB?fail=1236@1MiB&delay=5ms", "-o", dir + "/");
        assertThat(r.exitCode()).isEqualTo(1);
        List<Map<String, String>> progress = r.records().stream().filter(m -> m.get("kind").equals("progress"))
                .toList();
        assertThat(progress).isNotEmpty().allSatisfy(m -> assertThat(m.get("objects")).endsWith("/3"));
        long seen = -1;
        for (Map<String, String> m : progress) {
            if (!m.get("total").equals("-")) {
                long total = Long.parseLong(m.get("total"));
                assertThat(total).as("total in %s", progress).isGreaterThanOrEqualTo(seen);
                seen = total;
            }
        }
        assertThat(r.record("summary")).containsEntry("objects", "3").containsEntry("received", "2")
                .containsEntry("failed", "1").containsEntry("skipped", "0");

        CliRun bar = CliRun.inProcess(true, true, "get", "-s", "wds01", "-n", "synthetic", "1MiB?delay=5ms&seed=1",
                "2MiB?delay=5ms&seed=1", "3MiB?fail=1236@1MiB&delay=5ms&seed=1", "-o", dir + "/bar/", "--create-dirs");
        assertThat(bar.exitCode()).isEqualTo(1);
        assertThat(bar.err()).doesNotContain("/2 objects").contains("Received 2 of 3 objects; 1 failed");
    }

    /** The last progress record of an object has the rate its summary gives (both over the same time). */
    @Test
    void theLastProgressRecordHasTheSummarysRate() {
        CliRun r = CliRun.inProcess("demo", "--size", "4MiB", "--delay", "5ms", "--seed", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<Map<String, String>> progress = r.records().stream().filter(m -> m.get("kind").equals("progress"))
                .toList();
        Map<String, String> done = r.record("done");
        assertThat(progress.getLast()).containsEntry("percent", "100.0").containsEntry("rate", done.get("rate"));
        double seconds = Double.parseDouble(done.get("seconds"));
        assertThat(Long.parseLong(done.get("rate"))).as("bytes / seconds").isCloseTo(Math.round((4 << 20) / seconds),
                org.assertj.core.data.Percentage.withPercentage(1));
    }

    /** The demo's first line says what it receives in words, not the stand-in's object name. */
    @Test
    void theDemoSaysWhatItReceives() {
        CliRun r = CliRun.inProcess(true, true, "demo", "--size", "4MiB", "--seed", "7", "--order", "wrap");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String first = r.err().lines().findFirst().orElseThrow();
        assertThat(first).isEqualTo("Receiving a synthetic object of 4.00 MiB through the stand-in (blocks of 64.00 KiB,"
                + " order wrap, seed 7)");
    }
}
