package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

/**
 * What the packaging promises a user of the library (README, "Layout"), checked on the jars
 * {@code package} made: the library's jar holds no wdsget class and its module descriptor
 * names nothing but the JDK; its published POM lists no dependency; wdsget.jar is an
 * executable class-path jar with the library inside.
 */
class PackagingIT {

    static Path path(String property) {
        Path p = Path.of(System.getProperty(property, "(" + property + " not set)"));
        assertThat(p).as(property).isRegularFile();
        return p;
    }

    static List<String> entries(JarFile jar) {
        return Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
    }

    @Test
    void theLibrarysJarHoldsTheLibraryAndTheStandInOnly() throws IOException {
        try (JarFile jar = new JarFile(path("wdstci.jar").toFile())) {
            List<String> names = entries(jar);
            assertThat(names).contains("io/github/wdstci/WdsClient.class",
                    "io/github/wdstci/native/linux-x86-64/libwdstptc.so", "module-info.class", "META-INF/LICENSE");
            assertThat(names).noneMatch(n -> n.startsWith("io/github/wdstci/cli/"))
                    .noneMatch(n -> n.startsWith("picocli/") || n.startsWith("org/"))
                    .allMatch(n -> n.startsWith("io/github/wdstci/") || "io/github/wdstci/".startsWith(n)
                            || n.startsWith("META-INF/") || n.equals("module-info.class"));

            ModuleDescriptor module;
            try (InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
                module = ModuleDescriptor.read(in);
            }
            assertThat(module.name()).isEqualTo("io.github.wdstci");
            assertThat(module.requires()).allSatisfy(r -> assertThat(r.name()).as("required module")
                    .matches("java\\..*|jdk\\..*"));
        }
    }

    @Test
    void thePublishedPomListsNoDependency() throws IOException {
        String pom = Files.readString(path("wdstci.pom"));
        assertThat(pom).contains("<artifactId>wdstci</artifactId>", "<licenses>", "<scm>", "<developers>")
                .doesNotContain("<dependency>", "<dependencies>", "<build>", "<profiles>");
        // and it is the one inside the jar
        try (JarFile jar = new JarFile(path("wdstci.jar").toFile());
                InputStream in = jar.getInputStream(jar.getEntry("META-INF/maven/io.github.wdstci/wdstci/pom.xml"))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(pom);
        }
    }

    @Test
    void wdsgetsJarRunsFromTheClassPathWithTheLibraryInside() throws IOException {
        try (JarFile jar = new JarFile(path("wdsget.jar").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.github.wdstci.cli.Main");
            assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"))
                    .isEqualTo("ALL-UNNAMED");
            List<String> names = entries(jar);
            assertThat(names).contains("io/github/wdstci/WdsClient.class", "io/github/wdstci/cli/WdsGet.class",
                    "io/github/wdstci/native/linux-x86-64/libwdstptc.so", "picocli/CommandLine.class",
                    "META-INF/LICENSE", "META-INF/THIRD-PARTY.txt")
                    .noneMatch(n -> n.endsWith("module-info.class"))
                    .noneMatch(n -> n.startsWith("org/openjdk/jmh/") || n.startsWith("com/sun/jna/")
                            || n.startsWith("org/junit/"));
        }
    }
}
