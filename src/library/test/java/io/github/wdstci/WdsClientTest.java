package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.internal.StandinDiagnostics;
import io.github.wdstci.internal.Wdstptc;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.extension.ExtendWith(StandinExtension.class)
@org.junit.jupiter.api.Tag("session")
class WdsClientTest {

    @Test
    void clientsAreReferenceCountedAndTheLastOneShutsDown() throws Exception {
        WdsClient a = WdsClient.open();
        WdsClient b = WdsClient.open();
        a.close();
        a.close();   // idempotent: must not release b's share
        assertThatThrownBy(() -> a.newSession(StandinExtension.synthetic("1MiB"), ContentHandlers.discarding()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        b.receive(StandinExtension.synthetic("1MiB"), ContentHandlers.discarding()).get(30, TimeUnit.SECONDS);
        b.close();
        // The transport is shut down: one more Shutdown is refused by the stand-in.
        assertThat(Wdstptc.shutdown()).as("Shutdown after the last client").isEqualTo(5023);
        assertThat(StandinDiagnostics.counters()).containsExactly(0L, 0L, 0L, 0L);
    }

    @Test
    void closingTheClientCancelsAndClosesItsSessions() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        Session s;
        CompletableFuture<Void> f;
        try (WdsClient client = WdsClient.open()) {
            s = client.newSession(StandinExtension.synthetic("64MiB?delay=1ms"), (block, offset) -> first.countDown());
            f = s.start();
            assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(s.isClosed()).isTrue();
        assertThat(StandinExtension.causeOf(f)).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(StandinDiagnostics.counters()).containsExactly(0L, 0L, 0L, 0L);
    }

    @Test
    void argumentsAreChecked() throws Exception {
        assertThatThrownBy(() -> WdsClient.open(null)).isInstanceOf(IllegalArgumentException.class);
        try (WdsClient client = WdsClient.open()) {
            assertThatThrownBy(() -> client.newSession(null, ContentHandlers.discarding()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request");
            assertThatThrownBy(() -> client.newSession(StandinExtension.synthetic("1MiB"), (ContentHandler) null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handler");
        }
    }

    /** In a fresh JVM: a library that does not load fails with a message naming what was tried. */
    @Test
    void aMissingLibraryIsNamedInTheError() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dwdstci.library=/nonexistent/WDSTPTC.dll", "-cp", System.getProperty("java.class.path"),
                OpenClient.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(3);
        assertThat(out).contains("UnsatisfiedLinkError").contains("/nonexistent/WDSTPTC.dll").contains("wdstci.library");
    }

    /** Run by {@link #aMissingLibraryIsNamedInTheError} in a child JVM. */
    public static final class OpenClient {
        public static void main(String[] args) throws Exception {
            try (WdsClient c = WdsClient.open()) {
                System.exit(0);
            } catch (UnsatisfiedLinkError e) {
                System.out.println(e);
                System.exit(3);
            }
        }
    }
}
