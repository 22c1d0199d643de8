package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file sink leaves either the complete file or nothing under the target name. */
class FileSinkTest {

    @TempDir
    Path dir;
    WdsClient client;

    @BeforeEach
    void open() throws Exception {
        client = WdsClient.open();
    }

    @AfterEach
    void close() {
        client.close();
    }

    java.util.List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void successWritesTheWholeObjectAtomically() throws Exception {
        Path target = dir.resolve("image.wim");
        client.receive(SessionTest.synthetic("3MiB?order=shuffle&block=32KiB&seed=5"), ContentHandlers.toFile(target))
                .get(60, TimeUnit.SECONDS);
        byte[] data = Files.readAllBytes(target);
        assertThat(data).hasSize(3 << 20);
        assertThat(SyntheticContent.mismatch(5, 0, MemorySegment.ofArray(data))).isEqualTo(-1);
        assertThat(files()).containsExactly("image.wim");
    }

    @Test
    void theObjectGetsTheUsualPermissionsOfANewFile() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX permissions");
        Path reference = Files.createFile(dir.resolve("reference"));
        Path target = dir.resolve("image.wim");
        client.receive(SessionTest.synthetic("64KiB"), ContentHandlers.toFile(target)).get(60, TimeUnit.SECONDS);

        // not owner-only as a Files.createTempFile file would be: the image is for others to use too
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(Files.getPosixFilePermissions(reference));
    }

    @Test
    void failureLeavesNothingAndKeepsAnOldTarget() throws Exception {
        Path target = dir.resolve("image.wim");
        Files.writeString(target, "previous");
        CompletableFuture<Void> f = client.receive(SessionTest.synthetic("4MiB?fail=1236@1MiB"), ContentHandlers.toFile(target));
        assertThat(SessionTest.failureOf(f)).isInstanceOf(WdsTransportException.class);
        assertThat(Files.readString(target)).isEqualTo("previous");
        assertThat(files()).containsExactly("image.wim");
    }

    @Test
    void cancelLeavesNothing() throws Exception {
        Path target = dir.resolve("image.wim");
        CountDownLatch first = new CountDownLatch(1);
        ContentHandler file = ContentHandlers.toFile(target);
        Session s = client.newSession(SessionTest.synthetic("64MiB?delay=1ms"), new ContentHandler() {
            @Override
            public void onStart(StartInfo info) throws Exception {
                file.onStart(info);
            }

            @Override
            public void onContent(MemorySegment block, long offset) throws Exception {
                file.onContent(block, offset);
                first.countDown();
            }

            @Override
            public void onSuccess() throws Exception {
                file.onSuccess();
            }

            @Override
            public void onFailure(Throwable cause) {
                file.onFailure(cause);
            }
        });
        CompletableFuture<Void> f = s.start();
        assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
        f.cancel(true);
        s.close();
        // onFailure runs on the executor after the native completion: wait for the temp file to go.
        for (int i = 0; i < 6000 && !files().isEmpty(); i++) {
            Thread.sleep(5);
        }
        assertThat(files()).isEmpty();
    }

    @Test
    void aBlockOutsideTheObjectFailsAndIsNotWritten() throws Exception {
        Path target = dir.resolve("x.bin");
        ContentHandler h = ContentHandlers.toFile(target);
        h.onStart(new StartInfo(100, 64));
        h.onContent(MemorySegment.ofArray(new byte[64]), 0);
        assertThatThrownBy(() -> h.onContent(MemorySegment.ofArray(new byte[64]), 64))
                .isInstanceOf(IOException.class).hasMessageContaining("outside the object [0, 100)");
        assertThatThrownBy(() -> h.onContent(MemorySegment.ofArray(new byte[1]), -1)).isInstanceOf(IOException.class);
        Path temp;
        try (Stream<Path> s = Files.list(dir)) {
            temp = s.findFirst().orElseThrow();
        }
        assertThat(Files.size(temp)).as("nothing written past the accepted block").isEqualTo(64);
        assertThatThrownBy(h::onSuccess).isInstanceOf(IOException.class).hasMessageContaining("received 64 of 100");
        h.onFailure(new IOException("test"));
        assertThat(files()).isEmpty();
    }

    @Test
    void memorySinkEnforcesItsLimit() {
        Throwable t = SessionTest.failureOf(client.receive(SessionTest.synthetic("2MiB"), ContentHandlers.toMemory(1 << 20)));
        assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("exceeds the memory limit");
        assertThatThrownBy(() -> ContentHandlers.toMemory(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void progressReportsBytesTotalAndRate() throws Exception {
        java.util.List<long[]> reports = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        client.receive(SessionTest.synthetic("1MiB?block=64KiB"),
                ContentHandlers.withProgress(ContentHandlers.discarding(),
                        (bytes, total, rate) -> reports.add(new long[] {bytes, total, (long) rate}), 0))
                .get(30, TimeUnit.SECONDS);
        assertThat(reports).hasSize(17);
        assertThat(reports.getFirst()).containsExactly(0, 1 << 20, 0);
        assertThat(reports.getLast()[0]).isEqualTo(1 << 20);
        assertThat(reports.getLast()[1]).isEqualTo(1 << 20);
        assertThat(reports.getLast()[2]).isPositive();
    }
}
