package io.github.wdstci.bench;

import static io.github.wdstci.internal.ffi.wdstci_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import io.github.wdstci.internal.NativeLibrary;
import io.github.wdstci.internal.ffi._WDS_TRANSPORTCLIENT_REQUEST;

/** What every benchmark shares: the stand-in library, request structs, the per-block work. */
final class Standin {

    /** The stand-in that every consumer (FFM, JNA, C) loads: the one built into target/classes. */
    static final String LIBRARY = NativeLibrary.load().path().toString();

    /**
     * Blocks per operation of the upcall benchmark: enough that a session's fixed
     * costs (thread start and attach, upcall stub creation) add little per block.
     */
    static final int UPCALL_BLOCKS = 65536;

    /** The end-to-end object: 1 GiB. */
    static final long OBJECT_SIZE = 1L << 30;

    static final int ERROR_SUCCESS = 0;
    static final int INFINITE = -1;

    private Standin() {
    }

    /** Loads the stand-in before any stub is used, then calls Initialize (counted; pair with Shutdown). */
    static void initialize() {
        NativeLibrary.load();
        check("Initialize", WdsTransportClientInitialize());
    }

    /** A request for a synthetic object (NO_AUTH, multicast), in {@code arena}. */
    static MemorySegment request(Arena arena, String object, int cacheSize) {
        MemorySegment r = _WDS_TRANSPORTCLIENT_REQUEST.allocate(arena);
        _WDS_TRANSPORTCLIENT_REQUEST.ulLength(r, (int) _WDS_TRANSPORTCLIENT_REQUEST.sizeof());
        _WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion(r, WDS_TRANSPORTCLIENT_CURRENT_API_VERSION());
        _WDS_TRANSPORTCLIENT_REQUEST.ulAuthLevel(r, WDS_TRANSPORTCLIENT_NO_AUTH());
        _WDS_TRANSPORTCLIENT_REQUEST.pwszServer(r, arena.allocateFrom("bench", StandardCharsets.UTF_16LE));
        _WDS_TRANSPORTCLIENT_REQUEST.pwszNamespace(r, arena.allocateFrom("synthetic", StandardCharsets.UTF_16LE));
        _WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(r, arena.allocateFrom(object, StandardCharsets.UTF_16LE));
        _WDS_TRANSPORTCLIENT_REQUEST.ulCacheSize(r, cacheSize);
        _WDS_TRANSPORTCLIENT_REQUEST.ulProtocol(r, WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST());
        _WDS_TRANSPORTCLIENT_REQUEST.pvProtocolData(r, MemorySegment.NULL);
        _WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength(r, 0);
        return r;
    }

    /** Object name for the upcall benchmark: no content written, no poisoning, in order. */
    static String upcallObject(int blockSize) {
        return ((long) UPCALL_BLOCKS * blockSize) + "?block=" + blockSize + "&fill=0&poison=0";
    }

    /** Object name for the end-to-end benchmark: 1 GiB of synthetic content, in order. */
    static String endToEndObject(int blockSize) {
        return OBJECT_SIZE + "?block=" + blockSize;
    }

    /** The per-block work of every consumer: the sum of the block's little-endian 64-bit words. */
    static long sum(MemorySegment block) {
        long s = 0;
        long n = block.byteSize() & ~7L;
        for (long i = 0; i < n; i += 8) {
            s += block.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
        }
        return s;
    }

    static void check(String what, int rc) {
        if (rc != ERROR_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + rc);
        }
    }
}
