package io.github.wdstci.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HexFormat;

/**
 * SHA-256 by the system's OpenSSL ({@code libcrypto}, its EVP interface, the same in
 * OpenSSL 1.1 and 3), through the FFM API: hashing at the machine's pace without the
 * JIT's help. The JDK's own SHA-256 is fast only once C2 has compiled it (its intrinsic
 * is C2's; C1's code hashes about eight times slower), and C2's compilations alone cost
 * a transfer more than the hashing does (docs/benchmarks.md, "wdsget start-up and
 * writes"), so with this the launcher can run C1 alone for {@code --sha256} too.
 *
 * <p>{@link #available()} says whether the library was found; without it, {@link Sha256}
 * uses {@code MessageDigest}. One instance is one digest, used by one thread at a time
 * (any thread).
 */
final class NativeSha256 implements AutoCloseable {

    /** The names the dynamic loader is asked for, newest first. */
    private static final String[] LIBRARIES = {"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.3.dylib"};

    private static final int DIGEST_BYTES = 32;

    /** The bound functions, or null when no libcrypto was found; made on first use. */
    private static final class Crypto {
        static final Crypto INSTANCE = open();

        final MethodHandle ctxNew;      // EVP_MD_CTX *EVP_MD_CTX_new(void)
        final MethodHandle ctxFree;     // void EVP_MD_CTX_free(EVP_MD_CTX *)
        final MemorySegment sha256;     // const EVP_MD *EVP_sha256(void), called once
        final MethodHandle init;        // int EVP_DigestInit_ex(EVP_MD_CTX *, const EVP_MD *, ENGINE *)
        final MethodHandle update;      // int EVP_DigestUpdate(EVP_MD_CTX *, const void *, size_t)
        final MethodHandle fin;         // int EVP_DigestFinal_ex(EVP_MD_CTX *, unsigned char *, unsigned int *)

        private Crypto(SymbolLookup lib) throws Throwable {
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            var p = ValueLayout.ADDRESS;
            ctxNew = linker.downcallHandle(find(lib, "EVP_MD_CTX_new"), FunctionDescriptor.of(p));
            ctxFree = linker.downcallHandle(find(lib, "EVP_MD_CTX_free"), FunctionDescriptor.ofVoid(p));
            MethodHandle md = linker.downcallHandle(find(lib, "EVP_sha256"), FunctionDescriptor.of(p));
            sha256 = (MemorySegment) md.invokeExact();
            init = linker.downcallHandle(find(lib, "EVP_DigestInit_ex"), FunctionDescriptor.of(i, p, p, p));
            update = linker.downcallHandle(find(lib, "EVP_DigestUpdate"),
                    FunctionDescriptor.of(i, p, p, ValueLayout.JAVA_LONG));
            fin = linker.downcallHandle(find(lib, "EVP_DigestFinal_ex"), FunctionDescriptor.of(i, p, p, p));
            if (sha256.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("EVP_sha256 returned NULL");
            }
        }

        private static MemorySegment find(SymbolLookup lib, String name) {
            return lib.find(name).orElseThrow(() -> new IllegalStateException("no " + name));
        }

        private static Crypto open() {
            for (String name : LIBRARIES) {
                try {
                    return new Crypto(SymbolLookup.libraryLookup(name, Arena.global()));
                } catch (Throwable e) {
                    // not this one (absent, or not the OpenSSL we expect): the next, then MessageDigest
                }
            }
            return null;
        }
    }

    private final Crypto crypto;
    private final MemorySegment ctx;
    private boolean done;
    private boolean closed;

    private NativeSha256(Crypto crypto) throws Throwable {
        this.crypto = crypto;
        this.ctx = (MemorySegment) crypto.ctxNew.invokeExact();
        if (ctx.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("EVP_MD_CTX_new returned NULL");
        }
        check((int) crypto.init.invokeExact(ctx, crypto.sha256, MemorySegment.NULL), "EVP_DigestInit_ex");
    }

    /** Whether the system's libcrypto was found and bound (looked for once). */
    static boolean available() {
        return Crypto.INSTANCE != null;
    }

    /**
     * A new digest, or null when {@link #available()} is false or the library
     * refuses to make one.
     */
    static NativeSha256 create() {
        Crypto c = Crypto.INSTANCE;
        if (c == null) {
            return null;
        }
        try {
            return new NativeSha256(c);
        } catch (Throwable e) {
            return null;
        }
    }

    /** Hashes the bytes of {@code data} (any segment native code can read: native or a direct buffer's). */
    void update(MemorySegment data) {
        if (done) {
            throw new IllegalStateException("digest already computed");
        }
        try {
            check((int) crypto.update.invokeExact(ctx, data, data.byteSize()), "EVP_DigestUpdate");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return the SHA-256 of the bytes given, in lower-case hex}; once. */
    String hex() {
        if (done) {
            throw new IllegalStateException("digest already computed");
        }
        done = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(DIGEST_BYTES);
            check((int) crypto.fin.invokeExact(ctx, out, MemorySegment.NULL), "EVP_DigestFinal_ex");
            return HexFormat.of().formatHex(out.toArray(ValueLayout.JAVA_BYTE));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Frees the digest; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            crypto.ctxFree.invokeExact(ctx);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(int rc, String function) {
        if (rc != 1) {
            throw new IllegalStateException(function + " failed (" + rc + ")");
        }
    }
}
