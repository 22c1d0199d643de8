package io.github.wdstci.cli;

import static io.github.wdstci.cli.WdsGetTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The system's OpenSSL gives the JDK's SHA-256, whatever the sizes and the way the bytes
 * are split; where it is missing, {@link NativeSha256#create} says so with null (and
 * LiveHashTest checks the JDK's path). Skipped on a machine without libcrypto.
 */
class NativeSha256Test {

    @BeforeEach
    void needsLibcrypto() {
        assumeTrue(NativeSha256.available(), "no libcrypto on this machine");
    }

    /** Around SHA-256's 64-byte block and its 55/56-byte padding edge, and past a megabyte. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 55, 56, 63, 64, 65, 1000, (1 << 20) + 3})
    void theDigestIsTheJdks(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        try (Arena arena = Arena.ofConfined(); NativeSha256 h = NativeSha256.create()) {
            MemorySegment seg = arena.allocate(Math.max(size, 1));
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, 0, size);
            // in uneven pieces, an empty one among them
            long off = 0;
            int piece = 1;
            while (off < size) {
                long n = Math.min(piece, size - off);
                h.update(seg.asSlice(off, n));
                h.update(seg.asSlice(off + n, 0));
                off += n;
                piece = piece * 3 + 1;
            }
            assertThat(h.hex()).isEqualTo(sha256(data));
        }
    }

    /** A direct buffer's bytes, as LiveHash gives them. */
    @Test
    void aDirectBufferIsHashed() throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        byte[] data = new byte[3000];
        new Random(1).nextBytes(data);
        b.put(data).flip();
        try (NativeSha256 h = NativeSha256.create()) {
            h.update(MemorySegment.ofBuffer(b));
            assertThat(h.hex()).isEqualTo(sha256(data));
        }
    }

    @Test
    void aDigestIsTakenOnceAndCloseIsIdempotent() {
        NativeSha256 h = NativeSha256.create();
        h.hex();
        assertThatThrownBy(h::hex).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.update(MemorySegment.NULL)).isInstanceOf(IllegalStateException.class);
        h.close();
        h.close();
    }

    /** Sha256, what wdsget hashes with: a heap buffer larger than its native scratch, and the JDK's digest alike. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aHeapBufferIsHashedEitherWay(boolean nativeHash) throws Exception {
        byte[] data = new byte[200_003];
        new Random(2).nextBytes(data);
        try (Sha256 sha = Sha256.create(nativeHash)) {
            assertThat(sha.isNative()).isEqualTo(nativeHash);
            ByteBuffer b = ByteBuffer.wrap(data, 3, data.length - 3);
            sha.update(b);
            assertThat(b.hasRemaining()).isFalse();
            assertThat(sha.hex()).isEqualTo(sha256(java.util.Arrays.copyOfRange(data, 3, data.length)));
        }
        try (Sha256 sha = Sha256.create(nativeHash)) {
            ByteBuffer d = ByteBuffer.allocateDirect(3).put(data, 0, 3).flip();
            sha.update(d);
            assertThat(d.hasRemaining()).isFalse();
            sha.update(ByteBuffer.wrap(data, 3, data.length - 3));
            assertThat(sha.hex()).isEqualTo(sha256(data));
        }
    }
}
