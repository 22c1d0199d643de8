package io.github.wdstci.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** NUL-terminated UTF-16LE strings, the API's LPCWSTR. */
public final class Utf16 {

    private Utf16() {
    }

    /** Copies {@code s} into {@code arena} as UTF-16LE with a 2-byte terminator. */
    public static MemorySegment allocate(Arena arena, String s) {
        return arena.allocateFrom(s, StandardCharsets.UTF_16LE);
    }
}
