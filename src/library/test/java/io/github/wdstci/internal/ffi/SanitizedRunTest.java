package io.github.wdstci.internal.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.wdstci.internal.NativeLibrary;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Guards the sanitized run (pom.xml, execution {@code sanitized-contract}):
 * when it claims to run under the sanitizers, the AddressSanitizer runtime is
 * really in the process and the stand-in loaded (and the Vista-era build
 * {@link StandinVistaTest} opens) is the instrumented build, so the contract
 * tests' pass there means something.
 */
@Tag("contract")
class SanitizedRunTest {

    @Test
    void theSanitizedRunLoadsTheInstrumentedStandInUnderAsan() throws Exception {
        assumeTrue(Boolean.getBoolean("wdstci.sanitized"), "not the sanitized run");
        assertThat(Files.readString(Path.of("/proc/self/maps"))).as("mapped libraries").contains("libasan.so");
        Path loaded = NativeLibrary.load().path();
        assertThat(loaded.toString()).endsWith("sanitize/libwdstptc.so");
        assertThat(Files.readAllBytes(loaded)).as("the loaded library refers to the ASan runtime")
                .containsSubsequence("__asan_".getBytes());
        // StandinVistaTest runs the Vista-era build given by this property: the instrumented one here.
        Path vista = Path.of(System.getProperty("wdstci.test.vista", ""));
        assertThat(vista.toString()).endsWith("sanitize/libwdstptc-vista.so");
        assertThat(Files.readAllBytes(vista)).as("the Vista-era build refers to the ASan runtime")
                .containsSubsequence("__asan_".getBytes());
    }
}
