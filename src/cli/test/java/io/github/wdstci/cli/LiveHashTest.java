package io.github.wdstci.cli;

import static io.github.wdstci.cli.WdsGetTest.sha256;
import static io.github.wdstci.cli.WdsGetTest.syntheticSha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --sha256} computed while the blocks arrive ({@link LiveHash}): the same digest as the
 * content's, whatever the order of the blocks.
 */
class LiveHashTest {

    @TempDir
    Path dir;

    /** wdsget's hash of a file it received is the SHA-256 of the file and of the synthetic content. */
    @ParameterizedTest
    @ValueSource(strings = {"seq", "shuffle", "wrap"})
    void theHashOfAFileIsThatOfItsContentInAnyOrder(String order) throws Exception {
        Path out = dir.resolve("object.bin");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "3MiB?block=16KiB&seed=5&order=" + order,
                "-o", out.toString(), "--sha256", "-q");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String expected = syntheticSha256(3 << 20, 5);
        assertThat(r.out().strip()).isEqualTo(expected);
        assertThat(sha256(Files.readAllBytes(out))).isEqualTo(expected);
    }

    /** A digest to check is checked against the hash computed on the way. */
    @Test
    void aWrongDigestIsStillFound() throws Exception {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?order=shuffle", "-o",
                dir.resolve("x.bin").toString(), "--sha256=" + "0".repeat(64), "-q");
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.err()).contains("SHA-256 is " + syntheticSha256(1 << 20, 0));
    }

    /** Ranges noted in any order, overlapping none, some adjacent: the digest is the file's, by either hash. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rangesInAnyOrderHashTheWholeFile(boolean nativeHash) throws Exception {
        byte[] content = new byte[5 * 1000 * 1000 + 17];
        new Random(7).nextBytes(content);
        Path file = dir.resolve("data");
        List<long[]> ranges = new ArrayList<>();
        for (long off = 0; off < content.length; off += 9973) {
            ranges.add(new long[] {off, Math.min(9973, content.length - off)});
        }
        Collections.shuffle(ranges, new Random(11));
        try (FileChannel w = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            LiveHash hash = new LiveHash(FileChannel.open(file, StandardOpenOption.READ), content.length, nativeHash);
            for (long[] r : ranges) {
                w.write(ByteBuffer.wrap(content, (int) r[0], (int) r[1]), r[0]);
                hash.written(r[0], r[1]);
            }
            assertThat(hash.digest(Sink.Check.NEVER)).isEqualTo(sha256(content));
        }
    }

    /**
     * A continued part file: its ranges on disk are noted first, then blocks on another grid that
     * cover them again in part (the transport sends whole blocks) or wholly, in any order.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void overlappingRangesHashTheWholeFileOnce(boolean nativeHash) throws Exception {
        byte[] content = new byte[3 * 1000 * 1000 + 5];
        new Random(3).nextBytes(content);
        Path file = Files.write(dir.resolve("data"), content);
        LiveHash hash = new LiveHash(FileChannel.open(file, StandardOpenOption.READ), content.length, nativeHash);
        long[][] onDisk = {{10_000, 700_000}, {900_000, 1_000_000}, {2_999_000, 1_005}};
        for (long[] r : onDisk) {
            hash.written(r[0], r[1]);
        }
        List<long[]> blocks = new ArrayList<>();
        for (long off = 0; off < content.length; off += 65536) {
            blocks.add(new long[] {off, Math.min(65536, content.length - off)});
        }
        blocks.add(new long[] {0, 5});                 // a block given twice, in part
        Collections.shuffle(blocks, new Random(5));
        for (long[] r : blocks) {
            hash.written(r[0], r[1]);
        }
        assertThat(hash.digest(Sink.Check.NEVER)).isEqualTo(sha256(content));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anEmptyOutputHasTheEmptyDigest(boolean nativeHash) throws Exception {
        Path file = Files.createFile(dir.resolve("empty"));
        LiveHash hash = new LiveHash(FileChannel.open(file, StandardOpenOption.READ), 0, nativeHash);
        assertThat(hash.digest(Sink.Check.NEVER)).isEqualTo(sha256(new byte[0]));
    }

    /** Bytes that never arrived are said, not waited for. */
    @Test
    void aGapIsAnErrorNotAWait() throws Exception {
        Path file = Files.write(dir.resolve("short"), new byte[100]);
        LiveHash hash = new LiveHash(FileChannel.open(file, StandardOpenOption.READ), 100);
        hash.written(50, 50);
        assertThatThrownBy(() -> hash.digest(Sink.Check.NEVER)).isInstanceOf(IOException.class)
                .hasMessageContaining("0 of 100");
        hash.cancel();
    }
}
