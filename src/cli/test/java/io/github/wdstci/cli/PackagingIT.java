package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

/**
 * What {@code package} promises a user of wdsget (README, "Layout"), checked on the jar it
 * made: wdsget.jar is an executable class-path jar with the library inside, and nothing of
 * the tests or the benchmarks.
 */
class PackagingIT {

    @Test
    void wdsgetsJarRunsFromTheClassPathWithTheLibraryInside() throws IOException {
        try (JarFile jar = new JarFile(WdsGetIT.jar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.github.wdstci.cli.Main");
            assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"))
                    .isEqualTo("ALL-UNNAMED");
            List<String> names = Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("io/github/wdstci/WdsClient.class", "io/github/wdstci/cli/WdsGet.class",
                    "io/github/wdstci/native/linux-x86-64/libwdstptc.so", "picocli/CommandLine.class",
                    "META-INF/LICENSE", "META-INF/THIRD-PARTY.txt")
                    .noneMatch(n -> n.endsWith("module-info.class"))
                    .noneMatch(n -> n.startsWith("org/openjdk/jmh/") || n.startsWith("com/sun/jna/")
                            || n.startsWith("org/junit/"));
        }
    }
}
