package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ranges file beside a resumable part file: what is written is read back, and a file that
 * is damaged or cut short anywhere is refused as a whole, never read as other ranges.
 */
class RangesFileTest {

    @TempDir
    Path dir;

    static Resumable.Range r(long start, long end) {
        return new Resumable.Range(start, end);
    }

    static final RangesFile.Contents SAMPLE = new RangesFile.Contents("boot\nodd \\name.wim",
            "server wds01, namespace WDS:Group/boot.wim/1, object boot.wim\r", 3_145_728_000L,
            List.of(r(0, 1 << 20), r(2 << 20, 3 << 20), r(3_000_000_000L, 3_145_728_000L)));

    @Test
    void whatIsWrittenIsReadBack() throws Exception {
        Path file = dir.resolve(".x.part.ranges");
        RangesFile.write(file, SAMPLE);
        assertThat(RangesFile.read(file)).isEqualTo(SAMPLE);
        assertThat(Files.readString(file)).startsWith("wdstci-ranges 1\n").contains("received 0 1048576\n")
                .containsPattern("\ncrc32c [0-9a-f]{8}\n$");
        assertThat(dir.resolve(".x.part.ranges.new")).as("the replacement was renamed").doesNotExist();

        RangesFile.Contents next = new RangesFile.Contents("t", "o", 10, List.of());
        RangesFile.write(file, next);
        assertThat(RangesFile.read(file)).as("replaced whole").isEqualTo(next);
    }

    /** Every byte changed, and every length cut short, is refused: nothing it says is used. */
    @Test
    void aDamagedOrShortFileIsRefusedWhole() throws Exception {
        Path good = dir.resolve("good.ranges");
        RangesFile.write(good, SAMPLE);
        byte[] bytes = Files.readAllBytes(good);
        Path bad = dir.resolve("bad.ranges");
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            for (int bit : new int[] {0x01, 0x10, 0x80}) {
                byte[] b = bytes.clone();
                b[i] ^= (byte) bit;
                if (readsAs(bad, b) != null) {
                    accepted.add("byte " + i + " ^ " + bit);
                }
            }
        }
        for (int n = 0; n < bytes.length; n++) {
            if (readsAs(bad, Arrays.copyOf(bytes, n)) != null) {
                accepted.add("cut to " + n + " bytes");
            }
        }
        assertThat(accepted).as("damaged files read as if good").isEmpty();
    }

    /** The contents a file of {@code bytes} reads as, or null when it is refused (as damaged). */
    static RangesFile.Contents readsAs(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try {
            return RangesFile.read(file);
        } catch (IOException e) {
            assertThat(e.getMessage()).startsWith("its ranges file is damaged: ");
            return null;
        }
    }

    /** A file that checks out but lists ranges no part file can hold is refused too. */
    @Test
    void rangesOutsideTheObjectOrOutOfOrderAreRefused() throws Exception {
        Path file = dir.resolve("x.ranges");
        for (String ranges : new String[] {"received 0 20\n", "received 10 5\n", "received 5 8\nreceived 2 3\n",
                "received 0 5\nreceived 5 8\n", "received -1 3\n", "received 1\n", "received a b\n"}) {
            String body = "wdstci-ranges 1\ntarget t\nobject o\nsize 10\n" + ranges;
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Files.writeString(file, body + "crc32c " + java.util.HexFormat.of().toHexDigits((int) crc.getValue()) + "\n");
            assertThatThrownBy(() -> RangesFile.read(file)).as(ranges).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("its ranges file is damaged: ");
        }
    }

    /** The longest ranges are kept when there are more than a file lists; the others are received again. */
    @Test
    void atMostSoManyRangesAreListedTheLongest() throws Exception {
        List<Resumable.Range> many = new ArrayList<>();
        for (int i = 0; i < RangesFile.MAX_RANGES + 10; i++) {
            many.add(r(100L * i, 100L * i + 1 + (i % 7 == 0 ? 50 : 0)));
        }
        Path file = dir.resolve("x.ranges");
        RangesFile.write(file, new RangesFile.Contents("t", "o", 100L * many.size(), many));
        List<Resumable.Range> read = RangesFile.read(file).received();
        assertThat(read).hasSize(RangesFile.MAX_RANGES).isSubsetOf(many)
                .contains(many.stream().filter(x -> x.length() > 1).toArray(Resumable.Range[]::new));
    }
}
