package io.github.wdstci.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** NUL-terminated UTF-16LE strings, the API's LPCWSTR. */
public final class Utf16 {

    private static final ValueLayout.OfChar LE_CHAR = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Utf16() {
    }

    /**
     * Copies {@code s} into {@code arena} as UTF-16LE with a 2-byte terminator.
     * A Java string is UTF-16 already: its chars are copied as they are (a
     * charset encoder, the other way, costs a cold start about 10 ms more). So
     * {@code s} must have no lone surrogate, which TransferRequest refuses.
     */
    public static MemorySegment allocate(Arena arena, String s) {
        char[] chars = s.toCharArray();
        MemorySegment w = arena.allocate(2L * chars.length + 2, 2);
        MemorySegment.copy(chars, 0, w, LE_CHAR, 0, chars.length);
        return w;   // allocate() zeroes: the terminator is there
    }
}
