package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/wdsget.jar as a process, killed with SIGKILL in the middle of a transfer (nothing of
 * it runs after that: no shutdown hook, no cleanup), then run again with {@code -c}: the
 * partial file and its record of the ranges on disk survive the kill, the second run asks for
 * the rest only, and the output is the whole object. Against a transport library without
 * NegotiateRequiredDataRange, the second run says it cannot ask for ranges and starts over.
 */
class ResumeIT {

    /** 512 blocks of 128 KiB, 10 ms apart: several seconds, so that the kill lands in the middle. */
    static final String SLOW = "64MiB?block=128KiB&delay=10ms&seed=21";
    static final long SIZE = 64L << 20;

    @TempDir
    Path dir;

    @TempDir
    Path tmp;

    List<String> command(List<String> jvm, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "-u", "WDSGET_SERVER", "-u", "WDSGET_NAMESPACE",
                "XDG_CONFIG_HOME=" + WdsGetIT.NO_CONFIG, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", WdsGetIT.jar().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    List<String> get(String log, String... more) {
        List<String> args = new ArrayList<>(List.of("get", "-s", "wds01", "-n", "synthetic", SLOW, "-o", "image.bin",
                "--progress", "none", "--log", dir.resolve(log).toString()));
        args.addAll(List.of(more));
        return List.copyOf(args);
    }

    CliRun run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getErrorStream()));
        WdsGetIT.awaitExit(p, "wdsget did not finish: " + cmd);
        return new CliRun(p.exitValue(), out.get(), err.get());
    }

    /** The record beside the running transfer's partial file, once it lists bytes on disk; else null. */
    Path recordWithBytes() {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                if (f.getFileName().toString().matches("\\.image\\.bin\\.wdsget-\\d+\\.part\\.ranges")
                        && Files.readString(f).contains("\nreceived ")) {
                    return f;
                }
            }
        } catch (IOException e) {
            // being replaced: look again
        }
        return null;
    }

    /** Starts the slow transfer, waits until its record lists bytes on disk, and kills it with SIGKILL. */
    void startAndKill(List<String> jvm) throws Exception {
        Process p = new ProcessBuilder(command(jvm, get("first.log").toArray(String[]::new))).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("first.err").toFile()).start();
        p.getOutputStream().close();
        try {
            WdsGetIT.await("the record of bytes on disk", () -> recordWithBytes() != null || !p.isAlive());
            assertThat(p.isAlive()).as("still receiving when the record appeared; stderr: %s",
                    Files.readString(dir.resolve("first.err"))).isTrue();
            WdsGetIT.signal(p.pid(), "KILL");
            WdsGetIT.awaitExit(p, "wdsget did not die of SIGKILL");
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).isEqualTo(128 + 9);
        assertThat(dir.resolve("image.bin")).as("not complete: not at its name").doesNotExist();
    }

    /** The log's events without their time stamps. */
    List<String> log(String name) throws IOException {
        return Files.readAllLines(dir.resolve(name)).stream().map(l -> l.replaceFirst(LogTest.STAMP, "")).toList();
    }

    /** The number in the first event that matches {@code regex} (its group 1). */
    static long number(List<String> events, String regex) {
        Pattern p = Pattern.compile(regex);
        for (String e : events) {
            Matcher m = p.matcher(e);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no event matches " + regex + ": " + events);
    }

    @Test
    void aTransferKilledMidwayIsContinuedWithDashC() throws Exception {
        startAndKill(List.of());

        CliRun second = run(command(List.of(), get("second.log", "-c").toArray(String[]::new)));
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(WdsGetTest.sha256(Files.readAllBytes(dir.resolve("image.bin"))))
                .isEqualTo(WdsGetTest.syntheticSha256(SIZE, 21));
        List<String> events = log("second.log");
        long onDisk = number(events, ": -c: continuing \\S+ \\((\\d+) of " + SIZE + " bytes on disk");
        long received = number(events, ": received (\\d+) bytes in ");
        assertThat(onDisk).as("bytes the killed run left on disk").isPositive();
        assertThat(received).as("bytes received the second time: the rest only").isEqualTo(SIZE - onDisk).isLessThan(SIZE);
        assertThat(events).anySatisfy(e -> assertThat(e).contains(": negotiation: asked for "));
        assertThat(second.err()).contains("wdsget: note: continuing image.bin: ");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")))
                    .as("no partial file, no record left").isEmpty();
        }
    }

    @Test
    void withoutNegotiationTheSecondRunSaysSoAndStartsOver() throws Exception {
        Path nonegotiate = Path.of(System.getProperty("wdstci.test.nonegotiate", "/nonexistent"));
        assumeTrue(Files.isRegularFile(nonegotiate), "the library's test build without NegotiateRequiredDataRange");
        List<String> jvm = List.of("-Dwdstci.library=" + nonegotiate);
        startAndKill(jvm);

        CliRun second = run(command(jvm, get("second.log", "-c").toArray(String[]::new)));
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(WdsGetTest.sha256(Files.readAllBytes(dir.resolve("image.bin"))))
                .isEqualTo(WdsGetTest.syntheticSha256(SIZE, 21));
        assertThat(second.err()).containsPattern("wdsget: note: cannot continue \\S+\\.image\\.bin\\.wdsget-\\d+\\.part: the"
                + " transport library does not export WdsTransportClientNegotiateRequiredDataRange, so only the whole"
                + " object can be asked for; starting over");
        List<String> events = log("second.log");
        assertThat(events).anySatisfy(e -> assertThat(e).contains("NegotiateRequiredDataRange: no"));
        assertThat(number(events, ": received (\\d+) bytes in ")).isEqualTo(SIZE);
    }
}
