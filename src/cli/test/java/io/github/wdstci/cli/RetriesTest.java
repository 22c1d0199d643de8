package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.wdstci.Win32Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * --retries and --stall-timeout, as a user meets them: a transient failure is tried again (from
 * the start) and the object arrives; a failure that another attempt would meet again is not;
 * an attempt with no block for --stall-timeout ends, and counts as transient.
 */
class RetriesTest {

    @TempDir
    Path dir;

    static List<Map<String, String>> kind(CliRun r, String kind) {
        return r.records().stream().filter(m -> m.get("kind").equals(kind)).toList();
    }

    /**
     * The stand-in serves a file; the first attempt fails at 1 MiB with ERROR_CONNECTION_ABORTED.
     * Meanwhile the file is replaced by a shorter one (the first attempt goes on reading the old
     * one, which it holds open): the next attempt opens the new one, shorter than where the
     * failure is set, and succeeds. What arrives is the new file whole.
     */
    @Test
    void aTransientFailureIsRetriedAndTheObjectArrives() throws Exception {
        Path root = dir.resolve("root");
        Path object = root.resolve("images/boot.wim");
        Files.createDirectories(object.getParent());
        Files.write(object, new byte[2 << 20]);
        byte[] shorter = new byte[768 << 10];
        java.util.Arrays.fill(shorter, (byte) 'B');
        Path out = dir.resolve("out");
        Files.createDirectory(out);

        CliRun.Live run = CliRun.start("get", "-s", root.toString(), "-n", "images",
                "boot.wim?block=64KiB&delay=50ms&fail=1236@1MiB", "-o", out + "/", "--retries", "3");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.anyMatch(p -> p.getFileName().toString().endsWith(".part"))) {
                    break;
                }
            }
            assertThat(System.nanoTime() - deadline).as("the first attempt to start").isNegative();
            Thread.sleep(5);
        }
        Path next = Files.write(root.resolve("images/next"), shorter);
        Files.move(next, object, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        CliRun r = run.get();
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out.resolve("boot.wim"))).isEqualTo(shorter);
        assertThat(kind(r, "retry")).isNotEmpty().first().satisfies(m -> assertThat(m).containsEntry("attempt", "2")
                .containsEntry("attempts", "4").containsEntry("wait", "1s"))
                .satisfies(m -> assertThat(m.get("reason")).contains("ERROR_CONNECTION_ABORTED"));
        assertThat(Integer.parseInt(r.record("done").get("attempts"))).isGreaterThanOrEqualTo(2);
        assertThat(r.errors()).isEmpty();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no partial file").containsExactly("boot.wim");
        }
    }

    /**
     * A regular file that appears at the output while a retry waits is found by the next attempt's
     * sink (the library's, as the first one's) when its session starts: under --if-exists=skip it is
     * kept and the object skipped (exit 0), neither failed nor tried again.
     */
    @Test
    void aFileThatAppearsWhileARetryWaitsIsKeptUnderSkip() throws Exception {
        Path out = dir.resolve("x.bin");
        CliRun r = whileARetryWaits(out, "skip", () -> Files.writeString(out, "appeared"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.errors()).isEmpty();
        assertThat(kind(r, "retry")).as("no retry after the skip").hasSize(1);
        assertThat(r.record("skipped")).containsEntry("output", out.toString());
        assertThat(r.err()).contains("wdsget: note: output appeared meanwhile: " + out).contains("--if-exists=skip");
        assertThat(Files.readString(out)).isEqualTo("appeared");
        assertThat(dir.toFile().list()).as("no partial file").containsExactly("x.bin");
    }

    /**
     * A directory that appears at the output while a retry waits is never replaced, as when it
     * appears during an attempt: exit 8, one line naming it, nothing else tried.
     */
    @Test
    void aDirectoryThatAppearsWhileARetryWaitsIsNeverReplaced() throws Exception {
        Path out = dir.resolve("x.bin");
        CliRun r = whileARetryWaits(out, "overwrite", () -> Files.createDirectory(out));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(8);
        assertThat(kind(r, "retry")).as("no retry after it").hasSize(1);
        assertThat(r.errors()).singleElement().asString().contains("output appeared meanwhile: " + out)
                .contains("(a directory)").contains("only a regular file is replaced");
        assertThat(out).isEmptyDirectory();
        assertThat(dir.toFile().list()).as("no partial file").containsExactly("x.bin");
    }

    /**
     * Receives an object whose every attempt fails transiently into {@code out}, with --retries and
     * {@code --if-exists=ifExists}; {@code appear} runs while the first retry waits (1 s).
     */
    private static CliRun whileARetryWaits(Path out, String ifExists, Callable<?> appear) throws Exception {
        CliRun.Live run = CliRun.start("get", "-s", "wds01", "-n", "synthetic", "1MiB?fail=10054@64KiB", "-o",
                out.toString(), "--retries", "2", "--if-exists=" + ifExists);
        run.awaitErr("retry ");
        appear.call();
        return run.get();
    }

    /** A transient failure that stays: N + 1 attempts, 1 s then 2 s apart, then its one error line. */
    @Test
    void aTransientFailureThatStaysEndsAfterTheLastAttempt() throws Exception {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?fail=10054@64KiB", "-o",
                dir.resolve("x.bin").toString(), "--retries", "2");
        r.assertOneLineError(1, "failed for '1MiB?fail=10054@64KiB'", "WSAECONNRESET");
        assertThat(kind(r, "retry")).extracting(m -> m.get("attempt") + " " + m.get("wait"))
                .containsExactly("2 1s", "3 2s");
        assertThat(dir.toFile().list()).as("nothing left").isEmpty();
    }

    /** What another attempt would meet again is not retried: the exit code is the failure's own. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"object not found, no-such-object, 3", "name does not resolve, 1MiB?fail=11001, 4",
            "connection refused, 1MiB?fail=1225, 4", "access denied, 1MiB?fail=5, 5", "disk full, 1MiB?fail=112@64KiB, 6",
            "cancelled, 1MiB?fail=1223@64KiB, 130", "other failure, 1MiB?fail=50@64KiB, 1"})
    void aFailureThatIsNotTransientIsNotRetried(String name, String object, int exit) {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", object, "-o",
                dir.resolve("x.bin").toString(), "--retries", "3");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(exit);
        assertThat(kind(r, "retry")).isEmpty();
        assertThat(r.errors()).hasSize(1);
    }

    /** Standard output is tried again only while nothing went out; the error says why not. */
    @Test
    void aStreamIsRetriedOnlyWhileNothingWentOut() {
        CliRun before = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?fail=1236", "-o", "-",
                "--retries", "1");
        assertThat(before.exitCode()).isEqualTo(1);
        assertThat(kind(before, "retry")).hasSize(1);

        CliRun after = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?fail=1236@512KiB", "-o", "-",
                "--retries", "2");
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(kind(after, "retry")).isEmpty();
        assertThat(after.errors()).singleElement().asString().contains("ERROR_CONNECTION_ABORTED")
                .contains("not retried: what went to standard output cannot be taken back");
    }

    /** No block for --stall-timeout ends the attempt; it is transient, so retried; the last one exits 9. */
    @Test
    void aStalledAttemptEndsAndIsRetried() {
        // the first block comes only 2 s after the start: each attempt stalls first
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?block=64KiB&delay=2s", "-o",
                dir.resolve("x.bin").toString(), "--stall-timeout", "300ms", "--retries", "1");
        r.assertOneLineError(9, "stalled: no block arrived for 300ms (--stall-timeout)", "ERROR_TIMEOUT");
        assertThat(kind(r, "retry")).singleElement().satisfies(m -> assertThat(m.get("reason")).contains("stalled"));
        assertThat(dir.toFile().list()).isEmpty();
    }

    /** A slow transfer whose blocks keep coming does not stall. */
    @Test
    void blocksThatKeepComingDoNotStall() {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?block=64KiB&delay=20ms", "-o",
                dir.resolve("x.bin").toString(), "--stall-timeout", "10s");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(kind(r, "retry")).isEmpty();
    }

    @Test
    void aNegativeCountIsAUsageError() {
        CliRun r = CliRun.inProcess("demo", "--size", "64KiB", "--retries", "-1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--retries must not be negative");
    }

    /** docs/wdsget.md lists, by Win32 name, exactly the failures that are retried. */
    @Test
    void theDocsListTheTransientFailures() throws Exception {
        TreeSet<String> listed = new TreeSet<>(Repository.find("docs/wdsget.md",
                "(?s)Transient failures, retried: (.*?)\\.\\n", "`([A-Z_0-9]+)`", 1));
        assertThat(listed).isEqualTo(new TreeSet<>(Retries.TRANSIENT.stream().map(Win32Error::name).toList()));
    }
}
