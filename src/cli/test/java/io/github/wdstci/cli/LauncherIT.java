package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The top-level launcher {@code ./wdsget}, copied into a scratch tree: how it
 * finds a JDK (JAVA_HOME, PATH, the usual places), what it says when there is
 * none, and when it builds the jar (a stand-in {@code mvnw} records the call
 * and copies the real jar). Its PATH holds only the few tools it needs and a
 * Java 17 that cannot run the jar, as on a fresh machine.
 */
class LauncherIT {

    private static final long GUARD_SECONDS = 120;

    /** Where the launcher looks for wdsget.jar, below the repository's top folder (the CLI module's build). */
    private static final String JAR_DIR = "src/cli/target";

    @TempDir
    Path root;

    Path bin;          // PATH: the launcher's tools and a Java 17 'java'
    Path old;          // a Java 17 installation (fake: it only tells its version)

    static Path launcher() {
        Path p = Path.of(System.getProperty("wdsget.launcher", "wdsget"));
        assertThat(p).as("the launcher at the top of the repository").isRegularFile().isExecutable();
        return p;
    }

    static void executable(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @BeforeEach
    void tree() throws Exception {
        Files.copy(launcher(), root.resolve("wdsget"), StandardCopyOption.COPY_ATTRIBUTES);
        old = root.resolve("jdks-old/jdk-17");
        Files.createDirectories(old.resolve("bin"));
        Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.9\"\n");
        executable(old.resolve("bin/java"), "#!/bin/sh\necho 'openjdk version \"17.0.9\" 2023-10-17' >&2\n"
                + "[ \"$1\" = -version ] && exit 0\necho 'UnsupportedClassVersionError' >&2\nexit 1\n");
        Files.createDirectories(root.resolve("jdks"));
        Files.createSymbolicLink(root.resolve("jdks/jdk-17"), old);
        Files.createSymbolicLink(root.resolve("jdks/jdk-current"), Path.of(System.getProperty("java.home")));

        bin = Files.createDirectories(root.resolve("bin"));
        for (String tool : List.of("sh", "sed", "ls", "dirname", "find", "head", "mkdir", "touch", "flock", "cat",
                "cp", "env", "tail", "od", "tr", "id", "readlink", "stat", "rm", "rmdir", "mv")) {
            String where = Nodes.run("sh", "-c", "command -v " + tool);
            if (where != null && !where.isEmpty()) {
                Files.createSymbolicLink(bin.resolve(tool), Path.of(where));
            }
        }
        Files.createSymbolicLink(bin.resolve("java"), old.resolve("bin/java"));
    }

    /** An installed copy: the jar in place and no sources, so nothing is built. */
    void installJar() throws IOException {
        Path target = Files.createDirectories(root.resolve(JAR_DIR));
        Files.copy(WdsGetIT.jar(), target.resolve("wdsget.jar"));
    }

    CliRun launch(Map<String, String> env, String... args) throws Exception {
        return launch(root.resolve("wdsget"), env, args);
    }

    CliRun launch(Path script, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("HOME", root.toString());
        pb.environment().put("JAVA_HOME", old.toString());
        pb.environment().put("WDSGET_JDK_DIRS", root.resolve("jdks").toString());
        pb.environment().put("WDSGET_AOT", "off");        // no cache trained behind a test's back
        pb.environment().putAll(env);
        pb.environment().values().removeIf(v -> v == null || v.isEmpty());
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getErrorStream()));
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish");
        }
        return new CliRun(p.exitValue(), out.get(), err.get());
    }

    /**
     * A thread dump (Ctrl-\\, SIGQUIT) while an object streams to standard output goes to
     * standard error: the launcher runs the JVM with -XX:+DisplayVMOutputToStderr.
     */
    @Test
    void aThreadDumpDoesNotLandInAnObjectOnStandardOutput() throws Exception {
        installJar();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("wdsget").toString(), "get", "-s", "wds01", "-n",
                "synthetic", "4MiB?block=64KiB&delay=30ms", "-o", "-", "-q").directory(root.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("HOME", root.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("WDSGET_AOT", "off");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getErrorStream()));
        java.io.InputStream in = p.getInputStream();
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        data.write(in.read());                   // streaming: the launcher has exec'ed the JVM
        Process quit = new ProcessBuilder("sh", "-c", "kill -QUIT " + p.pid()).inheritIO().start();
        assertThat(quit.waitFor()).isZero();
        in.transferTo(data);
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("wdsget did not finish");
        }
        assertThat(p.exitValue()).as(err.get()).isZero();
        assertThat(err.get()).contains("Full thread dump");
        assertThat(WdsGetTest.sha256(data.toByteArray())).as("the object, and nothing else")
                .isEqualTo(WdsGetTest.syntheticSha256(4 << 20, 0));
    }

    /** Run from a directory that was deleted: a sentence, not the JVM's stack trace. */
    @Test
    void saysSoWhenTheCurrentDirectoryWasDeleted() throws Exception {
        installJar();
        String rmdir = Nodes.run("sh", "-c", "command -v rmdir");
        Path wrapper = root.resolve("from-a-deleted-directory");
        executable(wrapper, "#!/bin/sh\nmkdir gone && cd gone && " + rmdir + " \"$PWD\" && exec ../wdsget \"$@\"\n");
        CliRun r = launch(wrapper, Map.of("JAVA_HOME", System.getProperty("java.home")), "--version");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("wdsget: the current directory no longer exists").doesNotContain("java.lang.Error")
                .doesNotContain("\tat ");
    }

    @Test
    void findsTheNewestJdkWhenJavaHomeAndPathAreTooOld() throws Exception {
        installJar();
        CliRun r = launch(Map.of(), "--version");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("wdsget ").contains("Java " + Runtime.version());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void usesJavaHomeWhenItIsNewEnough() throws Exception {
        installJar();
        CliRun r = launch(Map.of("JAVA_HOME", System.getProperty("java.home"), "WDSGET_JDK_DIRS", "/nonexistent"),
                "--version");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Java " + Runtime.version());
    }

    @Test
    void saysHowToInstallAJdkWhenThereIsNone() throws Exception {
        installJar();
        CliRun r = launch(Map.of("WDSGET_JDK_DIRS", root.resolve("jdks-old").toString()), "--version");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("wdsget: needs Java 22 or newer")
                .contains("JAVA_HOME=" + old + ": Java 17")
                .contains("java on PATH (" + bin.resolve("java") + "): Java 17")
                .contains("Install a JDK 22 or newer").contains("sdk install java")
                .doesNotContainPattern("temurin-[0-9]+-jdk-[a-z0-9]+");   // no JDK folder of this machine named
    }

    @Test
    void worksThroughASymbolicLink() throws Exception {
        installJar();
        Path link = Files.createSymbolicLink(bin.resolve("wdsget"), root.resolve("wdsget"));
        CliRun r = launch(link, Map.of(), "--version");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("wdsget ");
    }

    /**
     * The AOT cache is made for one jar and never used for another: its name holds the jar's
     * size and modification time, so a changed jar gets a new cache (the old one, of the same
     * jar's path, is removed), and runs without one until it exists.
     */
    @Test
    void theAotCacheIsNeverUsedForAnotherJar() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "an AOT cache needs JDK 25");
        installJar();
        Path cache = root.resolve("cache/wdsget");
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "WDSGET_AOT", "wait",
                "XDG_CACHE_HOME", root.resolve("cache").toString(), "WDSGET_LAUNCHER_TRACE", "1");
        Path jar = root.resolve(JAR_DIR).resolve("wdsget.jar");

        String[] demo = {"demo", "--size", "64KiB", "-q"};
        CliRun first = launch(env, demo);
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path trained = onlyCache(cache);
        assertThat(trained.getFileName().toString()).startsWith("wdsget-c1-" + Files.size(jar) + "-"
                + Files.getLastModifiedTime(jar).toInstant().getEpochSecond() + "-");
        assertThat(first.err()).contains("-XX:AOTCache=" + trained + " ");

        CliRun plain = launch(Map.of("JAVA_HOME", System.getProperty("java.home"), "XDG_CACHE_HOME",
                root.resolve("cache").toString(), "WDSGET_LAUNCHER_TRACE", "1", "WDSGET_AOT", "off"), demo);
        assertThat(plain.err()).as("WDSGET_AOT=off").doesNotContain("AOTCache");
        assertThat(plain.err()).as("C1 alone").contains("-XX:TieredStopAtLevel=1");
        CliRun hashing = launch(Map.of("JAVA_HOME", System.getProperty("java.home"), "WDSGET_LAUNCHER_TRACE", "1"),
                "get", "--sha256", "--help");
        if (NativeSha256.available()) {
            assertThat(hashing.err()).as("C1 alone: the system's OpenSSL hashes").contains("-XX:TieredStopAtLevel=1");
        } else {
            assertThat(hashing.err()).as("no libcrypto: C2, for the JDK's SHA-256 intrinsic")
                    .doesNotContain("TieredStopAtLevel");
        }

        CliRun help = launch(env, "--help");
        assertThat(help.err()).as("the help, printed without picocli, needs no cache").doesNotContain("AOTCache");

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(120)));
        CliRun changed = launch(env, demo);
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        Path retrained = onlyCache(cache);
        assertThat(retrained).as("a new key").isNotEqualTo(trained);
        assertThat(changed.err()).contains("-XX:AOTCache=" + retrained + " ").doesNotContain(trained.toString());
        assertThat(changed.err().lines().filter(l -> !l.startsWith("wdsget: exec ")))
                .as("the JVM found nothing stale to say").isEmpty();
    }

    /** The one AOT cache in {@code dir}. */
    static Path onlyCache(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> caches = files.filter(f -> f.getFileName().toString().endsWith(".aot")).toList();
            assertThat(caches).hasSize(1);
            return caches.get(0);
        }
    }

    /** A source tree with one source, and a stand-in mvnw that logs its call and copies the real jar. */
    Path sourcesAndMaven() throws IOException {
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Path source = root.resolve("src/cli/main/java/Some.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Some {}");
        Path log = root.resolve("mvnw.log");
        executable(root.resolve("mvnw"), "#!/bin/sh\necho \"$JAVA_HOME|$*\" >> '" + log + "'\n"
                + "echo 'maven says hello'\n"
                + "mkdir -p '" + root.resolve(JAR_DIR) + "'\n"
                + "cp '" + WdsGetIT.jar().toAbsolutePath() + "' '" + root.resolve(JAR_DIR).resolve("wdsget.jar") + "'\n");
        return source;
    }

    @Test
    void buildsTheJarWhenMissingOrOlderThanTheSourcesAndOnlyThen() throws Exception {
        Path source = sourcesAndMaven();
        Path log = root.resolve("mvnw.log");

        CliRun first = launch(Map.of(), "--version");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).as("the build's output goes to stderr").startsWith("wdsget ")
                .doesNotContain("maven says hello");
        assertThat(first.err()).contains("wdsget: building ").contains("maven says hello");
        List<String> calls = Files.readAllLines(log);
        assertThat(calls).singleElement().asString()
                .startsWith(root.resolve("jdks/jdk-current") + "|")
                .contains("-f " + root.resolve("pom.xml")).contains("-Dmaven.test.skip=true").endsWith("package");

        CliRun second = launch(Map.of(), "--version");
        assertThat(second.exitCode()).isZero();
        assertThat(second.err()).isEmpty();
        assertThat(Files.readAllLines(log)).as("up to date: no build").hasSize(1);

        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(60)));
        CliRun third = launch(Map.of(), "--version");
        assertThat(third.exitCode()).isZero();
        assertThat(Files.readAllLines(log)).as("a source changed: built again").hasSize(2);
    }

    /** Ctrl-C while Maven writes the jar leaves a truncated file newer than every source. */
    @Test
    void rebuildsAJarWhoseBuildWasInterrupted() throws Exception {
        sourcesAndMaven();
        byte[] whole = Files.readAllBytes(WdsGetIT.jar());
        Path jar = Files.createDirectories(root.resolve(JAR_DIR)).resolve("wdsget.jar");
        Files.write(jar, Arrays.copyOf(whole, whole.length / 3));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));

        CliRun r = launch(Map.of(), "--version");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("wdsget ");
        assertThat(r.err()).contains("wdsget: building ");
        assertThat(Files.readAllLines(root.resolve("mvnw.log"))).as("the truncated jar was rebuilt").hasSize(1);
        assertThat(Files.size(jar)).isEqualTo(whole.length);
    }

    @Test
    void aFailedBuildSaysHowToRepeatIt() throws Exception {
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        executable(root.resolve("mvnw"), "#!/bin/sh\necho '[ERROR] no compiler' >&2\nexit 1\n");
        CliRun r = launch(Map.of(), "demo");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("[ERROR] no compiler").contains("wdsget: the build failed");
        assertThat(r.out()).isEmpty();
    }
}
