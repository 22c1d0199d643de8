package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's usage example compiles against the library and runs against the stand-in. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("wdstci.readme", "README.md")));
        Matcher m = Pattern.compile("<!-- example:start[^>]*-->\\s*```java\\n(.*?)```\\s*<!-- example:end -->", Pattern.DOTALL)
                .matcher(readme);
        assertThat(m.find()).as("README has an example block").isTrue();
        Path src = dir.resolve("Example.java");
        Files.writeString(src, m.group(1));

        java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        PrintStream diag = new PrintStream(diagnostics, true);
        // against the library alone: the example needs nothing but the JDK and the library
        String library = Path.of(WdsClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        int rc = javac.run(diag, diag, "--release", "22", "-d", dir.toString(), "-cp", library, src.toString());
        assertThat(rc).as("javac: %s", diagnostics).isZero();

        Path target = dir.resolve("image.bin");
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("Example").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true));
            main.invoke(null, (Object) new String[] {target.toString()});
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString()).contains("received " + target).contains("16,777,216 / 16,777,216 bytes");
        byte[] data = Files.readAllBytes(target);
        assertThat(data).hasSize(16 << 20);
        assertThat(SyntheticContent.mismatch(0, 0, MemorySegment.ofArray(data))).isEqualTo(-1);
        assertThat(List.of(dir.toFile().list())).noneMatch(n -> n.endsWith(".part"));
    }
}
