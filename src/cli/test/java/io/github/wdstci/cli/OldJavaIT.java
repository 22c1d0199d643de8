package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar wdsget.jar} with a Java older than 22, as a user runs it
 * (not through {@code ./wdsget}, which picks a JDK 22+ by itself): every such
 * Java this machine has, found where a user's shell would find one (the
 * {@code java} on PATH, JAVA_HOME, the JDKs under {@code /usr/lib/jvm}), says
 * in one line what wdsget needs and what it ran on, and exits with 1. Skipped
 * where no Java older than 22 is installed.
 */
class OldJavaIT {

    private static final long GUARD_SECONDS = 120;
    private static final Pattern VERSION = Pattern.compile("^\\s*java\\.version = (.+)$", Pattern.MULTILINE);
    private static final Pattern HOME = Pattern.compile("^\\s*java\\.home = (.+)$", Pattern.MULTILINE);
    private static final Pattern SPEC = Pattern.compile("^\\s*java\\.specification\\.version = (.+)$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    /** A Java installation as it describes itself. */
    record Java(Path binary, String version, String home, int feature) {
    }

    @Test
    void aJavaOlderThan22SaysWhatWdsgetNeedsAndWhatItFound() throws Exception {
        List<Java> old = installed().values().stream().filter(j -> j.feature() < Main.MINIMUM).toList();
        assumeFalse(old.isEmpty(), "no Java older than " + Main.MINIMUM + " on this machine");

        for (Java java : old) {
            for (String[] args : List.of(new String[] {"--version"}, new String[] {"get", "-s", "wds01", "-n",
                    "synthetic", "1MiB", "-o", "x.bin"})) {
                CliRun r = run(java, args);
                String what = java.binary() + " " + String.join(" ", args);
                assertThat(r.exitCode()).as(what + ": " + r.err()).isEqualTo(1);
                assertThat(r.out()).as(what).isEmpty();
                assertThat(r.err().lines().toList()).as(what).singleElement().asString()
                        .startsWith("wdsget: needs Java 22 or newer")
                        .contains("Java " + java.version()).contains(java.home())
                        .doesNotContain("Exception").doesNotContain("Error");
                assertThat(dir).as(what + ": nothing written").isEmptyDirectory();
            }
        }
    }

    /** Every java a user's shell could run, by its java.home. */
    static Map<String, Java> installed() throws Exception {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "java"));
            }
        }
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isEmpty()) {
            candidates.add(Path.of(javaHome, "bin", "java"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.sorted().forEach(d -> candidates.add(d.resolve("bin/java")));
            }
        }
        Map<String, Java> found = new LinkedHashMap<>();
        for (Path c : candidates) {
            if (Files.isExecutable(c) && !Files.isDirectory(c)) {
                Java j = describe(c);
                if (j != null) {
                    found.putIfAbsent(j.home(), j);
                }
            }
        }
        return found;
    }

    /** What the java at {@code binary} says of itself (-XshowSettings exists since Java 7), or null. */
    static Java describe(Path binary) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "-XshowSettings:properties", "-version")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getInputStream()));
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        String text = out.get();
        Matcher v = VERSION.matcher(text);
        Matcher h = HOME.matcher(text);
        Matcher s = SPEC.matcher(text);
        if (p.exitValue() != 0 || !v.find() || !h.find() || !s.find()) {
            return null;
        }
        return new Java(binary, v.group(1).strip(), h.group(1).strip(), Main.feature(s.group(1).strip()));
    }

    CliRun run(Java java, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.binary().toString(), "-jar", WdsGetIT.jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> WdsGetIT.read(p.getErrorStream()));
        WdsGetIT.awaitExit(p, "java -jar wdsget.jar did not finish");
        return new CliRun(p.exitValue(), out.get(), err.get());
    }
}
