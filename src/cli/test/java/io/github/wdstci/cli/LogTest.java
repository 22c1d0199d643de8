package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --log FILE: the run's events, each on a line with its time, appended. */
class LogTest {

    @TempDir
    Path dir;

    /** An ISO-8601 local time to the millisecond with its offset, then the event. */
    static final String STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}([+-]\\d\\d:\\d\\d|Z) ";

    List<String> log(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).matches(STAMP + ".+"));
        return lines.stream().map(l -> l.replaceFirst(STAMP, "")).toList();
    }

    /** get of {@code object} into {@code output} in the test's directory, logged to {@code run.log} there. */
    CliRun get(String object, String output, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("get", "-s", "wds01", "-n", "synthetic", object, "-o",
                dir.resolve(output).toString(), "--log", dir.resolve("run.log").toString()));
        args.addAll(List.of(more));
        return CliRun.inProcess(args.toArray(String[]::new));
    }

    @Test
    void aRunWithARetryLogsItsSessionsFailuresAndExit() throws Exception {
        Path log = dir.resolve("run.log");
        CliRun r = get("4MiB?fail=1236@1MiB&meta=hi", "x.bin", "--retries", "1");
        assertThat(r.exitCode()).isEqualTo(1);
        List<String> events = log(log);
        String object = "4MiB?fail=1236@1MiB&meta=hi: ";
        assertThat(events.getFirst()).startsWith("wdsget ").contains(" starts (Java ").contains("1 object, 2 attempts each");
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("transport: stand-in: loopback, no network (")
                .contains("CancelSessionEx: yes").contains("NegotiateRequiredDataRange: yes"));
        assertThat(events).containsSubsequence(object + "request: server wds01, namespace synthetic, object"
                        + " 4MiB?fail=1236@1MiB&meta=hi, authenticated, into " + dir.resolve("x.bin"),
                object + "attempt 1: starting the session",
                object + "session started: 4194304 bytes (4.00 MiB) in blocks of 65536 bytes",
                object + "metadata: 2 bytes (not kept)",
                object + "attempt 2: starting the session",
                "exit 1");
        // the retry continues the part file the first attempt kept, asking for what it lacks
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith(object + "retrying in 1s (attempt 2 of 2), continuing ")
                .endsWith(".x.bin.wdsget-" + ProcessHandle.current().pid() + ".part (1048576 of 4194304 bytes on disk)"));
        assertThat(events).contains(object + "negotiation: asked for 1 range, 3145728 bytes: [1048576, 4194304)");
        assertThat(dir.toFile().list()).as("the part file went with the last attempt").containsExactly("run.log");
        assertThat(events.stream().filter(e -> e.startsWith(object + "attempt ") && e.contains(" failed: ")))
                .hasSize(2).allSatisfy(e -> assertThat(e).contains("(ERROR_CONNECTION_ABORTED, 1236)"));
        assertThat(events.getLast()).isEqualTo("exit 1");
    }

    @Test
    void whatArrivedIsLoggedAndRunsAppend() throws Exception {
        Path log = dir.resolve("run.log");
        for (String name : new String[] {"a.bin", "b.bin"}) {
            CliRun r = get("64KiB", name, "--sha256");
            assertThat(r.exitCode()).as(r.err()).isZero();
        }
        List<String> events = log(log);
        assertThat(events.stream().filter(e -> e.startsWith("wdsget ") && e.contains(" starts "))).hasSize(2);
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("64KiB: received 65536 bytes in ")
                .contains(", SHA-256 " + WdsGetTest.syntheticSha256(64 << 10, 0)).endsWith(" -> " + dir.resolve("b.bin")));
        assertThat(events.stream().filter(e -> e.equals("exit 0"))).hasSize(2);
    }

    @Test
    void aStallIsLogged() throws Exception {
        Path log = dir.resolve("run.log");
        CliRun r = get("1MiB?delay=2s", "x.bin", "--stall-timeout", "200ms");
        assertThat(r.exitCode()).isEqualTo(9);
        assertThat(log(log)).contains("1MiB?delay=2s: no block for 200ms: ending the attempt", "exit 9");
    }

    @Test
    void aLogToStandardError() {
        CliRun r = CliRun.inProcess("demo", "--size", "64KiB", "-q", "--log", "-");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err().lines().toList()).isNotEmpty().allSatisfy(l -> assertThat(l).matches(STAMP + ".+"))
                .last().asString().endsWith(" exit 0");
    }

    /** A log that cannot be written is an error before anything is received, with its cause's code. */
    @Test
    void aLogThatCannotBeWrittenStopsTheRunFirst() throws Exception {
        CliRun directory = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o",
                dir.resolve("x.bin").toString(), "--log", dir.toString());
        assertThat(directory.exitCode()).isEqualTo(1);
        assertThat(directory.errors()).singleElement().asString().startsWith("wdsget: cannot write the log --log " + dir);
        CliRun missing = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o",
                dir.resolve("x.bin").toString(), "--log", dir.resolve("no/such/dir/run.log").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.errors()).singleElement().asString().contains("no such file or directory");
        assertThat(dir.toFile().list()).isEmpty();
    }
}
