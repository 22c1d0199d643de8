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
 * really in the process, and the stand-in loaded and the other shapes
 * {@link StandinShapesTest} opens are the instrumented builds, so the
 * contract tests' pass there means something.
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
        // StandinShapesTest runs the other shapes given by these properties: the instrumented ones here.
        for (String shape : new String[] {"vista", "nonegotiate"}) {
            Path lib = Path.of(System.getProperty("wdstci.test." + shape, ""));
            assertThat(lib.toString()).endsWith("sanitize/libwdstptc-" + shape + ".so");
            assertThat(Files.readAllBytes(lib)).as("the %s build refers to the ASan runtime", shape)
                    .containsSubsequence("__asan_".getBytes());
        }
    }
}
