package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An application server or plugin host loads the library in a second class
 * loader (a redeploy): it must open the same library file again and work.
 */
@ExtendWith(StandinExtension.class)
@Tag("session")
class ClassLoadersTest {

    @Test
    void aSecondClassLoaderOpensTheSameLibraryAndReceives(WdsClient first) throws Exception {
        URL classes = WdsClient.class.getProtectionDomain().getCodeSource().getLocation();
        URL tests = ClassLoadersTest.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader second = new URLClassLoader(new URL[] {classes, tests}, ClassLoader.getPlatformClassLoader())) {
            Class<?> receiver = second.loadClass(Receiver.class.getName());
            assertThat(receiver.getClassLoader()).isSameAs(second);
            Object path = receiver.getMethod("receive").invoke(null);
            assertThat(path).isEqualTo(WdsClient.library().path().toString());
        }
        // The first loader's client still works.
        first.receive(StandinExtension.synthetic("1MiB"), ContentHandlers.discarding()).get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Runs inside the second class loader. */
    public static final class Receiver {
        public static String receive() throws Exception {
            try (WdsClient c = WdsClient.open()) {
                ContentHandlers.MemorySink sink = ContentHandlers.toMemory(1 << 20);
                c.receive(TransferRequest.newBuilder().server("wds.example").namespace("synthetic")
                        .objectName("1MiB?seed=7").build(), sink).get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (io.github.wdstci.standin.SyntheticContent.mismatch(7, 0, java.lang.foreign.MemorySegment.ofArray(sink.bytes())) != -1) {
                    throw new AssertionError("wrong bytes");
                }
                return WdsClient.library().path().toString();
            }
        }
    }
}
