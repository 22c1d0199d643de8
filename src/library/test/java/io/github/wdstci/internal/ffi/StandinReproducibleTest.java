package io.github.wdstci.internal.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.internal.NativeLibrary;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The stand-in builds reproducibly: the same sources give the same bytes in
 * any folder (src/library/main/c/Makefile), and the library this build made
 * names no folder of this machine.
 */
@Tag("contract")
class StandinReproducibleTest {

    /** The stand-in's source folder, src/library/main/c (pom.xml sets it). */
    static Path sourceDir() {
        return Path.of(System.getProperty("wdstci.standin.src", "main/c")).toAbsolutePath().normalize();
    }

    @Test
    void twoBuildsInDifferentFoldersAreByteIdentical() throws Exception {
        // Nothing about sanitizers here; and make and gcc must not inherit the ASan preload.
        assumeFalse(Boolean.getBoolean("wdstci.sanitized"), "the sanitized run");
        assertThat(sourceDir().resolve("Makefile")).exists();
        ProcessBuilder pb = new ProcessBuilder("make", "--no-print-directory", "-s", "-C", sourceDir().toString(),
                "check-reproducible").redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        p.getOutputStream().close();
        // Read everything first, so that a full pipe never stalls make; the wait is a guard only.
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("make check-reproducible finished").isTrue();
        assertThat(p.exitValue()).as("make check-reproducible:%n%s", output).isZero();
        assertThat(output).contains("byte-identical");
    }

    @Test
    void theLoadedStandInNamesNoBuildFolder() throws IOException {
        Path root = sourceDir().resolve("../../../..").normalize();
        // Latin-1 keeps every byte as one char, so a byte search becomes a string search.
        String lib = new String(Files.readAllBytes(NativeLibrary.load().path()), StandardCharsets.ISO_8859_1);
        String folder = new String(root.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(lib.contains(folder)).as("%s contains the build folder %s", NativeLibrary.load().path(), root)
                .isFalse();
    }
}
