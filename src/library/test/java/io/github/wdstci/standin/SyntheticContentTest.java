package io.github.wdstci.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyntheticContentTest {

    /** A range that starts and ends off the 8-byte grid, so head, words and tail all run. */
    @ParameterizedTest(name = "offset {0}, {1} bytes, wrong byte at {2}")
    @CsvSource({
            "3, 61, 0",      // in the unaligned head
            "3, 61, 4",      // last head byte
            "3, 61, 5",      // first byte of the first whole word
            "3, 61, 30",     // inside a word
            "3, 61, 60",     // in the tail
            "0, 64, 63",     // aligned, last byte of the last word
            "5, 2, 1",       // shorter than a word
    })
    void mismatchFindsTheFirstWrongByte(long offset, int length, int wrong) {
        MemorySegment data = MemorySegment.ofArray(new byte[length]);
        SyntheticContent.fill(42, offset, data);
        assertThat(SyntheticContent.mismatch(42, offset, data)).isEqualTo(-1);
        assertThat(SyntheticContent.mismatch(43, offset, data)).as("another seed").isNotEqualTo(-1);

        data.set(ValueLayout.JAVA_BYTE, wrong, (byte) ~data.get(ValueLayout.JAVA_BYTE, wrong));
        if (wrong + 1 < length) {   // a second difference later must not hide the first
            data.set(ValueLayout.JAVA_BYTE, length - 1, (byte) ~data.get(ValueLayout.JAVA_BYTE, length - 1));
        }

        assertThat(SyntheticContent.mismatch(42, offset, data)).isEqualTo(wrong);
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "7", "8", "1000001"})
    void byteAtAgreesWithFill(long offset) {
        MemorySegment data = MemorySegment.ofArray(new byte[37]);
        SyntheticContent.fill(9, offset, data);
        for (int i = 0; i < 37; i++) {
            assertThat(data.get(ValueLayout.JAVA_BYTE, i)).isEqualTo(SyntheticContent.byteAt(9, offset + i));
        }
    }
}
