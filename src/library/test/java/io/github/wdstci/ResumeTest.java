package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming a transfer into a file: a failed session keeps its part file and the record of
 * what is on disk; a later session continues it, asking the transport (its negotiation) for
 * the missing ranges only, and the file ends as the whole object. Run against the stand-in as
 * built, and once more against its builds without NegotiateRequiredDataRange (the Vista-era
 * one and the later import libraries' shape), where a resumed sink starts over.
 */
@ExtendWith(StandinExtension.class)
@org.junit.jupiter.api.Tag("session")
class ResumeTest {

    static final String OBJECT = "server wds.example, namespace synthetic, object test";

    @TempDir
    Path dir;
    WdsClient client;

    /** A client that StandinExtension opened for the test and closes (and checks) after it. */
    @BeforeEach
    void open(WdsClient opened) {
        client = opened;
    }

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A sink that keeps its part file when its session fails, and continues {@code from} (or nothing). */
    FileSink sink(Path target, Resumable from) {
        return FileSink.newBuilder(target).resumable(OBJECT).keepOnFailure(true).resume(from).build();
    }

    /** Receives {@code object} into {@code sink}, which fails; what it kept. */
    Resumable failInto(String object, FileSink sink) {
        assertThat(StandinExtension.causeOf(client.receive(StandinExtension.synthetic(object), sink)))
                .isInstanceOf(WdsTransportException.class);
        Resumable kept = sink.kept();
        assertThat(kept).as("the part file kept").isNotNull();
        assertThat(kept.partFile()).exists();
        assertThat(RangesFile.of(kept.partFile())).exists();
        return kept;
    }

    /** Receives {@code object} into {@code sink}; the offsets of the blocks that arrived. */
    List<Long> receive(String object, FileSink sink) throws Exception {
        List<Long> offsets = Collections.synchronizedList(new ArrayList<>());
        client.receive(StandinExtension.synthetic(object), new ForwardingContentHandler(sink) {
            @Override
            public void onContent(MemorySegment block, long offset) throws Exception {
                offsets.add(offset);
                super.onContent(block, offset);
            }
        }).get(StandinExtension.GUARD_SECONDS, TimeUnit.SECONDS);
        return offsets;
    }

    /** Whether {@code file} is the synthetic object of {@code seed} and {@code size} bytes. */
    static void assertSynthetic(Path file, long seed, long size) throws IOException {
        byte[] data = Files.readAllBytes(file);
        assertThat(data).hasSize((int) size);
        assertThat(SyntheticContent.mismatch(seed, 0, MemorySegment.ofArray(data))).as("first wrong byte").isEqualTo(-1);
    }

    @Test
    void aKeptPartFileIsContinuedWithTheMissingRangesOnly() throws Exception {
        Path target = dir.resolve("image.bin");
        Resumable kept = failInto("4MiB?seed=3&fail=1236@1MiB", sink(target, null));
        assertThat(kept.received()).as("forced to disk and recorded").containsExactly(new Resumable.Range(0, 1 << 20));
        assertThat(kept.object()).isEqualTo(OBJECT);
        assertThat(files()).as("the part file and its ranges file").hasSize(2);

        FileSink resumed = sink(target, kept);
        List<Long> offsets = receive("4MiB?seed=3", resumed);
        assertSynthetic(target, 3, 4 << 20);
        assertThat(files()).containsExactly("image.bin");
        if (client.negotiationSupported()) {
            assertThat(resumed.notResumed()).isNull();
            assertThat(resumed.requested()).containsExactly(new Resumable.Range(1 << 20, 4 << 20));
            assertThat(offsets).as("the first MiB is not sent again").hasSize(48).allMatch(o -> o >= 1 << 20);
        } else {
            assertThat(resumed.notResumed()).contains("WdsTransportClientNegotiateRequiredDataRange");
            assertThat(resumed.requested()).isNull();
            assertThat(offsets).as("the whole object, from the first byte").hasSize(64);
        }
    }

    /** The Vista-era DLL and the later import libraries' shape: a resumed sink starts over, and says why. */
    @Test
    void aLibraryWithoutNegotiationStartsOver() throws Exception {
        assumeFalse(client.negotiationSupported(), "the stand-in builds without NegotiateRequiredDataRange");
        Path target = dir.resolve("image.bin");
        Resumable kept = failInto("2MiB?seed=4&fail=1236@1MiB", sink(target, null));
        FileSink resumed = sink(target, kept);
        assertThat(resumed.negotiates()).isTrue();
        assertThat(receive("2MiB?seed=4", resumed)).hasSize(32);
        assertThat(resumed.notResumed()).isEqualTo("the transport library does not export"
                + " WdsTransportClientNegotiateRequiredDataRange, so only the whole object can be asked for");
        assertSynthetic(target, 4, 2 << 20);
        assertThat(files()).as("the old part file went").containsExactly("image.bin");
    }

    /**
     * Blocks delivered in a shuffled order leave many gaps; more than 16 are joined, the closest
     * first, into the 16 ranges a negotiation takes, and every byte still arrives.
     */
    @Test
    void moreThanSixteenGapsAreJoinedIntoSixteenRanges() throws Exception {
        Path target = dir.resolve("image.bin");
        Resumable kept = failInto("8MiB?order=shuffle&seed=11&block=64KiB&fail=1236@4MiB", sink(target, null));
        assertThat(kept.bytes()).isEqualTo(4 << 20);
        assertThat(kept.missing().size()).as("gaps").isGreaterThan(FileSink.MAX_NEGOTIATED_RANGES);

        FileSink resumed = sink(target, kept);
        List<Long> offsets = receive("8MiB?order=shuffle&seed=11&block=64KiB", resumed);
        assertSynthetic(target, 11, 8 << 20);
        if (client.negotiationSupported()) {
            assertThat(resumed.requested()).hasSize(FileSink.MAX_NEGOTIATED_RANGES)
                    .isEqualTo(kept.toAsk(FileSink.MAX_NEGOTIATED_RANGES));
            assertThat(offsets.size()).as("the missing 64 blocks, and some on disk between joined gaps")
                    .isGreaterThan(64).isLessThan(128);
        }
    }

    /**
     * Blocks overlap ranges on disk (a range need not end on a block boundary): the bytes on disk
     * are not written again. Here they were not the object's, so the file shows it.
     */
    @Test
    void bytesOnDiskAreNeverWrittenAgain() throws Exception {
        assumeTrue(client.negotiationSupported(), "a library with negotiation (else it starts over)");
        Path target = dir.resolve("image.bin");
        Path part = Files.write(dir.resolve(".image.bin.test.part"), new byte[1 << 20]);
        byte[] mark = new byte[100_000];
        java.util.Arrays.fill(mark, (byte) 'M');
        try (var ch = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(mark), 1000);
        }
        Resumable held = new Resumable(part, OBJECT, 1 << 20, List.of(new Resumable.Range(1000, 101_000)));
        FileSink resumed = sink(target, held);
        List<Long> offsets = receive("1MiB?seed=5&block=64KiB", resumed);
        assertThat(offsets).as("blocks 0 and 1 hold bytes on disk, yet come: the transport sends whole blocks")
                .contains(0L, 65536L);
        byte[] data = Files.readAllBytes(target);
        for (int i = 0; i < data.length; i++) {
            byte expected = i >= 1000 && i < 101_000 ? (byte) 'M' : SyntheticContent.byteAt(5, i);
            if (data[i] != expected) {
                throw new AssertionError("byte " + i + " is " + data[i] + ", expected " + expected);
            }
        }
    }

    /** An object of another size cannot be continued: the sink starts over, says why, and the object arrives whole. */
    @Test
    void anotherSizeStartsOver() throws Exception {
        Path target = dir.resolve("image.bin");
        Resumable kept = failInto("2MiB?seed=6&fail=1236@1MiB", sink(target, null));
        FileSink resumed = sink(target, kept);
        assertThat(receive("3MiB?seed=6", resumed)).hasSize(48);
        assertThat(resumed.notResumed()).isIn("its object had 2097152 bytes, this one has 3145728",
                "the transport library does not export WdsTransportClientNegotiateRequiredDataRange, so only the"
                        + " whole object can be asked for");
        assertSynthetic(target, 6, 3 << 20);
        assertThat(files()).containsExactly("image.bin");
    }

    /** The PID of a process that has ended. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(p.pid())).as("ended").isEmpty();
        return p.pid();
    }

    /** Renames a kept part file (and its ranges file) as if {@code pid} had written it: a killed process's. */
    static Path leftBy(long pid, Resumable kept) throws IOException {
        Path part = kept.partFile();
        Path as = part.resolveSibling(part.getFileName().toString().replaceFirst("-\\d+(-\\d+)?\\.part$", "-" + pid + ".part"));
        Files.move(RangesFile.of(part), RangesFile.of(as));
        return Files.move(part, as);
    }

    @Test
    void aPartFileADeadProcessLeftIsCheckedTakenOverAndContinued() throws Exception {
        Path target = dir.resolve("image.bin");
        Path left = leftBy(deadPid(), failInto("2MiB?seed=8&fail=1236@1MiB", sink(target, null)));

        assertThatThrownBy(() -> Resumable.takeOver(target, "wdstci", "another object"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("it holds another object, '" + OBJECT + "'");
        assertThat(left).as("left as it was").exists();
        assertThat(Resumable.takeOver(dir.resolve("other.bin"), "wdstci", OBJECT)).as("no part file of that target").isNull();

        Resumable taken = Resumable.takeOver(target, "wdstci", OBJECT);
        assertThat(taken).isNotNull();
        assertThat(taken.partFile().getFileName().toString()).as("renamed to this process")
                .startsWith(".image.bin.wdstci-" + ProcessHandle.current().pid());
        assertThat(left).doesNotExist();
        assertThat(RangesFile.of(taken.partFile())).exists();
        assertThat(taken.received()).containsExactly(new Resumable.Range(0, 1 << 20));

        receive("2MiB?seed=8", sink(target, taken));
        assertSynthetic(target, 8, 2 << 20);
        assertThat(files()).containsExactly("image.bin");
    }

    /** A record damaged or cut short is trusted for nothing: no take-over, and the leftovers' removal takes both files. */
    @Test
    void aDamagedRecordIsNeverContinued() throws Exception {
        Path target = dir.resolve("image.bin");
        Path left = leftBy(deadPid(), failInto("2MiB?seed=9&fail=1236@1MiB", sink(target, null)));
        Path ranges = RangesFile.of(left);
        byte[] record = Files.readAllBytes(ranges);
        Files.write(ranges, java.util.Arrays.copyOf(record, record.length - 3));      // cut short

        assertThatThrownBy(() -> Resumable.takeOver(target, "wdstci", OBJECT)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("its ranges file is damaged");
        assertThat(left).exists();
        assertThat(FileSink.removeLeftovers(dir, "wdstci", (l, e) -> { })).extracting(FileSink.Leftover::file)
                .containsExactly(left);
        assertThat(files()).isEmpty();

        // what is received then is the whole object, from nothing
        client.receive(StandinExtension.synthetic("2MiB?seed=9"), ContentHandlers.toFile(target))
                .get(StandinExtension.GUARD_SECONDS, TimeUnit.SECONDS);
        assertSynthetic(target, 9, 2 << 20);
    }

    /** A part file without a ranges file (a sink that was not resumable, killed) is not continued either. */
    @Test
    void aPartFileWithoutARecordIsNotContinued() throws Exception {
        Path target = dir.resolve("image.bin");
        Path left = Files.write(dir.resolve(".image.bin.wdstci-" + deadPid() + ".part"), new byte[10]);
        assertThatThrownBy(() -> Resumable.takeOver(target, "wdstci", OBJECT)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("it has no ranges file");
        assertThat(left).exists();
    }

    @Test
    void keepingNeedsAResumableSink() {
        assertThatThrownBy(() -> FileSink.newBuilder(dir.resolve("x")).keepOnFailure(true).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("resumable");
        assertThatThrownBy(() -> FileSink.newBuilder(dir.resolve("x")).syncInterval(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A failed session of a sink not told to keep deletes both files; so does discarding a kept one. */
    @Test
    void whatIsNotKeptGoes() throws Exception {
        Path target = dir.resolve("image.bin");
        FileSink plain = FileSink.newBuilder(target).resumable(OBJECT).build();
        StandinExtension.causeOf(client.receive(StandinExtension.synthetic("2MiB?fail=1236@1MiB"), plain));
        assertThat(plain.kept()).isNull();
        assertThat(files()).isEmpty();

        FileSink keeping = sink(target, null);
        failInto("2MiB?fail=1236@1MiB", keeping);
        keeping.onFailure(new IOException("twice"));           // a second failure changes nothing
        assertThat(keeping.kept()).isNotNull();
        keeping.discard();
        assertThat(keeping.kept()).isNull();
        assertThat(files()).isEmpty();
    }
}
