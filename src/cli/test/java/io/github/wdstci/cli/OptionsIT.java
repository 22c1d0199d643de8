package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wdsget.jar as a process with the options of issue 22: --retries and --stall-timeout, --log,
 * the defaults from the environment and the config file, -i, --sha256-file and --check.
 */
class OptionsIT {

    @TempDir
    Path dir;

    /** Runs the jar in {@code dir} with this environment (nothing else of the tests' but PATH) and input. */
    CliRun run(Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", WdsGetIT.jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("LANG") && !k.startsWith("LC_"));
        pb.environment().put("XDG_CONFIG_HOME", WdsGetIT.NO_CONFIG);
        pb.environment().putAll(env);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getErrorStream()));
        WdsGetIT.awaitExit(p, "wdsget did not finish: " + String.join(" ", args));
        return new CliRun(p.exitValue(), out.get(), err.get());
    }

    CliRun run(String... args) throws Exception {
        return run(Map.of(), "", args);
    }

    @Test
    void retriesAreTriedAndLogged() throws Exception {
        CliRun r = run("get", "-s", "wds01", "-n", "synthetic", "1MiB?fail=1236@64KiB", "-o", "x.bin", "--retries", "1",
                "--log", "run.log");
        r.assertOneLineError(1, "failed for '1MiB?fail=1236@64KiB'", "ERROR_CONNECTION_ABORTED");
        assertThat(r.records()).filteredOn(m -> m.get("kind").equals("retry")).singleElement()
                .satisfies(m -> assertThat(m).containsEntry("attempt", "2").containsEntry("wait", "1s"));
        List<String> log = Files.readAllLines(dir.resolve("run.log"));
        assertThat(log).allSatisfy(l -> assertThat(l).matches(LogTest.STAMP + ".+"));
        assertThat(log.stream().filter(l -> l.endsWith("1MiB?fail=1236@64KiB: attempt 1: starting the session")
                || l.endsWith("1MiB?fail=1236@64KiB: attempt 2: starting the session"))).hasSize(2);
        assertThat(log.getLast()).endsWith(" exit 1");
        assertThat(dir.toFile().list()).containsExactly("run.log");
    }

    @Test
    void aStallEndsTheRunWithExit9() throws Exception {
        CliRun r = run("get", "-s", "wds01", "-n", "synthetic", "1MiB?delay=2s", "-o", "x.bin", "--stall-timeout",
                "300ms", "--progress", "none");
        r.assertOneLineError(9, "stalled: no block arrived for 300ms (--stall-timeout)", "ERROR_TIMEOUT");
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void theDefaultsComeFromTheEnvironmentThenTheConfigFile() throws Exception {
        Path xdg = dir.resolve("config");
        Files.createDirectories(xdg.resolve("wdsget"));
        Files.writeString(xdg.resolve("wdsget/config"), "server = wds-file\nnamespace = synthetic\n");
        CliRun file = run(Map.of("XDG_CONFIG_HOME", xdg.toString()), "", "get", "64KiB", "-o", "a.bin");
        assertThat(file.exitCode()).as(file.err()).isZero();
        assertThat(file.record("request")).containsEntry("server", "wds-file").containsEntry("namespace", "synthetic");

        CliRun env = run(Map.of("XDG_CONFIG_HOME", xdg.toString(), "WDSGET_SERVER", "wds-env"), "", "get", "64KiB",
                "-o", "b.bin");
        assertThat(env.record("request")).containsEntry("server", "wds-env");

        Files.writeString(xdg.resolve("wdsget/config"), "server: wds-file\n");
        CliRun bad = run(Map.of("XDG_CONFIG_HOME", xdg.toString()), "", "get", "64KiB", "-o", "c.bin");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.errors()).singleElement().asString().contains("bad config file " + xdg.resolve("wdsget/config")
                + ":1: expected 'name = value'");
        assertThat(dir.resolve("c.bin")).doesNotExist();
    }

    @Test
    void aListFromStandardInputAndAChecksumRoundTrip() throws Exception {
        CliRun first = run(Map.of(), "1MiB?seed=1\tone.bin\n2MiB?seed=2\n", "get", "-s", "wds01", "-n", "synthetic",
                "-i", "-", "-o", "images/", "--create-dirs", "--sha256-file", "SHA256SUMS");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(Files.readString(dir.resolve("SHA256SUMS"))).isEqualTo(
                WdsGetTest.syntheticSha256(1 << 20, 1) + "  images/one.bin\n"
                + WdsGetTest.syntheticSha256(2 << 20, 2) + "  images/2MiB\n");
        assertThat(Nodes.run("sh", "-c", "cd '" + dir + "' && sha256sum --check --strict SHA256SUMS")).isNotNull();

        Files.writeString(dir.resolve("list.txt"), "1MiB?seed=1\tone.bin\n2MiB?seed=2\n");
        CliRun again = run("get", "-s", "wds01", "-n", "synthetic", "-i", "list.txt", "-o", "copy/", "--create-dirs",
                "--check", "SHA256SUMS");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.records()).filteredOn(m -> m.get("kind").equals("done")).hasSize(2)
                .allSatisfy(m -> assertThat(m).containsEntry("verified", "sha256"));

        Files.writeString(dir.resolve("SHA256SUMS"), "0".repeat(64) + "  images/one.bin\n");
        CliRun wrong = run("get", "-s", "wds01", "-n", "synthetic", "1MiB?seed=1", "-o", "wrong/one.bin",
                "--create-dirs", "--check", "SHA256SUMS");
        assertThat(wrong.exitCode()).isEqualTo(7);
        assertThat(dir.resolve("wrong/one.bin")).doesNotExist();
    }
}
