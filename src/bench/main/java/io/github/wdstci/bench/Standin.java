package io.github.wdstci.bench;

import static io.github.wdstci.internal.ffi.wdstci_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

import io.github.wdstci.TransferRequest;
import io.github.wdstci.internal.ffi._WDS_TRANSPORTCLIENT_REQUEST;

/** What the benchmarks share: object names, request structs, the per-block work. */
final class Standin {

    /**
     * Blocks per operation of the delivery benchmarks: enough that a session's
     * fixed costs (thread start and attach, upcall stub creation) add little
     * per block.
     */
    static final int DELIVERY_BLOCKS = 65536;

    /** Callbacks per operation of the harness (isolated upcall) benchmark. */
    static final int HARNESS_CALLS = 1 << 18;

    /** Blocks per operation on the null transport. */
    static final int NULL_BLOCKS = 1 << 18;

    /** The block size of the harness and null-transport benchmarks (no content is written). */
    static final int ISOLATED_BLOCK = 65536;

    /** The cache size of every realistic benchmark: the Session API's default. */
    static final int CACHE_SIZE = (int) TransferRequest.DEFAULT_CACHE_SIZE;

    static final int ERROR_SUCCESS = 0;
    static final int INFINITE = -1;

    private Standin() {
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

    /** The same request for the Session API. */
    static TransferRequest transferRequest(String object, long cacheSize) {
        return TransferRequest.newBuilder().server("bench").namespace("synthetic").objectName(object)
                .cacheSize(cacheSize).build();
    }

    /** Delivery only: {@code blocks} blocks with no content written and no poisoning, in order. */
    static String deliveryObject(long blocks, int blockSize) {
        return (blocks * blockSize) + "?block=" + blockSize + "&fill=0&poison=0";
    }

    /** Synthetic content, in order. */
    static String contentObject(long size, int blockSize) {
        return size + "?block=" + blockSize;
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

    /**
     * Waits for SessionComplete on a latch of the consumer's own, as the Session
     * API waits on its future; WaitForCompletion then returns at once. (Stand-ins
     * before 2026-11-26 woke WaitForCompletion's waiters at every CompleteReceive,
     * a per-block cost of theirs; every consumer of the suite waits the same way,
     * so runs before and after compare.) Uninterruptible; the flag is kept.
     */
    static void awaitCompletion(CountDownLatch completed) {
        boolean interrupted = false;
        while (true) {
            try {
                completed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static void check(String what, int rc) {
        if (rc != ERROR_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + rc);
        }
    }
}
