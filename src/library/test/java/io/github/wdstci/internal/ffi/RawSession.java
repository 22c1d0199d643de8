package io.github.wdstci.internal.ffi;

import static io.github.wdstci.internal.ffi.wdstci_h.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.wdstci.internal.Wdstptc;

/**
 * One session driven through the raw stubs, recording every callback.
 *
 * <p>Every upcall body catches Throwable and keeps it in {@link #errors}: an
 * exception escaping an upcall would kill the test JVM. The session's shared
 * arena holds the request, its strings and the upcall stubs; the fixture
 * ({@link StandinFixture}) closes it only after Shutdown has waited for every
 * delivery thread, so no stub is freed while native code can call it.
 */
final class RawSession {

    /** What to do with a delivered block; the default completes it at once. */
    @FunctionalInterface
    interface ContentsAction {
        void accept(RawSession s, MemorySegment data, long offset, MemorySegment offsetPtr) throws Throwable;
    }

    /** What to do in the negotiate callback. */
    @FunctionalInterface
    interface NegotiateAction {
        void accept(RawSession s, long size, int blockSize, MemorySegment negotiateKey) throws Throwable;
    }

    /** What to do at the start of an upcall (both start callbacks, metadata, complete). */
    @FunctionalInterface
    interface Hook {
        void run(RawSession s) throws Throwable;
    }

    final Arena arena = Arena.ofShared();
    final Thread caller = Thread.currentThread();
    MemorySegment handle = MemorySegment.NULL;
    boolean started;
    boolean closed;

    volatile ContentsAction onContents = RawSession::completeNow;
    volatile NegotiateAction onNegotiate;
    volatile Hook onComplete = s -> { };
    volatile Hook onStart = s -> { };

    /** Assemble the received bytes into {@link #image} (sized at SessionStart). */
    volatile boolean assemble;
    volatile byte[] image;

    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final AtomicInteger completions = new AtomicInteger();
    final AtomicInteger callbacksAfterComplete = new AtomicInteger();
    final CountDownLatch completed = new CountDownLatch(1);
    final CountDownLatch firstBlock = new CountDownLatch(1);

    volatile long startSize = -1;
    volatile long exSize = -1;
    volatile int exBlock = -1;
    volatile int exLength = -1;
    volatile byte[] metadata;
    volatile int code = -1;

    /** Offsets and sizes of the delivered blocks, in delivery order (guarded by this). */
    private final List<long[]> blocks = new ArrayList<>();

    /** Calls InitializeSession; the handle is kept when it succeeds. */
    int initialize(MemorySegment request) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        int rc = Wdstptc.initializeSession(request, MemorySegment.ofAddress(0xC0FFEE), out);
        if (rc == Raw.ERROR_SUCCESS) {
            handle = out.get(ValueLayout.ADDRESS, 0);
        }
        return rc;
    }

    /** Registers START, STARTEX, METADATA, CONTENTS, COMPLETE, and NEGOTIATE when an action is set. */
    void registerAll() {
        registerAllExcept();
    }

    /** As {@link #registerAll()}, leaving out the given callback ids. */
    void registerAllExcept(int... skip) {
        java.util.Set<Integer> left = java.util.Arrays.stream(skip).boxed().collect(java.util.stream.Collectors.toSet());
        if (!left.contains(WDS_TRANSPORTCLIENT_SESSION_START())) {
            register(WDS_TRANSPORTCLIENT_SESSION_START(), startStub());
        }
        if (!left.contains(WDS_TRANSPORTCLIENT_SESSION_STARTEX())) {
            register(WDS_TRANSPORTCLIENT_SESSION_STARTEX(), PFN_WdsTransportClientSessionStartEx.allocate(this::onSessionStartEx, arena));
        }
        if (!left.contains(WDS_TRANSPORTCLIENT_RECEIVE_METADATA())) {
            register(WDS_TRANSPORTCLIENT_RECEIVE_METADATA(), PFN_WdsTransportClientReceiveMetadata.allocate(this::onReceiveMetadata, arena));
        }
        if (!left.contains(WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS())) {
            register(WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(), contentsStub());
        }
        if (!left.contains(WDS_TRANSPORTCLIENT_SESSION_COMPLETE())) {
            register(WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), completeStub());
        }
        if (onNegotiate != null && !left.contains(WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE())) {
            register(WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE(), PFN_WdsTransportClientSessionNegotiate.allocate(this::onSessionNegotiate, arena));
        }
    }

    /** A stub for this session's SessionStart upcall. */
    MemorySegment startStub() {
        return PFN_WdsTransportClientSessionStart.allocate(this::onSessionStart, arena);
    }

    /** A stub for this session's ReceiveContents upcall. */
    MemorySegment contentsStub() {
        return PFN_WdsTransportClientReceiveContents.allocate(this::onReceiveContents, arena);
    }

    /** A stub for this session's SessionComplete upcall. */
    MemorySegment completeStub() {
        return PFN_WdsTransportClientSessionComplete.allocate(this::onSessionComplete, arena);
    }

    void register(int id, MemorySegment stub) {
        assertThat(Wdstptc.registerCallback(handle, id, stub)).as("RegisterCallback(%d)", id).isZero();
    }

    int start() {
        int rc = Wdstptc.startSession(handle);
        started |= rc == Raw.ERROR_SUCCESS;
        return rc;
    }

    /** Waits (bounded, so that a broken stand-in fails the test instead of hanging it) for SessionComplete. */
    int awaitComplete() throws InterruptedException {
        assertThat(completed.await(60, TimeUnit.SECONDS)).as("SessionComplete within 60 s").isTrue();
        return code;
    }

    int close() {
        int rc = Wdstptc.closeSession(handle);
        closed |= rc == Raw.ERROR_SUCCESS;
        return rc;
    }

    /** {status, errorCode} from QueryStatus. */
    int[] status() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment err = a.allocate(ValueLayout.JAVA_INT);
            assertThat(Wdstptc.queryStatus(handle, st, err)).as("QueryStatus").isZero();
            return new int[] {Raw.ulong(st), Raw.ulong(err)};
        }
    }

    synchronized List<long[]> blocks() {
        return List.copyOf(blocks);
    }

    /** Which block indexes arrived, for a session with this block size; fails on a duplicate. */
    BitSet blockSet(long blockSize) {
        BitSet seen = new BitSet();
        for (long[] b : blocks()) {
            int index = Math.toIntExact(b[0] / blockSize);
            assertThat(b[0] % blockSize).as("block offset %d is aligned to the block size", b[0]).isZero();
            assertThat(seen.get(index)).as("block %d delivered once", index).isFalse();
            seen.set(index);
        }
        return seen;
    }

    /** The default contents action: complete the block before returning. */
    static void completeNow(RawSession s, MemorySegment data, long offset, MemorySegment offsetPtr) {
        int rc = Wdstptc.completeReceive(s.handle, (int) data.byteSize(), offsetPtr);
        if (rc != Raw.ERROR_SUCCESS) {
            throw new AssertionError("CompleteReceive(" + offset + ") returned " + rc);
        }
    }

    // ---- upcalls: every body catches Throwable -------------------------------------------

    private void enter(String event) {
        threads.add(Thread.currentThread());
        if (completions.get() > 0) {
            callbacksAfterComplete.incrementAndGet();
        }
        events.add(event);
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PULARGE_INTEGER ullFileSize)
    private void onSessionStart(MemorySegment h, MemorySegment callerData, MemorySegment fileSize) {
        try {
            enter("start");
            checkCallerData(callerData);
            startSize = fileSize.reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
            if (assemble) {
                image = new byte[Math.toIntExact(startSize)];
            }
            onStart.run(this);
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PTRANSPORTCLIENT_SESSION_INFO Info)
    private void onSessionStartEx(MemorySegment h, MemorySegment callerData, MemorySegment info) {
        try {
            enter("startex");
            checkCallerData(callerData);
            MemorySegment i = info.reinterpret(_TRANSPORTCLIENT_SESSION_INFO.sizeof());
            exLength = _TRANSPORTCLIENT_SESSION_INFO.ulStructureLength(i);
            exSize = _TRANSPORTCLIENT_SESSION_INFO.ullFileSize(i).get(ValueLayout.JAVA_LONG, 0);
            exBlock = _TRANSPORTCLIENT_SESSION_INFO.ulBlockSize(i);
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PVOID pMetadata, ULONG ulSize)
    private void onReceiveMetadata(MemorySegment h, MemorySegment callerData, MemorySegment data, int size) {
        try {
            enter("metadata");
            checkCallerData(callerData);
            metadata = data.reinterpret(Integer.toUnsignedLong(size)).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PVOID pContents, ULONG ulSize, PULARGE_INTEGER pullContentOffset)
    private void onReceiveContents(MemorySegment h, MemorySegment callerData, MemorySegment contents, int size,
                                   MemorySegment offsetPtr) {
        try {
            enter("contents");
            checkCallerData(callerData);
            MemorySegment off = offsetPtr.reinterpret(8);
            long offset = off.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment data = contents.reinterpret(Integer.toUnsignedLong(size));
            synchronized (this) {
                blocks.add(new long[] {offset, data.byteSize()});
            }
            byte[] img = image;
            if (img != null) {
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, img, Math.toIntExact(offset), size);
            }
            firstBlock.countDown();
            onContents.accept(this, data, offset, off);
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, PTRANSPORTCLIENT_SESSION_INFO pInfo, HANDLE hNegotiateKey)
    private void onSessionNegotiate(MemorySegment h, MemorySegment callerData, MemorySegment info, MemorySegment key) {
        try {
            enter("negotiate");
            checkCallerData(callerData);
            MemorySegment i = info.reinterpret(_TRANSPORTCLIENT_SESSION_INFO.sizeof());
            onNegotiate.accept(this, _TRANSPORTCLIENT_SESSION_INFO.ullFileSize(i).get(ValueLayout.JAVA_LONG, 0),
                    _TRANSPORTCLIENT_SESSION_INFO.ulBlockSize(i), key);
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    // void (*)(HANDLE hSessionKey, PVOID pCallerData, DWORD dwError)
    private void onSessionComplete(MemorySegment h, MemorySegment callerData, int error) {
        try {
            enter("complete");
            checkCallerData(callerData);
            code = error;
            completions.incrementAndGet();
            onComplete.run(this);
        } catch (Throwable t) {
            errors.add(t);
        } finally {
            completed.countDown();
        }
    }

    private static void checkCallerData(MemorySegment callerData) {
        if (callerData.address() != 0xC0FFEE) {
            throw new AssertionError("pCallerData is 0x" + Long.toHexString(callerData.address()) + ", not 0xC0FFEE");
        }
    }

    /**
     * The protocol every session must follow, checked once no delivery thread
     * can run any more: nothing escaped an upcall, callbacks ran on threads the
     * library made, and a started session saw SessionComplete exactly once and
     * last, after its start callbacks.
     */
    void verifyProtocol() {
        assertThat(errors).as("failures inside upcalls").isEmpty();
        assertThat(threads).as("callback threads").doesNotContain(caller);
        if (!started) {
            assertThat(events).as("callbacks of a session never started").isEmpty();
            return;
        }
        assertThat(completions.get()).as("SessionComplete count").isEqualTo(1);
        assertThat(callbacksAfterComplete.get()).as("callbacks after SessionComplete").isZero();
        List<String> ev = List.copyOf(events);
        assertThat(ev).last().isEqualTo("complete");
        int start = ev.indexOf("start");
        int startEx = ev.indexOf("startex");
        int firstContents = ev.indexOf("contents");
        assertThat(ev.lastIndexOf("start")).as("SessionStart at most once").isEqualTo(start);
        assertThat(ev.lastIndexOf("startex")).as("SessionStartEx at most once").isEqualTo(startEx);
        if (startEx >= 0) {
            assertThat(start).as("SessionStart before SessionStartEx").isBetween(0, startEx);
        }
        if (firstContents >= 0) {
            assertThat(start).as("SessionStart before contents").isBetween(0, firstContents);
            assertThat(startEx).as("SessionStartEx before contents").isLessThan(firstContents);
        }
        int meta = ev.indexOf("metadata");
        if (meta >= 0) {
            assertThat(meta).as("metadata after the start callbacks").isGreaterThan(Math.max(start, startEx));
            if (firstContents >= 0) {
                assertThat(meta).as("metadata before contents").isLessThan(firstContents);
            }
        }
    }
}
