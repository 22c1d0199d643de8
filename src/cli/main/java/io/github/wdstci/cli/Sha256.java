package io.github.wdstci.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One SHA-256 digest: the system's OpenSSL's where it is found ({@link NativeSha256}),
 * the JDK's otherwise. The launcher runs C1 alone when the loader lists libcrypto, which
 * leaves the JDK's digest without its C2 intrinsic: so every SHA-256 of wdsget goes
 * through here. Used by one thread at a time (any thread); close it when done.
 */
final class Sha256 implements AutoCloseable {

    private static final int SCRATCH = 64 * 1024;   // a heap buffer is hashed through native memory this big

    private final NativeSha256 nat;
    private final MessageDigest md;
    private Arena scratchArena;
    private MemorySegment scratch;

    private Sha256(NativeSha256 nat) {
        this.nat = nat;
        this.md = nat == null ? jdk() : null;
    }

    /** A new digest, the system's OpenSSL's when found. */
    static Sha256 create() {
        return create(true);
    }

    /** A new digest; {@code nativeHash} false: the JDK's even where OpenSSL is found. */
    static Sha256 create(boolean nativeHash) {
        return new Sha256(nativeHash ? NativeSha256.create() : null);
    }

    /** Whether this digest is OpenSSL's. */
    boolean isNative() {
        return nat != null;
    }

    /** Hashes the remaining bytes of {@code bytes}, whose position ends at its limit. */
    void update(ByteBuffer bytes) {
        if (nat == null) {
            md.update(bytes);
            return;
        }
        if (bytes.isDirect()) {
            nat.update(MemorySegment.ofBuffer(bytes));
            bytes.position(bytes.limit());
            return;
        }
        if (scratch == null) {
            scratchArena = Arena.ofShared();
            scratch = scratchArena.allocate(SCRATCH);
        }
        while (bytes.hasRemaining()) {
            int n = Math.min(SCRATCH, bytes.remaining());
            MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, scratch, 0, n);
            nat.update(scratch.asSlice(0, n));
            bytes.position(bytes.position() + n);
        }
    }

    /** {@return the digest of the bytes given, in lower-case hex}; once. */
    String hex() {
        return nat != null ? nat.hex() : HexFormat.of().formatHex(md.digest());
    }

    /** Frees the native digest and memory, if any; idempotent. */
    @Override
    public void close() {
        if (nat != null) {
            nat.close();
        }
        if (scratchArena != null) {
            scratchArena.close();
            scratchArena = null;
            scratch = null;
        }
    }

    private static MessageDigest jdk() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
