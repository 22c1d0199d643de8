package io.github.wdstci.standin;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The content of the stand-in's synthetic objects (namespace {@code synthetic}),
 * computed in Java so that a receiver can verify what arrived without a copy
 * of the object.
 *
 * <p>The eight bytes at object offset {@code 8k} are the little-endian value
 * {@link #word(long, long) word(seed, k)}: SplitMix64's finaliser applied to
 * {@code seed + (k + 1) * 0x9E3779B97F4A7C15}. The stand-in's C generator
 * ({@code st_fill_synthetic} in src/library/main/c/standin/source.c) computes the
 * same function; the contract tests compare the two byte for byte.
 */
public final class SyntheticContent {

    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SyntheticContent() {
    }

    /**
     * The 64-bit word at object offset {@code 8 * index} of the object with this seed.
     *
     * @param seed  the object's seed (option {@code seed=}, 0 by default)
     * @param index the word's index in the object
     * @return the word, to be stored little-endian
     */
    public static long word(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The byte at {@code offset} of the object with this seed.
     *
     * @param seed   the object's seed
     * @param offset the byte's offset in the object
     * @return the byte
     */
    public static byte byteAt(long seed, long offset) {
        return (byte) (word(seed, offset >>> 3) >>> (8 * (offset & 7)));
    }

    /**
     * Writes the object's bytes {@code [offset, offset + dst.byteSize())} into {@code dst}.
     *
     * @param seed   the object's seed
     * @param offset where in the object the first byte of {@code dst} belongs
     * @param dst    the memory to fill, entirely
     * @throws IllegalArgumentException if {@code offset} is negative
     */
    public static void fill(long seed, long offset, MemorySegment dst) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        long len = dst.byteSize();
        long i = 0;
        for (; i < len && ((offset + i) & 7) != 0; i++) {
            dst.set(ValueLayout.JAVA_BYTE, i, byteAt(seed, offset + i));
        }
        for (; i + 8 <= len; i += 8) {
            dst.set(LE_LONG, i, word(seed, (offset + i) >>> 3));
        }
        for (; i < len; i++) {
            dst.set(ValueLayout.JAVA_BYTE, i, byteAt(seed, offset + i));
        }
    }

    /**
     * Returns the offset of the first byte of {@code data} that differs from the
     * object's bytes at {@code [offset, offset + data.byteSize())}, relative to
     * {@code data}, or -1 when all of them match.
     *
     * @param seed   the object's seed
     * @param offset where in the object the first byte of {@code data} belongs
     * @param data   the bytes received
     * @return the offset in {@code data} of the first wrong byte, or -1
     */
    public static long mismatch(long seed, long offset, MemorySegment data) {
        long len = data.byteSize();
        long i = 0;
        for (; i < len && ((offset + i) & 7) != 0; i++) {
            if (data.get(ValueLayout.JAVA_BYTE, i) != byteAt(seed, offset + i)) {
                return i;
            }
        }
        // A word at a time: verifying a GiB byte by byte would cost seconds.
        for (; i + 8 <= len; i += 8) {
            if (data.get(LE_LONG, i) != word(seed, (offset + i) >>> 3)) {
                break;                     // the byte loop below finds which byte
            }
        }
        for (; i < len; i++) {
            if (data.get(ValueLayout.JAVA_BYTE, i) != byteAt(seed, offset + i)) {
                return i;
            }
        }
        return -1;
    }
}
