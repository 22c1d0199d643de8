package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * target/wdsget.jar as a separate process ({@code java -jar}, standard output
 * a pipe), after {@code package}: the manifest, exit codes through
 * System.exit, line output, and Ctrl-C.
 */
class WdsGetIT {

    /** Guards against a hung child; not a timing assertion. */
    private static final long GUARD_SECONDS = 120;

    @TempDir
    Path dir;

    static Path jar() {
        Path jar = Path.of(System.getProperty("wdsget.jar", "target/wdsget.jar"));
        assertThat(jar).as("built by mvn package").isRegularFile();
        return jar;
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        // SIGINT and SIGTERM back to their default action: a JVM started with them ignored
        // (e.g. under nohup or as a background job of a script) would not run its shutdown hooks.
        cmd.addAll(List.of("env", "--default-signal=INT,TERM"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    CliRun run(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).directory(dir.toFile()).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("wdsget did not finish: " + String.join(" ", args));
        }
        return new CliRun(p.exitValue(), out.get(), err.get());
    }

    static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theJarRunsWithoutFlagsAndPrintsItsVersion() throws Exception {
        CliRun r = run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("wdsget ").contains("Java ");
        assertThat(r.err()).as("no native-access warning: the manifest enables it").isEmpty();
    }

    @Test
    void demoThroughAPipeIsParseableLines() throws Exception {
        CliRun r = run("demo", "--size", "32MiB", "--seed", "4");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\r").doesNotContain("\u001b");
        assertThat(r.records()).extracting(m -> m.get("kind")).startsWith("request", "progress").endsWith("done");
        Map<String, String> done = r.record("done");
        assertThat(done).containsEntry("bytes", Long.toString(32 << 20)).containsEntry("verified", "content")
                .containsEntry("blocks", "512");
        assertThat(Double.parseDouble(done.get("seconds"))).isPositive();
        assertThat(Long.parseLong(done.get("rate"))).isPositive();
    }

    @Test
    void getWithChecksumSucceeds() throws Exception {
        String sha = WdsGetTest.syntheticSha256(5 << 20, 9);
        CliRun r = run("get", "-s", "wds01", "-n", "synthetic", "5MiB?order=shuffle&seed=9", "-o", "image.bin",
                "--sha256=" + sha);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.record("done")).containsEntry("sha256", sha).containsEntry("verified", "sha256");
        assertThat(files()).containsExactly("image.bin");
    }

    static Stream<Arguments> failures() {
        return WdsGetTest.failures();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void eachFailureExitsWithItsCode(String name, List<String> args, int exit, String words, String win32)
            throws Exception {
        List<String> a = new ArrayList<>(args);
        if (!a.contains("-o")) {
            a.addAll(List.of("-o", "out.bin"));
        }

        CliRun r = run(a.toArray(String[]::new));

        r.assertOneLineError(exit, words, win32);
        assertThat(files()).isEmpty();
    }

    @ParameterizedTest(name = "SIG{0} exits with {1}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalDuringTheTransferCancelsAndLeavesNoFile(String signal, int exit) throws Exception {
        // 256 blocks of 1 MiB, 20 ms apart: about 5 s, long enough to be interrupted while running
        Process p = new ProcessBuilder(command("get", "-s", "wds01", "-n", "synthetic",
                "256MiB?block=1MiB&delay=20ms", "-o", "image.bin"))
                .directory(dir.toFile()).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("progress ")) {
                    break;                     // the session has started: blocks are arriving
                }
            }
            assertThat(lines).as("progress before the signal").last().asString().startsWith("progress ");
            assertThat(files()).as("only a hidden temporary file while running").allMatch(f -> f.startsWith("."));

            // bash's built-in kill: /usr/bin/kill (procps) is not on every minimal system
            Process kill = new ProcessBuilder("bash", "-c", "kill -" + signal + " " + p.pid()).inheritIO().start();
            assertThat(kill.waitFor()).isZero();

            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("wdsget did not stop after SIG" + signal);
        }

        CliRun r = new CliRun(p.exitValue(), String.join("\n", lines), err.get());
        r.assertOneLineError(exit, "cancelled by signal", "ERROR_CANCELLED");
        assertThat(r.records()).extracting(m -> m.get("kind")).doesNotContain("done");
        assertThat(files()).as("no partial file, no temporary file").isEmpty();
    }
}
