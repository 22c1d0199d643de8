package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * target/wdsget.jar as a separate process ({@code java -jar}), after
 * {@code package}: the manifest, exit codes through System.exit, line output,
 * streaming to a pipe, and Ctrl-C / SIGTERM in every display mode, on a real
 * pseudo-terminal too. Each run gets a temporary directory of its own
 * ({@code java.io.tmpdir}) so that what it leaves there can be checked.
 */
class WdsGetIT {

    /** Guards against a hung child; not a timing assertion. */
    private static final long GUARD_SECONDS = 120;

    /** 256 blocks of 1 MiB, 20 ms apart: about 5 s, long enough to be interrupted while running. */
    private static final String SLOW = "256MiB?block=1MiB&delay=20ms";

    /** Where the runs look for a config file: nowhere. */
    static final String NO_CONFIG = "/nonexistent/wdsget-tests";

    @TempDir
    Path dir;

    @TempDir
    Path tmp;

    /** What the JVM leaves in its temporary directory after a clean run (the stand-in's copy, or nothing). */
    private List<String> cleanTmp;

    static Path jar() {
        Path jar = Path.of(System.getProperty("wdsget.jar", "target/wdsget.jar"));
        assertThat(jar).as("built by mvn package").isRegularFile();
        return jar;
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        // SIGINT and SIGTERM back to their default action: a JVM started with them ignored
        // (e.g. under nohup or as a background job of a script) would not run its shutdown hooks.
        cmd.addAll(List.of("env", "--default-signal=INT,TERM"));
        // and no defaults for get from the machine running the tests (WDSGET_*, a config file)
        cmd.addAll(List.of("-u", "WDSGET_SERVER", "-u", "WDSGET_NAMESPACE", "XDG_CONFIG_HOME=" + NO_CONFIG));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    CliRun run(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        awaitExit(p, "wdsget did not finish: " + String.join(" ", args));
        return new CliRun(p.exitValue(), out.get(), err.get());
    }

    static String read(InputStream in) {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    static byte[] readBytes(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    List<String> files() throws IOException {
        return list(dir);
    }

    /** Waits (bounded) until the condition holds. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Whether this run's temporary file is in the output directory: its session has started. */
    boolean partialFileExists() {
        try {
            return files().stream().anyMatch(f -> f.matches("\\..*\\.wdsget-\\d+\\.part"));
        } catch (IOException e) {
            return false;
        }
    }

    @BeforeEach
    void cleanRun() throws Exception {
        CliRun r = run("doctor");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        cleanTmp = list(tmp);
    }

    /** Nothing in the output directory, and nothing more in the temporary directory than a clean run leaves. */
    void assertNothingLeftBehind() throws IOException {
        assertThat(files()).as("no partial file, no target").isEmpty();
        assertThat(list(tmp)).as("no more in the temporary directory than a clean run leaves").isEqualTo(cleanTmp);
    }

    @Test
    void theJarRunsWithoutFlagsAndNamesItsTransport() throws Exception {
        CliRun r = run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("wdsget ").contains("Java ").contains("Transport: stand-in: loopback, no network (");
        assertThat(r.err()).as("no native-access warning: the manifest enables it").isEmpty();
    }

    @Test
    void demoThroughAPipeIsParseableLines() throws Exception {
        CliRun r = run("demo", "--size", "32MiB", "--seed", "4");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).as("the display is on standard error").isEmpty();
        assertThat(r.err()).doesNotContain("\r").doesNotContain("\u001b");
        assertThat(r.records()).extracting(m -> m.get("kind")).startsWith("request", "progress").endsWith("done");
        Map<String, String> done = r.record("done");
        assertThat(done).containsEntry("bytes", Long.toString(32 << 20)).containsEntry("verified", "content")
                .containsEntry("blocks", "512");
        assertThat(Double.parseDouble(done.get("seconds"))).isPositive();
        assertThat(Long.parseLong(done.get("rate"))).isPositive();
        assertNothingLeftBehind();
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

    @Test
    void standardOutputStreamsTheExactBytesOfAShuffledObjectToAPipe() throws Exception {
        Process p = new ProcessBuilder(command("get", "-s", "wds01", "-n", "synthetic",
                "24MiB?order=shuffle&block=64KiB&seed=17", "-o", "-")).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readBytes(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err.get()).isZero();
        byte[] bytes = out.get();
        assertThat(bytes).hasSize(24 << 20);
        assertThat(WdsGetTest.sha256(bytes)).isEqualTo(WdsGetTest.syntheticSha256(24 << 20, 17));
        assertThat(err.get()).as("the display goes to stderr").contains("done ");
        assertNothingLeftBehind();
    }

    /**
     * Standard output on /dev/null ({@code -o - > /dev/null}) keeps nothing: shuffled blocks go
     * there without a spool file (a spool directory that cannot hold one, /proc, is not needed).
     */
    @Test
    void standardOutputOnDevNullSpoolsNothing() throws Exception {
        assumeTrue(FileTypes.keepsNothing(Path.of("/dev/null"))
                && Files.isDirectory(Path.of("/proc/self")), "Linux");
        Process p = new ProcessBuilder(command("get", "-s", "wds01", "-n", "synthetic", "4MiB?order=shuffle&block=16KiB",
                "-o", "-", "--spool-dir", "/proc", "--progress", "none")).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err.get()).isZero();
        assertThat(err.get()).doesNotContain("spool");
        assertNothingLeftBehind();
    }

    /** /dev/stdout into a pipe is /proc/self/fd/1, a link to "pipe:[N]", which names no file. */
    @Test
    void devStdoutIntoAPipeStreams() throws Exception {
        Process p = new ProcessBuilder(command("get", "-s", "wds01", "-n", "synthetic", "1MiB?order=shuffle&seed=5",
                "-o", "/dev/stdout")).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readBytes(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err.get()).isZero();
        assertThat(WdsGetTest.sha256(out.get())).isEqualTo(WdsGetTest.syntheticSha256(1 << 20, 5));
        assertNothingLeftBehind();
    }

    /**
     * A transport that does not end its sessions when --timeout cancels them (the stand-in's
     * linger option: a DLL slow to honour the cancel) does not keep wdsget forever: it says so
     * and exits with the timeout's code once its stop wait (shortened here) has passed. The
     * partial file it leaves is removed by the next run.
     */
    @Test
    void aTransportThatDoesNotEndAfterTheTimeoutIsLeftBehind() throws Exception {
        List<String> cmd = command("get", "-s", "wds01", "-n", "synthetic", "64MiB?block=1MiB&delay=20ms&linger=600s",
                "-o", "image.bin", "--timeout", "1s", "--progress", "none");
        cmd.add(cmd.indexOf("-jar"), "-Dwdsget.stopWaitMillis=1500");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        CompletableFuture.runAsync(() -> readBytes(p.getInputStream()));
        awaitExit(p, "wdsget waited for the transport");
        assertThat(p.exitValue()).as(err.get()).isEqualTo(9);
        assertThat(err.get()).contains("timed out after 1s").contains("the transport did not end its sessions within");
        assertThat(dir.resolve("image.bin")).doesNotExist();
        CliRun next = run("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", "image.bin", "-q");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(files()).as("the next run removed the stale part").containsExactly("image.bin");
    }

    /**
     * The same for a signal: the shutdown hook stops the run, waits its stop wait (shortened
     * here) for a transport that does not end its sessions, says so and lets the JVM exit
     * with the signal's code.
     */
    @Test
    void aTransportThatDoesNotEndAfterASignalIsLeftBehind() throws Exception {
        List<String> cmd = command("get", "-s", "wds01", "-n", "synthetic", "64MiB?block=1MiB&delay=20ms&linger=600s",
                "-o", "image.bin", "--progress", "none");
        cmd.add(cmd.indexOf("-jar"), "-Dwdsget.stopWaitMillis=1500");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        CompletableFuture.runAsync(() -> readBytes(p.getInputStream()));
        await("the session to start", this::partialFileExists);

        signal(p.pid(), "TERM");
        awaitExit(p, "wdsget waited for the transport after SIGTERM");
        assertThat(p.exitValue()).as(err.get()).isEqualTo(143);
        assertThat(err.get()).contains("cancelled by signal").contains("the transport did not end its sessions within");
        assertThat(dir.resolve("image.bin")).doesNotExist();
        CliRun next = run("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", "image.bin", "-q");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(files()).as("the next run removed the stale part").containsExactly("image.bin");
    }

    /**
     * doctor's --timeout bounds the whole probe: a transport that answered but does not end
     * the probe's session when told to (the stand-in's linger) is left behind with a note,
     * and the answer is still reported.
     */
    @Test
    void doctorsTimeoutBoundsAProbeWhoseSessionDoesNotEnd() throws Exception {
        CliRun r = run("doctor", "-s", "wds01", "-n", "synthetic", "1GiB?linger=600s", "--timeout", "2s");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("did not end the probe's session").contains("server wds01: answers")
                .contains("object 1GiB?linger=600s: found, 1073741824 bytes");
    }

    /**
     * Under a locale whose character set cannot hold a name typed in UTF-8 (LC_ALL=C, or a
     * UTF-8 locale that is not installed), the JVM would turn it into question marks and ask
     * the server for that: a usage error saying why, before anything is asked.
     */
    @Test
    void aNameTheLocaleCannotHoldIsAUsageError() throws Exception {
        for (String locale : new String[] {"C", "xx_NOWHERE.UTF-8"}) {
            CliRun r = runWithName("uni\\342\\234\\223\\303\\251", Map.of("LC_ALL", locale),
                    "get", "-s", "wds01", "-n", "synthetic", "NAME", "-o", "out.bin");
            assertThat(r.exitCode()).as(locale + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(locale).contains("cannot represent").contains("LC_ALL=" + locale)
                    .doesNotContain("object not found");
            assertThat(r.out()).isEmpty();
            assertNothingLeftBehind();
        }
    }

    /**
     * Under a UTF-8 locale that works, an argument whose bytes are not UTF-8 is a usage error
     * that names it, its bad bytes shown as \xNN, and does not advise the locale in use.
     */
    @Test
    void anArgumentThatIsNotUtf8UnderAUtf8LocaleIsAUsageErrorShowingItsBytes() throws Exception {
        String locales = Nodes.run("locale", "-a");
        assumeTrue(locales != null && locales.lines().anyMatch(l -> l.equalsIgnoreCase("C.utf8")
                || l.equalsIgnoreCase("C.UTF-8")), "the C.UTF-8 locale is not installed here");
        CliRun r = runWithName("x\\377\\033.bin", Map.of("LANG", "C.UTF-8"),
                "get", "-s", "wds01", "-n", "synthetic", "NAME");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("wdsget: the argument 'x\\xff\\e.bin' is not valid UTF-8")
                .contains("LANG=C.UTF-8").doesNotContain("cannot represent").doesNotContain("install")
                .doesNotContain("\033");
        assertThat(r.out()).isEmpty();
        assertThat(files()).isEmpty();
        assertNothingLeftBehind();
    }

    /**
     * Runs wdsget with {@code NAME} among {@code args} replaced by the bytes printf makes of
     * {@code printf} (whatever the encoding of this JVM), under these locale variables only.
     */
    CliRun runWithName(String printf, Map<String, String> locale, String... args) throws Exception {
        StringBuilder script = new StringBuilder("exec");
        for (String c : command(args)) {
            script.append(' ').append(c.equals("NAME") ? "\"$(printf '" + printf + "')\"" : "'" + c + "'");
        }
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script.toString()).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.startsWith("LC_"));
        pb.environment().putAll(locale);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        awaitExit(p, "wdsget did not finish: " + String.join(" ", args));
        return new CliRun(p.exitValue(), out.get(), err.get());
    }

    /**
     * Under a locale that cannot encode the current directory's name (LC_ALL=C in a directory
     * named in UTF-8), the JVM knows that directory under a wrong name ({@code ??}): a usage
     * error saying which locale to set, rather than a file written into a directory of that
     * wrong name (with --create-dirs) or a message about a directory that does not exist.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--create-dirs", "--quiet"})
    void aCurrentDirectoryTheLocaleCannotNameIsAUsageError(String option) throws Exception {
        StringBuilder script = new StringBuilder("mkdir \"$(printf '\\303\\251')\" && cd \"$(printf '\\303\\251')\" && exec");
        for (String c : command("get", "-s", "wds01", "-n", "synthetic", "64KiB", option)) {
            script.append(" '").append(c).append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script.toString()).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.startsWith("LC_"));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        awaitExit(p, "wdsget did not finish");
        CliRun r = new CliRun(p.exitValue(), out.get(), err.get());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.errors()).singleElement().asString().startsWith("wdsget: ")
                .contains("the current directory").contains("LC_ALL=C").contains("UTF-8 locale")
                .doesNotContain("Exception").doesNotContain("does not exist");
        // the directory made above, still empty, and nothing beside it (listed by the shell: this
        // JVM may not be able to name it either)
        assertThat(Nodes.run("sh", "-c", "cd '" + dir + "' && ls -A && ls -A \"$(printf '\\303\\251')\""))
                .isEqualTo(new String(new byte[] {(byte) 0xc3, (byte) 0xa9}, StandardCharsets.UTF_8));
        assertThat(list(tmp)).isEqualTo(cleanTmp);
    }

    /** The hash printed to a standard output that cannot take it (/dev/full) is not a success. */
    @Test
    void aHashThatCannotBePrintedIsNotASuccess() throws Exception {
        Process p = new ProcessBuilder(command("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", "image.bin",
                "-q", "--sha256")).directory(dir.toFile()).redirectOutput(new java.io.File("/dev/full")).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err.get()).isEqualTo(1);
        assertThat(err.get()).contains("not everything printed reached standard output");
        assertThat(dir.resolve("image.bin")).as("what was received stays").hasSize(64 << 10);
    }

    /**
     * A signal while wdsget waits for a transport that --timeout already stopped: the
     * timeout's one message and its exit code stand (the signal changes nothing it says).
     */
    @Test
    void aSignalDuringTheTimeoutsWaitKeepsTheTimeoutsMessageAndCode() throws Exception {
        List<String> cmd = command("get", "-s", "wds01", "-n", "synthetic", "64MiB?block=1MiB&delay=20ms&linger=600s",
                "-o", "image.bin", "--timeout", "1s", "--progress", "none", "-v");
        cmd.add(cmd.indexOf("-jar"), "-Dwdsget.stopWaitMillis=4000");
        Started w = start(cmd);
        await("the timeout's stop", () -> w.err().indexOf("timed out after 1s (--timeout)") >= 0);

        signal(w.process().pid(), "INT");
        awaitExit(w.process(), "wdsget waited for the transport");
        String err = w.errAtExit();
        assertThat(w.process().exitValue()).as(err).isEqualTo(9);
        assertThat(err.lines().filter(l -> l.contains("did not end its sessions")).count()).as(err).isEqualTo(1);
        assertThat(err).doesNotContain("cancelled by signal");
    }

    /**
     * A signal after one of several objects failed on its own: the stop's message counts
     * only the objects still arriving (the failed one's line already said what became of it).
     */
    @Test
    void aSignalCountsOnlyTheObjectsStillArriving() throws Exception {
        Process p = new ProcessBuilder(command("get", "-s", "wds01", "-n", "synthetic", "1MiB?fail=1236",
                "64MiB?delay=20ms", "63MiB?delay=20ms", "-o", "out/", "--create-dirs", "--progress", "none"))
                .directory(dir.toFile()).start();
        p.getOutputStream().close();
        StringBuffer err = new StringBuffer();
        CompletableFuture<Void> errDone = CompletableFuture.runAsync(() -> copyLines(p.getErrorStream(), err));
        CompletableFuture.runAsync(() -> readBytes(p.getInputStream()));
        await("the first object's failure", () -> err.indexOf("ERROR_CONNECTION_ABORTED") >= 0);

        signal(p.pid(), "TERM");
        assertThat(p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        errDone.get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(err.toString()).isEqualTo(143);
        assertThat(err.toString()).contains("cancelled by signal").contains("2 objects still arriving");
    }

    /**
     * A wdsget process started in the output directory, its input closed: its standard error
     * copied line by line into {@code err} as it comes (for waiting on a message), its
     * standard output read to the end into {@code out}.
     */
    record Started(Process process, StringBuffer err, CompletableFuture<Void> errDone, CompletableFuture<String> out) {

        /** All of standard error, once the process has exited and it has been read to the end (bounded wait). */
        String errAtExit() throws Exception {
            errDone.get(GUARD_SECONDS, TimeUnit.SECONDS);
            return err.toString();
        }
    }

    /** Starts {@code cmd} (see {@link #command}) in the output directory; see {@link Started}. */
    Started start(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        StringBuffer err = new StringBuffer();
        CompletableFuture<Void> errDone = CompletableFuture.runAsync(() -> copyLines(p.getErrorStream(), err));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        return new Started(p, err, errDone, out);
    }

    /** Sends {@code signal} to {@code pid} with bash's built-in kill (procps' kill is not on every minimal system). */
    static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("bash", "-c", "kill -" + signal + " " + pid).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }

    /** Waits (bounded) for {@code p} to exit; else kills it and fails with {@code failure}. */
    static void awaitExit(Process p, String failure) throws InterruptedException {
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(failure);
        }
    }

    /** Copies a process's stream line by line into {@code into}, as it comes. */
    static void copyLines(java.io.InputStream in, StringBuffer into) {
        try (java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                into.append(line).append('\n');
            }
        } catch (java.io.IOException e) {
            into.append("(read failed: ").append(e).append(")\n");
        }
    }

    /** Informational commands whose standard output cannot be written (/dev/full) do not claim success. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--version", "doctor", "--help"})
    void anInformationalCommandWhoseOutputIsLostFails(String what) throws Exception {
        Process p = new ProcessBuilder(command(what)).directory(dir.toFile())
                .redirectOutput(new java.io.File("/dev/full")).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err.get()).isEqualTo(1);
        assertThat(err.get()).contains("not everything printed reached standard output");
    }

    /**
     * An informational command (it receives nothing) whose standard output nobody reads any more
     * ({@code doctor | head -1}: the reader went away; {@code >&-}: closed) ends as it would have,
     * without a message: there is nothing the message could warn about. The FIFO is opened for
     * reading and writing, then the reading end closed, so that no reader is left before wdsget
     * writes a byte (no race with a reader that has not exited yet).
     */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"doctor, reader gone", "--version, reader gone", "generate-completion, reader gone",
            "help get, reader gone", "doctor, closed", "--help, closed"})
    void anInformationalCommandWhoseOutputNobodyReadsEndsQuietly(String what, String how) throws Exception {
        Path fifo = dir.resolve("out.fifo");
        StringBuilder script = new StringBuilder(how.equals("closed") ? "exec" : "mkfifo '" + fifo + "' && exec 4<>'" + fifo
                + "' && exec 5>'" + fifo + "' && exec 4<&- && exec");
        for (String c : command(what.split(" "))) {
            script.append(" '").append(c).append('\'');
        }
        script.append(how.equals("closed") ? " >&-" : " >&5 5>&-");
        Process p = new ProcessBuilder("sh", "-c", script.toString()).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        CompletableFuture.runAsync(() -> readBytes(p.getInputStream()));
        awaitExit(p, "wdsget did not finish: " + what);
        assertThat(p.exitValue()).as(err.get()).isZero();
        assertThat(err.get()).isEmpty();
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
        assertNothingLeftBehind();
    }

    /**
     * The display modes a signal must find ready: lines to a pipe, no display, quiet (the bar, drawn
     * only on a terminal, is tested on a pseudo-terminal below).
     */
    @ParameterizedTest(name = "SIG{0} with {2} exits with {1}")
    @CsvSource({"INT, 130, --progress=lines", "TERM, 143, --progress=lines", "INT, 130, --progress=none",
            "TERM, 143, --progress=none", "INT, 130, --quiet", "TERM, 143, --quiet"})
    void aSignalDuringTheTransferCancelsAndLeavesNothing(String signal, int exit, String mode) throws Exception {
        Process p = new ProcessBuilder(command("get", "-s", "wds01", "-n", "synthetic", SLOW, "-o", "image.bin", mode))
                .directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        await("the session to start", this::partialFileExists);

        signal(p.pid(), signal);
        awaitExit(p, "wdsget did not stop after SIG" + signal);

        CliRun r = new CliRun(p.exitValue(), "", err.get());
        r.assertOneLineError(exit, "cancelled by signal", "ERROR_CANCELLED");
        assertThat(r.errors().get(0)).endsWith("; the output was not written");
        assertThat(out.get()).isEmpty();
        assertThat(r.records()).noneMatch(m -> m.get("kind").equals("done"));
        if (!mode.equals("--progress=lines")) {
            assertThat(r.records()).isEmpty();
        }
        assertNothingLeftBehind();
    }

    /**
     * A signal during start-up, before any session (and before the first record): main
     * checking its arguments, JLine probing the terminal (the slowest part), picocli building
     * the command, the outputs being prepared, the transport library loading. The JVM's log
     * of loaded classes shows when each phase begins; the signal follows, and finds its
     * phase or a later one. Each says so in one line, exits with the signal's code and leaves
     * nothing behind. (Before main, the JVM's own start, nothing can say so.)
     */
    @ParameterizedTest(name = "SIG{0} once {2} is loaded exits with {1}")
    @CsvSource({"INT, 130, io.github.wdstci.cli.Arguments", "TERM, 143, io.github.wdstci.cli.Arguments",
            "INT, 130, io.github.wdstci.cli.Tty", "TERM, 143, io.github.wdstci.cli.Tty",
            "INT, 130, io.github.wdstci.cli.GetCommand", "TERM, 143, io.github.wdstci.cli.GetCommand",
            "INT, 130, io.github.wdstci.PartFiles", "TERM, 143, io.github.wdstci.PartFiles",
            "INT, 130, io.github.wdstci.internal.NativeLibrary", "TERM, 143, io.github.wdstci.internal.NativeLibrary"})
    void aSignalDuringStartUpSaysSoAndLeavesNothing(String signal, int exit, String loaded) throws Exception {
        Path classes = dir.resolveSibling(dir.getFileName() + "-classes.log");
        List<String> cmd = command("get", "-s", "wds01", "-n", "synthetic", SLOW, "-o", "image.bin");
        cmd.add(cmd.indexOf("-jar"), "-Xlog:class+load=info:file=" + classes);
        Started w = start(cmd);
        await(loaded + " loaded", () -> {
            try {
                return Files.exists(classes) && Files.readString(classes).contains(" " + loaded + " source:");
            } catch (IOException e) {
                return false;
            }
        });

        signal(w.process().pid(), signal);
        awaitExit(w.process(), "wdsget did not stop after SIG" + signal);

        CliRun r = new CliRun(w.process().exitValue(), "", w.errAtExit());
        r.assertOneLineError(exit, "cancelled by signal", "ERROR_CANCELLED");
        assertThat(r.errors().get(0)).matches(".*; (nothing was received|the output was not written)");
        assertThat(w.out().get()).isEmpty();
        assertThat(r.records()).noneMatch(m -> m.get("kind").equals("done"));
        Files.delete(classes);
        assertNothingLeftBehind();
    }

    /**
     * Ctrl-C typed on a real pseudo-terminal with the default display (the
     * bar): util-linux {@code script} runs wdsget on a new pty, and the byte
     * 0x03 written to it becomes SIGINT through the pty's line discipline,
     * exactly as when a person presses Ctrl-C.
     */
    @Test
    void ctrlCOnATerminalWithTheBarCancelsAndLeavesNothing() throws Exception {
        Process p = onPty("get -s wds01 -n synthetic '" + SLOW + "' -o image.bin");
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> copy(p.getInputStream(), screen));
        await("the bar on the terminal", () -> partialFileExists() && text(screen).contains("%"));
        assertThat(text(screen)).as("the default display on a terminal is the bar").contains("ETA ");

        OutputStream keyboard = p.getOutputStream();
        keyboard.write(0x03);
        keyboard.flush();
        awaitExit(p, "wdsget did not stop after Ctrl-C");
        keyboard.close();
        copy.get(GUARD_SECONDS, TimeUnit.SECONDS);

        String s = text(screen);
        assertThat(p.exitValue()).as(s).isEqualTo(130);
        List<String> lines = s.lines().map(l -> l.substring(l.lastIndexOf('\r') + 1)).filter(l -> !l.isBlank())
                .collect(Collectors.toList());
        assertThat(lines).as("the last line is the one saying so, on a line of its own").last().asString()
                .startsWith("wdsget: cancelled by signal (ERROR_CANCELLED, 1223); the output was not written");
        assertNothingLeftBehind();
    }

    @Test
    void sigtermOnATerminalWithTheBarCancelsAndLeavesNothing() throws Exception {
        Process p = onPty("get -s wds01 -n synthetic '" + SLOW + "' -o image.bin");
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> copy(p.getInputStream(), screen));
        await("the bar on the terminal", () -> partialFileExists() && text(screen).contains("%"));

        // the shell script runs execs the JVM: it is script's child
        long jvm = ProcessHandle.of(p.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
        signal(jvm, "TERM");
        awaitExit(p, "wdsget did not stop after SIGTERM");
        p.getOutputStream().close();
        copy.get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(text(screen)).isEqualTo(143);
        assertThat(text(screen)).contains("wdsget: cancelled by signal");
        assertNothingLeftBehind();
    }

    /** wdsget with these arguments (shell words) on a new pseudo-terminal; its stdin is the keyboard. */
    Process onPty(String args) throws IOException, InterruptedException {
        assumeTrue(Nodes.run("script", "--version") != null, "util-linux script is not installed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String shell = "exec env --default-signal=INT,TERM '" + java + "' '-Djava.io.tmpdir=" + tmp + "' -jar '"
                + jar().toAbsolutePath() + "' " + args;
        return new ProcessBuilder("script", "-q", "-e", "-c", shell, "/dev/null").directory(dir.toFile())
                .redirectErrorStream(true).start();
    }

    static void copy(InputStream in, ByteArrayOutputStream to) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (to) {
                    to.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the pty closed
        }
    }

    static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8);
        }
    }
}
