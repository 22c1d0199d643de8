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
 * What the packaging promises a user of the library (README, "Layout"), checked on the jar
 * {@code package} made: it holds no wdsget class and its module descriptor names nothing but
 * the JDK; its published POM lists no dependency. (wdsget.jar is checked by the CLI's own
 * PackagingIT.)
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
        assertThat(pom).contains("<artifactId>wdstci</artifactId>", "<artifactId>wdstci-parent</artifactId>")
                .doesNotContain("<dependency>", "<dependencies>", "<profiles>");
        // Maven Central's metadata comes from the parent, which is published with it; so do the
        // tests' libraries, in test scope, which never reaches a user
        String parent = Files.readString(path("wdstci.parent.pom"));
        assertThat(parent).contains("<licenses>", "</scm>", "<developers>");
        String inherited = parent.replaceAll("(?s)<dependencyManagement>.*</dependencyManagement>", "");
        java.util.regex.Matcher dependency = java.util.regex.Pattern.compile("(?s)<dependency>.*?</dependency>")
                .matcher(inherited);
        while (dependency.find()) {
            assertThat(dependency.group()).as("a dependency every module inherits").contains("<scope>test</scope>");
        }
        // and it is the one inside the jar
        try (JarFile jar = new JarFile(path("wdstci.jar").toFile());
                InputStream in = jar.getInputStream(jar.getEntry("META-INF/maven/io.github.wdstci/wdstci/pom.xml"))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(pom);
        }
    }

    /** The library's tests see the library and the test tools only: none of wdsget's or the benchmarks' libraries. */
    @Test
    void theTestClassPathHoldsNoLibraryOfTheToolOrTheBenchmarks() {
        for (String name : List.of("picocli.CommandLine", "org.jline.terminal.Terminal", "org.openjdk.jmh.Main",
                "com.sun.jna.Native", "io.github.wdstci.cli.WdsGet")) {
            assertThat(getClass().getClassLoader().getResource(name.replace('.', '/') + ".class")).as(name).isNull();
        }
    }
}
