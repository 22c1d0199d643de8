package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
@org.junit.jupiter.api.extension.ExtendWith(StandinExtension.class)
@org.junit.jupiter.api.Tag("session")
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
        client.receive(StandinExtension.synthetic("3MiB?order=shuffle&block=32KiB&seed=5"), ContentHandlers.toFile(target))
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
        client.receive(StandinExtension.synthetic("64KiB"), ContentHandlers.toFile(target)).get(60, TimeUnit.SECONDS);

        // not owner-only as a Files.createTempFile file would be: the image is for others to use too
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(Files.getPosixFilePermissions(reference));
    }

    @Test
    void failureLeavesNothingAndKeepsAnOldTarget() throws Exception {
        Path target = dir.resolve("image.wim");
        Files.writeString(target, "previous");
        CompletableFuture<Void> f = client.receive(StandinExtension.synthetic("4MiB?fail=1236@1MiB"),
                ContentHandlers.toFile(target, StandardCopyOption.REPLACE_EXISTING));
        assertThat(StandinExtension.causeOf(f)).isInstanceOf(WdsTransportException.class);
        assertThat(Files.readString(target)).isEqualTo("previous");
        assertThat(files()).containsExactly("image.wim");
    }

    @Test
    void cancelLeavesNothing() throws Exception {
        Path target = dir.resolve("image.wim");
        CountDownLatch first = new CountDownLatch(1);
        Session s = client.newSession(StandinExtension.synthetic("64MiB?delay=1ms"),
                new ForwardingContentHandler(ContentHandlers.toFile(target)) {
                    @Override
                    public void onContent(MemorySegment block, long offset) throws Exception {
                        super.onContent(block, offset);
                        first.countDown();
                    }
                });
        CompletableFuture<Void> f = s.start();
        assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(files()).as("the temporary file while receiving").hasSize(1);
        f.cancel(true);
        s.close();          // returns once onFailure (which deletes the temporary file) has run
        assertThat(files()).isEmpty();
    }

    @Test
    void theTargetIsCheckedBeforeTheFirstBlock() throws Exception {
        Path existing = Files.writeString(dir.resolve("existing.bin"), "keep me");
        Recorder blocks = new Recorder();
        Throwable t = StandinExtension.causeOf(client.receive(StandinExtension.synthetic("64MiB?delay=1ms"),
                new ForwardingContentHandler(ContentHandlers.toFile(existing)) {
                    @Override
                    public void onContent(MemorySegment block, long offset) throws Exception {
                        blocks.onContent(block, offset);
                        super.onContent(block, offset);
                    }
                }));
        assertThat(t).isInstanceOf(java.nio.file.FileAlreadyExistsException.class).hasMessageContaining("REPLACE_EXISTING");
        assertThat(blocks.syncBlocks).as("blocks delivered before the refusal").hasValue(0);
        assertThat(Files.readString(existing)).isEqualTo("keep me");

        Path missingDir = dir.resolve("missing").resolve("x.bin");
        assertThat(StandinExtension.causeOf(client.receive(StandinExtension.synthetic("1MiB"),
                ContentHandlers.toFile(missingDir)))).isInstanceOf(java.nio.file.NoSuchFileException.class);

        assertThatThrownBy(() -> ContentHandlers.toFile(dir)).as("a directory fails at once")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> ContentHandlers.toFile(existing, StandardCopyOption.ATOMIC_MOVE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REPLACE_EXISTING");

        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), existing);
        assertThat(StandinExtension.causeOf(client.receive(StandinExtension.synthetic("1MiB"),
                ContentHandlers.toFile(link, StandardCopyOption.REPLACE_EXISTING))))
                .as("a symbolic link is never replaced").isInstanceOf(java.nio.file.FileSystemException.class);
        assertThat(Files.isSymbolicLink(link)).isTrue();

        client.receive(StandinExtension.synthetic("1MiB?seed=3"), ContentHandlers.toFile(existing, StandardCopyOption.REPLACE_EXISTING))
                .get(60, TimeUnit.SECONDS);
        assertThat(Files.size(existing)).isEqualTo(1 << 20);
        assertThat(files()).containsExactly("existing.bin", "link.bin");
    }

    @Test
    void aTargetNameAsLongAsTheFileSystemAllowsWorks() throws Exception {
        String name = "n".repeat(244) + ".bin";           // 248 bytes: legal (NAME_MAX 255) with a short temp name
        Path target = dir.resolve(name);
        client.receive(StandinExtension.synthetic("256KiB"), ContentHandlers.toFile(target)).get(60, TimeUnit.SECONDS);
        assertThat(files()).containsExactly(name);
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
        Throwable t = StandinExtension.causeOf(client.receive(StandinExtension.synthetic("2MiB"), ContentHandlers.toMemory(1 << 20)));
        assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("exceeds the memory limit");
        assertThatThrownBy(() -> ContentHandlers.toMemory(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void progressReportsBytesTotalAndRate() throws Exception {
        java.util.List<long[]> reports = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        client.receive(StandinExtension.synthetic("1MiB?block=64KiB"),
                ContentHandlers.withProgress(ContentHandlers.discarding(),
                        (bytes, total, rate) -> reports.add(new long[] {bytes, total, (long) rate}), 0))
                .get(30, TimeUnit.SECONDS);
        assertThat(reports).hasSize(17);
        assertThat(reports.getFirst()).containsExactly(0, 1 << 20, 0);
        assertThat(reports.getLast()[0]).isEqualTo(1 << 20);
        assertThat(reports.getLast()[1]).isEqualTo(1 << 20);
        assertThat(reports.getLast()[2]).isPositive();
    }
    /** ForwardingContentHandler's Javadoc example: a file, and its metadata beside it. */
    @Test
    void theForwardingExampleWritesTheFileAndKeepsTheMetadata() throws Exception {
        Path target = dir.resolve("image.wim");
        ContentHandler handler = new ForwardingContentHandler(ContentHandlers.toFile(target)) {
            @Override
            public void onMetadata(MemorySegment metadata) throws Exception {
                Files.write(target.resolveSibling("image.meta"), metadata.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                super.onMetadata(metadata);
            }
        };
        client.receive(StandinExtension.synthetic("1MiB?meta=arch%3Dx64&seed=2"), handler).get(30, TimeUnit.SECONDS);
        assertThat(Files.size(target)).isEqualTo(1 << 20);
        assertThat(SyntheticContent.mismatch(2, 0, MemorySegment.ofArray(Files.readAllBytes(target)))).isEqualTo(-1);
        assertThat(Files.readString(dir.resolve("image.meta"))).isEqualTo("arch%3Dx64");
        assertThat(files()).containsExactly("image.meta", "image.wim");
    }

    /** A negotiated range ends before the object: its last byte is still reported, once. */
    @Test
    void progressReportsTheLastByteOfANegotiatedRange() throws Exception {
        assumeTrue(client.negotiationSupported(), "a DLL without negotiation");
        java.util.List<Long> reports = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        ContentHandler ranged = new ContentHandler() {
            @Override
            public boolean negotiates() {
                return true;
            }

            @Override
            public void onNegotiate(StartInfo info, Negotiation n) throws WdsTransportException {
                n.require(0, 100_000);               // two 64 KiB blocks of the 1 MiB object
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
            }
        };
        client.receive(StandinExtension.synthetic("1MiB?block=64KiB"),
                ContentHandlers.withProgress(ranged, (bytes, total, rate) -> reports.add(bytes), 60_000))
                .get(30, TimeUnit.SECONDS);
        assertThat(reports).containsExactly(0L, 128L << 10);
    }

    /** An interval too long to count in nanoseconds means: at the start and at the end only. */
    @Test
    void aProgressIntervalBeyondNanosecondsReportsStartAndEndOnly() throws Exception {
        for (long interval : new long[] {Long.MAX_VALUE, 10_000_000_000_000L, Long.MAX_VALUE / 1_000_000L}) {
            java.util.List<Long> reports = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            client.receive(StandinExtension.synthetic("1MiB?block=64KiB"),
                    ContentHandlers.withProgress(ContentHandlers.discarding(), (bytes, total, rate) -> reports.add(bytes),
                            interval))
                    .get(30, TimeUnit.SECONDS);
            assertThat(reports).as("interval %d ms", interval).containsExactly(0L, (long) (1 << 20));
        }
    }

    /**
     * A temporary file that cannot be created beside the target (procfs takes no new files,
     * whoever asks) fails the session with an exception about the target the caller named,
     * not about the hidden temporary name.
     */
    @Test
    void aTemporaryFileThatCannotBeCreatedIsReportedAboutTheTarget() {
        Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc.resolve("self")), "procfs");
        Path target = proc.resolve("wdstci-test-image.bin");
        Throwable cause = StandinExtension.causeOf(
                client.receive(StandinExtension.synthetic("64KiB"), ContentHandlers.toFile(target)));
        assertThat(cause).isInstanceOf(java.nio.file.FileSystemException.class);
        assertThat(((java.nio.file.FileSystemException) cause).getFile()).isEqualTo(target.toString());
        assertThat(cause.getMessage()).contains("cannot create a temporary file beside it").doesNotContain(".part");
        assertThat(cause.getCause()).as("the original, with the temporary name").isInstanceOf(IOException.class);
    }

    /**
     * In a fresh JVM whose main returns without closing the client, right after cancelling
     * a toFile transfer: its future completed at once, the session ends only later, after
     * the JVM is gone, and the temporary file must not stay behind.
     */
    @Test
    void aTransferCancelledJustBeforeTheJvmExitsLeavesNoTemporaryFile() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        for (String mode : new String[] {"cancel", "running"}) {
            Path sub = Files.createDirectory(dir.resolve(mode));
            Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), ExitWithoutClosing.class.getName(),
                    sub.toString(), mode)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).as(out).contains("part file seen");
            try (Stream<Path> left = Files.list(sub)) {
                assertThat(left.map(Path::getFileName).map(Path::toString).toList()).as(mode).isEmpty();
            }
        }
    }

    /** Run by {@link #aTransferCancelledJustBeforeTheJvmExitsLeavesNoTemporaryFile} in a child JVM. */
    public static final class ExitWithoutClosing {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            WdsClient client = WdsClient.open();                  // never closed
            CompletableFuture<Void> f = client.receive(StandinExtension.synthetic("256MiB?delay=2ms"),
                    ContentHandlers.toFile(dir.resolve("image.bin")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.anyMatch(x -> x.getFileName().toString().endsWith(".part") && x.toFile().length() > 0)) {
                        break;           // being written: the session is past its start
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no temporary file appeared");
                }
                Thread.sleep(5);
            }
            System.out.println("part file seen");
            if (args[1].equals("cancel")) {
                f.cancel(false);
            }
        }                                                          // and the JVM exits
    }
}
