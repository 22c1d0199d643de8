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

    /** A client that StandinExtension opened for the test and closes (and checks) after it. */
    @BeforeEach
    void open(WdsClient opened) {
        client = opened;
    }

    java.util.List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** {@code handler}, with every block counted by {@code blocks} before it gets it. */
    static ContentHandler counting(ContentHandler handler, Recorder blocks) {
        return new ForwardingContentHandler(handler) {
            @Override
            public void onContent(MemorySegment block, long offset) throws Exception {
                blocks.onContent(block, offset);
                super.onContent(block, offset);
            }
        };
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
                counting(ContentHandlers.toFile(existing), blocks)));
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

    /**
     * A name one byte longer than the file system takes (NAME_MAX 255) is refused when the
     * session starts, about the target, before a block arrives: not after the whole object,
     * at the final rename, with an error about the hidden part file.
     */
    @Test
    void aTargetNameTooLongForTheFileSystemIsRefusedBeforeTheFirstBlock() throws Exception {
        String name = "n".repeat(252) + ".bin";           // 256 bytes
        Path target = dir.resolve(name);
        Recorder blocks = new Recorder();
        Throwable t = StandinExtension.causeOf(client.receive(StandinExtension.synthetic("1MiB?block=64KiB"),
                counting(ContentHandlers.toFile(target), blocks)));
        assertThat(t).isInstanceOf(java.nio.file.FileSystemException.class);
        assertThat(((java.nio.file.FileSystemException) t).getFile()).as("the file named").isEqualTo(target.toString());
        assertThat(t.getMessage()).doesNotContain(".part");
        assertThat(blocks.syncBlocks).as("blocks delivered before the refusal").hasValue(0);
        assertThat(files()).isEmpty();
    }

    // ---- the builder's settings ----------------------------------------------------------------

    /** followLinks: the file a link finally names is written (or created, for a dangling link); the links stay. */
    @Test
    void aSymbolicLinkIsWrittenThroughWhenAskedAndStaysALink() throws Exception {
        Path real = Files.writeString(dir.resolve("real.bin"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), Path.of("real.bin"));
        Path chain = Files.createSymbolicLink(dir.resolve("chain.bin"), Path.of("link.bin"));
        Throwable refused = StandinExtension.causeOf(client.receive(StandinExtension.synthetic("64KiB"),
                FileSink.newBuilder(chain).followLinks(true).build()));
        assertThat(refused).as("the file the links name exists").isInstanceOf(TargetExistsException.class);
        assertThat(((TargetExistsException) refused).found()).isEqualTo(TargetExistsException.Found.REGULAR_FILE);
        assertThat(((TargetExistsException) refused).getFile()).isEqualTo(real.toString());

        client.receive(StandinExtension.synthetic("1MiB?seed=6"),
                FileSink.newBuilder(chain).followLinks(true).replaceExisting(true).build()).get(60, TimeUnit.SECONDS);
        assertThat(SyntheticContent.mismatch(6, 0, MemorySegment.ofArray(Files.readAllBytes(real)))).isEqualTo(-1);
        assertThat(Files.size(real)).isEqualTo(1 << 20);
        assertThat(Files.readSymbolicLink(chain)).isEqualTo(Path.of("link.bin"));
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("real.bin"));

        Files.createDirectory(dir.resolve("sub"));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.bin"), Path.of("sub/new.bin"));
        client.receive(StandinExtension.synthetic("64KiB"), FileSink.newBuilder(dangling).followLinks(true).build())
                .get(60, TimeUnit.SECONDS);
        assertThat(dir.resolve("sub/new.bin")).isRegularFile().hasSize(64 << 10);
        assertThat(Files.isSymbolicLink(dangling)).isTrue();
        assertThat(files()).containsExactly("chain.bin", "dangling.bin", "link.bin", "real.bin", "sub");
    }

    /**
     * commitOnSuccess(false): the session ends with the complete object in the forced part
     * file, readable, and the target untouched; commit() puts it in place, discard() drops it.
     */
    @Test
    void aDeferredCommitLeavesTheCompletePartFileForTheCaller() throws Exception {
        Path target = dir.resolve("image.wim");
        FileSink sink = FileSink.newBuilder(target).commitOnSuccess(false).build();
        assertThat(sink.partFile()).as("before the start").isNull();
        client.receive(StandinExtension.synthetic("2MiB?order=shuffle&block=64KiB&seed=8"), sink).get(60, TimeUnit.SECONDS);
        Path part = sink.partFile();
        assertThat(part).isNotNull().hasParent(dir);
        assertThat(SyntheticContent.mismatch(8, 0, MemorySegment.ofArray(Files.readAllBytes(part)))).isEqualTo(-1);
        assertThat(target).doesNotExist();

        sink.commit();
        assertThat(SyntheticContent.mismatch(8, 0, MemorySegment.ofArray(Files.readAllBytes(target)))).isEqualTo(-1);
        assertThat(sink.partFile()).isNull();
        sink.commit();                                   // again: nothing to do
        sink.discard();                                  // after the commit: nothing to drop
        assertThat(files()).containsExactly("image.wim");

        FileSink dropped = FileSink.newBuilder(dir.resolve("other.wim")).commitOnSuccess(false).build();
        client.receive(StandinExtension.synthetic("64KiB"), dropped).get(60, TimeUnit.SECONDS);
        dropped.discard();
        assertThatThrownBy(dropped::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("discarded");
        assertThat(files()).containsExactly("image.wim");
    }

    /**
     * What appears at the target while the object arrives decides as if it had been there:
     * a regular file is replaced only with replaceExisting, anything else never; what is kept
     * stays as it was and the part file is gone.
     */
    @Test
    void whatAppearsAtTheTargetDuringTheTransferIsReplacedOnlyIfItMayBe() throws Exception {
        Path target = dir.resolve("image.wim");
        for (boolean replace : new boolean[] {false, true}) {
            FileSink sink = FileSink.newBuilder(target).replaceExisting(replace).commitOnSuccess(false).build();
            client.receive(StandinExtension.synthetic("64KiB"), sink).get(60, TimeUnit.SECONDS);
            Files.writeString(target, "appeared");
            if (replace) {
                sink.commit();
                assertThat(target).hasSize(64 << 10);
            } else {
                assertThatThrownBy(sink::commit).isInstanceOfSatisfying(TargetExistsException.class, e -> {
                    assertThat(e.found()).isEqualTo(TargetExistsException.Found.REGULAR_FILE);
                    assertThat(e.duringTransfer()).isTrue();
                    assertThat(e.getFile()).isEqualTo(target.toString());
                    assertThat(e.getMessage()).contains("appeared during the transfer").doesNotContain(".part");
                });
                assertThat(Files.readString(target)).isEqualTo("appeared");
            }
            assertThat(files()).containsExactly("image.wim");
            Files.delete(target);
        }

        FileSink sink = FileSink.newBuilder(target).replaceExisting(true).commitOnSuccess(false).build();
        client.receive(StandinExtension.synthetic("64KiB"), sink).get(60, TimeUnit.SECONDS);
        Files.createDirectory(target);
        assertThatThrownBy(sink::commit).isInstanceOfSatisfying(TargetExistsException.class,
                e -> assertThat(e.found()).isEqualTo(TargetExistsException.Found.DIRECTORY));
        assertThat(target).isEmptyDirectory();
        assertThat(files()).containsExactly("image.wim");
    }

    /** A sink given up before its session starts fails that start; one that served a session serves no other. */
    @Test
    void aSinkServesOneSessionAndNoneOnceDiscarded() throws Exception {
        FileSink early = FileSink.newBuilder(dir.resolve("a.bin")).build();
        early.discard();
        assertThat(StandinExtension.causeOf(client.receive(StandinExtension.synthetic("64KiB"), early)))
                .isInstanceOf(IOException.class).hasMessageContaining("discarded");

        FileSink once = FileSink.newBuilder(dir.resolve("b.bin")).build();
        client.receive(StandinExtension.synthetic("64KiB"), once).get(60, TimeUnit.SECONDS);
        assertThat(StandinExtension.causeOf(client.receive(StandinExtension.synthetic("64KiB"), once)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(files()).containsExactly("b.bin");

        assertThatThrownBy(() -> FileSink.newBuilder(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileSink.newBuilder(dir.resolve("c.bin")).partFileTag("my-tool"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("my-tool");
    }

    // ---- part files ----------------------------------------------------------------------------

    /** A part file names the target, the tag and the process, and stays short whatever the target's name. */
    @Test
    void partFileNamesCarryTheTagAndThePidAndStayShort() {
        assertThat(PartFiles.name("boot.wim", "wdsget", 1234, 0)).isEqualTo(".boot.wim.wdsget-1234.part");
        assertThat(PartFiles.pidOf(".boot.wim.wdsget-1234.part", "wdsget")).isEqualTo(1234);
        assertThat(PartFiles.pidOf(".boot.wim.wdsget-1234-2.part", "wdsget")).isEqualTo(1234);
        assertThat(PartFiles.pidOf(".boot.wim.wdsget-77", "wdsget")).as("an earlier wdsget's staging file").isEqualTo(77);
        assertThat(PartFiles.pidOf("..boot.wim.wdsget-77.k3j9x.part", "wdsget")).as("an earlier wdsget's temporary file")
                .isEqualTo(77);
        assertThat(PartFiles.pidOf(".boot.wim.wdsget-1234.part", "wdstci")).as("another program's").isEqualTo(-1);
        assertThat(PartFiles.pidOf("boot.wim", "wdsget")).isEqualTo(-1);
        assertThat(PartFiles.pidOf(".boot.wim.part", "wdsget")).isEqualTo(-1);
        String longName = "\u00e9".repeat(200);        // 400 bytes of UTF-8
        String part = PartFiles.name(longName, "a".repeat(32), Long.MAX_VALUE, 999);
        assertThat(part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(255);
        assertThat(PartFiles.cut(longName, 101)).hasSize(50);
        assertThat(PartFiles.cut("a\uD83D\uDE00b", 4)).as("a surrogate pair is not split").isEqualTo("a");
    }

    /** The leftovers of processes that are gone are removed; a live process's, and other files, stay. */
    @Test
    void leftoversOfDeadProcessesAreRemovedAndOnlyThose() throws Exception {
        Process done = new ProcessBuilder("true").start();
        assertThat(done.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long dead = done.pid();
        assumeTrue(ProcessHandle.of(dead).isEmpty(), "the ended process's PID is free");
        long alive = ProcessHandle.current().pid();
        Path stale = Files.writeString(dir.resolve(".image.bin.wdstci-" + dead + ".part"), "old");
        Path live = Files.writeString(dir.resolve(".other.bin.wdstci-" + alive + ".part"), "busy");
        Path others = Files.writeString(dir.resolve(".image.bin.wdsget-" + dead + ".part"), "another tool's");
        Path unrelated = Files.writeString(dir.resolve(".notes.part"), "mine");
        Files.createDirectory(dir.resolve(".dir.wdstci-" + dead + ".part"));

        java.util.List<FileSink.Leftover> removed = FileSink.removeLeftovers(dir, "wdstci",
                (l, e) -> { throw new AssertionError("not deleted: " + l, e); });

        assertThat(removed).containsExactly(new FileSink.Leftover(stale, dead));
        assertThat(stale).doesNotExist();
        assertThat(live).as("its process runs").exists();
        assertThat(others).as("another tag").exists();
        assertThat(unrelated).exists();
        assertThat(dir.resolve(".dir.wdstci-" + dead + ".part")).as("not a regular file").isDirectory();
        assertThatThrownBy(() -> FileSink.removeLeftovers(dir.resolve("missing"), "wdstci", (l, e) -> { }))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
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
