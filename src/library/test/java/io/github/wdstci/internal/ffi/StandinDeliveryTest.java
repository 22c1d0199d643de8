package io.github.wdstci.internal.ffi;

import static io.github.wdstci.internal.ffi.Raw.KiB;
import static io.github.wdstci.internal.ffi.Raw.MiB;
import static io.github.wdstci.internal.ffi.wdstci_h.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.wdstci.internal.Wdstptc;
import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the stand-in delivers, and how: content, order, block sizes, backpressure, buffers. */
class StandinDeliveryTest extends StandinFixture {

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** SHA-256 of a synthetic object computed by the Java generator, a chunk at a time. */
    static String syntheticSha256(long seed, long size) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[MiB];
        for (long off = 0; off < size; off += chunk.length) {
            int n = (int) Math.min(chunk.length, size - off);
            SyntheticContent.fill(seed, off, MemorySegment.ofArray(chunk).asSlice(0, n));
            md.update(chunk, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @ParameterizedTest(name = "order={0}")
    @ValueSource(strings = {"seq", "wrap", "shuffle"})
    void synthetic64MiBArrivesByteExactInEveryOrder(String order) throws Exception {
        long seed = 0x5EED;
        RawSession s = startSynthetic("64MiB?order=" + order + "&seed=" + seed, 16 * MiB, x -> x.assemble = true);
        assertThat(s.awaitComplete()).as("SessionComplete dwError").isZero();

        assertThat(s.startSize).isEqualTo(64L * MiB);
        assertThat(s.exSize).isEqualTo(64L * MiB);
        assertThat(s.exBlock).isEqualTo(64 * KiB);
        int nblocks = 64 * MiB / (64 * KiB);
        assertThat(s.blockSet(64 * KiB).cardinality()).as("distinct blocks").isEqualTo(nblocks);
        assertThat(s.blocks()).as("deliveries").hasSize(nblocks)
                .allSatisfy(b -> assertThat(b[1]).as("block size").isEqualTo(64 * KiB));
        assertThat(sha256(s.image)).as("SHA-256 of the assembled object").isEqualTo(syntheticSha256(seed, 64L * MiB));

        List<Long> offsets = s.blocks().stream().map(b -> b[0]).toList();
        boolean ascending = true;
        for (int i = 1; i < offsets.size(); i++) {
            ascending &= offsets.get(i) > offsets.get(i - 1);
        }
        assertThat(ascending).as("offsets ascending").isEqualTo(order.equals("seq"));
        if (order.equals("seq")) {
            assertThat(offsets.getFirst()).as("first offset").isZero();
        } else if (order.equals("wrap")) {
            assertThat(offsets.getFirst()).as("first offset: the default start, half way").isEqualTo(32L * MiB);
        }
    }

    @Test
    void wrapStartsAtTheChosenBlockAndWrapsAround() throws Exception {
        RawSession s = startSynthetic("1MiB?order=wrap&start=10&block=16KiB", 0, x -> { });
        assertThat(s.awaitComplete()).isZero();
        List<Long> offsets = s.blocks().stream().map(b -> b[0]).toList();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            expected.add((long) ((10 + i) % 64) * 16 * KiB);
        }
        assertThat(offsets).isEqualTo(expected);
    }

    @Test
    void startExReportsSizeAndBlockAndTheLastBlockIsShort() throws Exception {
        RawSession s = startSynthetic("100000B?block=4KiB&seed=7", 0, x -> x.assemble = true);
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.exLength).as("ulStructureLength").isEqualTo((int) _TRANSPORTCLIENT_SESSION_INFO.sizeof());
        assertThat(s.exSize).isEqualTo(100_000);
        assertThat(s.exBlock).isEqualTo(4 * KiB);
        assertThat(s.blocks()).hasSize(25);
        assertThat(s.blocks().getLast()).containsExactly(24L * 4 * KiB, 100_000L - 24 * 4 * KiB);
        assertThat(SyntheticContent.mismatch(7, 0, MemorySegment.ofArray(s.image))).isEqualTo(-1);
    }

    /** With both start callbacks registered both fire, once each, SessionStart first, with the same size. */
    @Test
    void sessionStartAndSessionStartExBothFireStartFirst() throws Exception {
        RawSession s = startSynthetic("256KiB?block=64KiB", 0, x -> { });
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.events).containsExactly("start", "startex", "contents", "contents", "contents", "contents",
                "complete");
        assertThat(s.startSize).isEqualTo(256 * KiB);
        assertThat(s.exSize).isEqualTo(256 * KiB);
    }

    /** STARTEX and METADATA are optional: a session with only the three required callbacks runs. */
    @Test
    void onlyTheRequiredCallbacksSuffice() throws Exception {
        RawSession s = open(x -> Raw.synthetic(x.arena, "256KiB?block=64KiB&meta=m"));
        s.registerAllExcept(WDS_TRANSPORTCLIENT_SESSION_STARTEX(), WDS_TRANSPORTCLIENT_RECEIVE_METADATA());
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.events).containsExactly("start", "contents", "contents", "contents", "contents", "complete");
        assertThat(s.exSize).as("SessionStartEx never called").isEqualTo(-1);
    }

    @Test
    void aCacheSmallerThanTheBlockShrinksTheBlock() throws Exception {
        RawSession s = startSynthetic("1MiB?block=64KiB", 16 * KiB, x -> { });
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.exBlock).isEqualTo(16 * KiB);
        assertThat(s.blocks()).hasSize(64).allSatisfy(b -> assertThat(b[1]).isEqualTo(16 * KiB));
    }

    /**
     * Blocks are completed from another thread, and only once the un-completed
     * bytes have reached the cache size (or the rest of the object is out):
     * delivery must pause exactly there. Counting is conservative: our count
     * drops before CompleteReceive is called, so it never exceeds the stand-in's.
     */
    @Test
    void unCompletedBytesNeverExceedTheCacheSize() throws Exception {
        int cache = 4 * 64 * KiB;
        long size = 8L * MiB;
        BlockingQueue<long[]> held = new LinkedBlockingQueue<>();
        AtomicLong outstanding = new AtomicLong();
        AtomicLong max = new AtomicLong();
        RawSession s = startSynthetic("8MiB?order=shuffle", cache, x -> x.onContents = (ss, data, offset, ptr) -> {
            max.accumulateAndGet(outstanding.addAndGet(data.byteSize()), Math::max);
            held.add(new long[] {offset, data.byteSize()});
        });
        long delivered = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(ValueLayout.JAVA_LONG);
            while (delivered < size) {
                List<long[]> batch = new ArrayList<>();
                long batchBytes = 0;
                while (batchBytes < Math.min(cache, size - delivered)) {
                    long[] b = held.poll(30, TimeUnit.SECONDS);
                    assertThat(b).as("delivery stalled with %d bytes un-completed, below the cache size %d",
                            batchBytes, cache).isNotNull();
                    batch.add(b);
                    batchBytes += b[1];
                }
                assertThat(batchBytes).as("un-completed bytes").isLessThanOrEqualTo(cache);
                for (long[] b : batch) {
                    outstanding.addAndGet(-b[1]);
                    off.set(ValueLayout.JAVA_LONG, 0, b[0]);
                    assertThat(Wdstptc.completeReceive(s.handle, (int) b[1], off)).isZero();
                }
                delivered += batchBytes;
            }
        }
        assertThat(s.awaitComplete()).isZero();
        assertThat(max.get()).as("most un-completed bytes seen").isEqualTo(cache);
        assertThat(s.blockSet(64 * KiB).cardinality()).isEqualTo(128);
    }

    /** With NO_CACHE (0) nothing throttles delivery: every block arrives before any is completed. */
    @Test
    void noCacheMeansNoLimit() throws Exception {
        BlockingQueue<long[]> held = new LinkedBlockingQueue<>();
        RawSession s = startSynthetic("4MiB?block=32KiB", WDS_TRANSPORTCLIENT_NO_CACHE(),
                x -> x.onContents = (ss, data, offset, ptr) -> held.add(new long[] {offset, data.byteSize()}));
        List<long[]> all = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            long[] b = held.poll(30, TimeUnit.SECONDS);
            assertThat(b).as("block %d delivered with %d blocks un-completed", i, i).isNotNull();
            all.add(b);
        }
        assertThat(s.completed.getCount()).as("no success before every block is completed").isEqualTo(1);
        assertThat(s.status()[0]).isEqualTo(WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(ValueLayout.JAVA_LONG);
            for (long[] b : all) {
                off.set(ValueLayout.JAVA_LONG, 0, b[0]);
                assertThat(Wdstptc.completeReceive(s.handle, (int) b[1], off)).isZero();
            }
        }
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_SUCCESS(), 0);
    }

    @Test
    void metadataIsDeliveredAfterStartAndBeforeContents() throws Exception {
        RawSession s = startSynthetic("256KiB?meta=disk-image-v1", 0, x -> { });
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.metadata).asString(StandardCharsets.UTF_8).isEqualTo("disk-image-v1");
        assertThat(s.events).startsWith("start", "startex", "metadata", "contents");

        RawSession none = startSynthetic("256KiB", 0, x -> { });
        assertThat(none.awaitComplete()).isZero();
        assertThat(none.events).doesNotContain("metadata");
    }

    /** A buffer kept with AddRefBuffer stays intact after its callback; the last release poisons it. */
    @Test
    void addRefKeepsABufferAndTheLastReleasePoisonsIt() throws Exception {
        List<MemorySegment> kept = new ArrayList<>();
        RawSession s = startSynthetic("256KiB?block=64KiB&seed=3", 0, x -> x.onContents = (ss, data, offset, ptr) -> {
            if (offset == 0) {
                assertThat(Wdstptc.addRefBuffer(data)).as("AddRefBuffer").isZero();
                assertThat(Wdstptc.addRefBuffer(data)).as("second AddRefBuffer").isZero();
                kept.add(data);
            }
            RawSession.completeNow(ss, data, offset, ptr);
        });
        assertThat(s.awaitComplete()).isZero();
        MemorySegment block0 = kept.getFirst();
        // The session is done, but the buffer is still referenced: the bytes of block 0.
        assertThat(SyntheticContent.mismatch(3, 0, block0)).isEqualTo(-1);
        assertThat(Wdstptc.releaseBuffer(block0)).isZero();
        assertThat(SyntheticContent.mismatch(3, 0, block0)).as("one reference left").isEqualTo(-1);
        assertThat(Wdstptc.releaseBuffer(block0)).isZero();
        // Still the session's memory (it returns to the session's pool until CloseSession), now poisoned.
        assertThat(block0.toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 0xDB);
        assertThat(Wdstptc.releaseBuffer(block0)).as("release of a released buffer")
                .isEqualTo(Raw.ERROR_INVALID_PARAMETER);
    }

    /**
     * A referenced buffer outlives its session: after CloseSession and the last
     * Shutdown the session is gone but the block is intact, and releasing it
     * frees the last of the stand-in's memory.
     */
    @Test
    void aReferencedBufferOutlivesCloseAndShutdown() throws Exception {
        List<MemorySegment> kept = new ArrayList<>();
        RawSession s = startSynthetic("128KiB?block=64KiB&seed=9", 0, x -> x.onContents = (ss, data, offset, ptr) -> {
            if (offset == 0) {
                assertThat(Wdstptc.addRefBuffer(data)).as("AddRefBuffer").isZero();
                kept.add(data);
            }
            RawSession.completeNow(ss, data, offset, ptr);
        });
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.close()).isZero();
        shutdownNow();
        long[] c = Raw.counters();
        assertThat(c[0]).as("sessions after Shutdown").isZero();
        assertThat(c[3]).as("delivery threads after Shutdown").isZero();
        assertThat(c[1]).as("buffers: the referenced one and its pool").isPositive();
        MemorySegment block0 = kept.getFirst();
        assertThat(SyntheticContent.mismatch(9, 0, block0)).as("the held block after Shutdown").isEqualTo(-1);
        assertThat(Wdstptc.releaseBuffer(block0)).as("ReleaseBuffer after Shutdown").isZero();
        assertThat(Raw.counters()).as("sessions, buffers, bytes, threads").containsExactly(0L, 0L, 0L, 0L);
    }

    /** A consumer that keeps the pointer without AddRefBuffer reads poison, not data. */
    @Test
    void aPointerKeptWithoutAddRefReadsPoison() throws Exception {
        List<MemorySegment> kept = new ArrayList<>();
        RawSession s = startSynthetic("64KiB?block=64KiB", 0, x -> x.onContents = (ss, data, offset, ptr) -> {
            kept.add(data);
            RawSession.completeNow(ss, data, offset, ptr);
        });
        assertThat(s.awaitComplete()).isZero();
        // The session is not closed: its buffer pool (and so this memory) is still allocated.
        assertThat(kept.getFirst().toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 0xDB);
    }

    @Test
    void negotiatedRangesLimitDelivery() throws Exception {
        List<Integer> answers = new ArrayList<>();
        RawSession s = startSynthetic("1MiB?block=64KiB", 0, x -> x.onNegotiate = (ss, size, block, key) -> {
            assertThat(size).isEqualTo(MiB);
            assertThat(block).isEqualTo(64 * KiB);
            answers.add(negotiate(ss, key, 0, 100));                       // block 0
            answers.add(negotiate(ss, key, 5 * 64 * KiB - 1, 2));          // blocks 4 and 5
            answers.add(negotiate(ss, key, MiB - 1, 1));                   // block 15
            answers.add(negotiate(ss, key, MiB, 1));                       // outside the object
            answers.add(negotiate(ss, MemorySegment.ofAddress(42), 0, 1)); // a wrong key
            answers.add(negotiate(ss, key, 8 * 64 * KiB, 0));             // an empty range
        });
        assertThat(s.awaitComplete()).isZero();
        assertThat(answers).containsExactly(0, 0, 0, Raw.ERROR_INVALID_PARAMETER, Raw.ERROR_INVALID_PARAMETER,
                Raw.ERROR_INVALID_PARAMETER);
        assertThat(s.blockSet(64 * KiB).stream().boxed().toList()).containsExactly(0, 4, 5, 15);
        assertThat(s.events).containsSubsequence("startex", "negotiate", "contents");
        // Outside the negotiate callback there is nothing to answer.
        assertThat(negotiate(s, MemorySegment.ofAddress(42), 0, 1)).isEqualTo(Raw.ERROR_INVALID_STATE);
    }

    static int negotiate(RawSession s, MemorySegment key, long start, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = _ULARGE_INTEGER.allocate(arena);
            MemorySegment b = _ULARGE_INTEGER.allocate(arena);
            a.set(ValueLayout.JAVA_LONG, 0, start);
            b.set(ValueLayout.JAVA_LONG, 0, size);
            return Wdstptc.negotiateRequiredDataRange(s.handle, key, a, b);
        }
    }

    @Test
    void aFileObjectArrivesByteExactWithItsMetadata(@TempDir Path root) throws Exception {
        byte[] content = new byte[MiB + 123];
        new Random(11).nextBytes(content);
        Files.createDirectories(root.resolve("images"));
        Files.write(root.resolve("images/boot.wim"), content);
        Files.writeString(root.resolve("images/boot.wim.metadata"), "{\"arch\":\"x64\"}");

        RawSession s = open(x -> Raw.request(x.arena, root.toString(), "images", "boot.wim?order=shuffle&block=4KiB", 0));
        s.assemble = true;
        s.registerAll();
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.image).isEqualTo(content);
        assertThat(s.metadata).asString(StandardCharsets.UTF_8).isEqualTo("{\"arch\":\"x64\"}");
        assertThat(s.blockSet(4 * KiB).cardinality()).isEqualTo(257);
    }

    /** poison=0: a pointer kept without AddRefBuffer still reads the content (docs/standin.md, Options). */
    @Test
    void poisonOffLeavesTheContentInAReleasedBuffer() throws Exception {
        List<MemorySegment> kept = new ArrayList<>();
        RawSession s = startSynthetic("64KiB?block=64KiB&poison=0&seed=9", 0, x -> x.onContents = (ss, data, offset, ptr) -> {
            kept.add(data);
            RawSession.completeNow(ss, data, offset, ptr);
        });
        assertThat(s.awaitComplete()).isZero();
        assertThat(SyntheticContent.mismatch(9, 0, kept.getFirst())).isEqualTo(-1);
    }

    /** fill=0: blocks are delivered with their sizes, their bytes not written (for the delivery-path benchmarks). */
    @Test
    void fillOffDeliversEveryBlockWithoutItsContent() throws Exception {
        RawSession s = startSynthetic("1MiB?block=64KiB&fill=0&seed=9", 0, x -> { });
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.blockSet(64 * KiB).cardinality()).isEqualTo(16);
    }

    /**
     * {@code threads=4}: a session's blocks come on four threads at once, each
     * block exactly once and byte-exact, SessionComplete last (the
     * documentation neither promises nor rules out overlapping callbacks).
     */
    @Test
    void threadsDeliverEveryBlockOnceFromSeveralThreadsAtOnce() throws Exception {
        long seed = 77;
        // The first block is held until another block is delivered meanwhile: "at once", whatever
        // the scheduler does on a busy machine (one thread may otherwise take every block before
        // the others run). Bounded: without overlap the test fails, it does not hang.
        AtomicInteger inside = new AtomicInteger();
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicBoolean overlapped = new AtomicBoolean();
        CountDownLatch overlap = new CountDownLatch(1);
        RawSession s = startSynthetic("8MiB?block=16KiB&order=shuffle&threads=4&seed=" + seed, 0, x -> {
            x.assemble = true;
            x.onContents = (r, data, offset, off) -> {
                try {
                    if (inside.incrementAndGet() > 1) {
                        overlapped.set(true);
                        overlap.countDown();
                    }
                    if (first.compareAndSet(true, false)) {
                        overlap.await(60, TimeUnit.SECONDS);
                    }
                    RawSession.completeNow(r, data, offset, off);
                } finally {
                    inside.decrementAndGet();
                }
            };
        });
        assertThat(s.awaitComplete()).isZero();
        assertThat(overlapped).as("a block delivered while another was held").isTrue();
        assertThat(s.blocks()).hasSize(512);
        assertThat(s.blockSet(16 * KiB).cardinality()).as("distinct blocks").isEqualTo(512);
        assertThat(sha256(s.image)).isEqualTo(syntheticSha256(seed, 8L * MiB));
        assertThat(s.threads).as("callback threads").hasSizeGreaterThan(1);
        assertThat(s.events.getLast()).isEqualTo("complete");
    }

    /** threads must lie in 1 .. 16. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1MiB?threads=0", "1MiB?threads=17", "1MiB?threads=x"})
    void aThreadCountOutOfRangeIsRefused(String object) {
        RawSession s = newSession();
        assertThat(s.initialize(Raw.synthetic(s.arena, object))).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
    }

    /** The block size must lie in 1 B .. 64 MiB: anything else is a malformed option (87). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1MiB?block=0", "1MiB?block=65MiB"})
    void aBlockSizeOutOfRangeIsRefused(String object) {
        RawSession s = newSession();
        assertThat(s.initialize(Raw.synthetic(s.arena, object))).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
    }

    /** A namespace that climbs out with a Windows separator is refused as "..": ERROR_INVALID_NAME. */
    @Test
    void aBackslashClimbIsRefusedToo(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("ns"));
        Files.writeString(root.resolve("secret"), "outside");
        RawSession s = open(x -> Raw.request(x.arena, root.resolve("ns").toString(), "..\\", "secret", 0));
        s.registerAll();
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_INVALID_NAME);
    }

    @Test
    void fileObjectsRefuseToLeaveTheContentRoot(@TempDir Path root) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("ns"));
        Files.writeString(root.resolve("secret"), "outside");
        RawSession s = open(x -> Raw.request(x.arena, root.resolve("ns").toString(), "..", "secret", 0));
        s.registerAll();
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_INVALID_NAME);
        assertThat(s.events).containsExactly("complete");
    }

    /**
     * A FIFO, a directory or a device under the content root is not an object, and
     * opening it does not wait for a writer (where no cancel could reach the
     * delivery thread): the session ends at once with ERROR_FILE_NOT_FOUND, a FIFO
     * as metadata is ignored.
     */
    @Test
    void aFifoDirectoryOrDeviceIsNotAnObject(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("ns/dir"));
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("ns/fifo").toString(),
                root.resolve("ns/data.bin.metadata").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
        Files.createSymbolicLink(root.resolve("ns/zero"), Path.of("/dev/zero"));
        for (String object : List.of("fifo", "dir", "zero")) {
            RawSession s = open(x -> Raw.request(x.arena, root.toString(), "ns", object, 0));
            s.registerAll();
            assertThat(s.start()).as(object).isZero();
            assertThat(s.awaitComplete()).as(object).isEqualTo(Raw.ERROR_FILE_NOT_FOUND);
            assertThat(s.events).as(object).containsExactly("complete");
        }
        Files.write(root.resolve("ns/data.bin"), new byte[4096]);
        RawSession s = open(x -> Raw.request(x.arena, root.toString(), "ns", "data.bin", 0));
        s.registerAll();
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).as("a regular object beside a FIFO as its metadata").isZero();
        assertThat(s.metadata).isNull();
    }
}
