package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.github.wdstci.internal.StandinDiagnostics;
import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The Session API against the stand-in. */
class SessionTest {

    static final int KiB = 1024;
    static final int MiB = 1024 * 1024;

    WdsClient client;

    @BeforeEach
    void open() throws Exception {
        client = WdsClient.open();
    }

    @AfterEach
    void close() {
        client.close();
        assertThat(client.openSessions()).isZero();
        assertThat(StandinDiagnostics.counters()).as("stand-in sessions, buffers, bytes, threads")
                .containsExactly(0L, 0L, 0L, 0L);
    }

    static TransferRequest synthetic(String object) {
        return TransferRequest.newBuilder().server("wds.example").namespace("synthetic").objectName(object).build();
    }

    static Throwable failureOf(CompletableFuture<?> f) {
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Discards blocks, counts down {@code first} at the first one, and keeps what onFailure got. */
    static final class FailureRecorder implements ContentHandler {
        final CountDownLatch first = new CountDownLatch(1);
        final CountDownLatch failed = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        @Override
        public void onContent(MemorySegment block, long offset) {
            first.countDown();
        }

        @Override
        public void onFailure(Throwable cause) {
            failure.set(cause);
            failed.countDown();
        }

        Throwable awaitFailure() throws InterruptedException {
            assertThat(failed.await(30, TimeUnit.SECONDS)).as("onFailure called").isTrue();
            return failure.get();
        }
    }

    static Stream<Arguments> blockSizesAndOrders() {
        return Stream.of(4 * KiB, 64 * KiB, MiB).flatMap(b ->
                Stream.of("seq", "shuffle", "wrap").map(o -> Arguments.of(b, o)));
    }

    @ParameterizedTest(name = "block {0}, order {1}")
    @MethodSource("blockSizesAndOrders")
    void receivesByteExactAcrossBlockSizesAndOrders(int block, String order) throws Exception {
        long seed = block + order.hashCode();
        ContentHandlers.MemorySink sink = ContentHandlers.toMemory(64 * MiB);
        client.receive(synthetic("8MiB?block=" + block + "&order=" + order + "&seed=" + seed), sink)
                .get(60, TimeUnit.SECONDS);
        byte[] data = sink.bytes();
        assertThat(data).hasSize(8 * MiB);
        assertThat(SyntheticContent.mismatch(seed, 0, MemorySegment.ofArray(data))).as("first wrong byte").isEqualTo(-1);
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("1MiB?fail=5", 5, "ERROR_ACCESS_DENIED"),
                Arguments.of("1MiB?fail=1223", 1223, "ERROR_CANCELLED"),
                Arguments.of("1MiB?fail=1460", 1460, "ERROR_TIMEOUT"),
                Arguments.of("1MiB?fail=2", 2, "ERROR_FILE_NOT_FOUND"),
                Arguments.of("4MiB?fail=1236@1MiB", 1236, "ERROR_CONNECTION_ABORTED"),
                Arguments.of("4MiB?fail=10060@2MiB", 10060, "WSAETIMEDOUT"),
                Arguments.of("1MiB?fail=0x1234", 0x1234, "WIN32_ERROR_4660"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void injectedCodesFailTheFutureWithTheirCodeAndName(String object, int code, String name) throws Exception {
        FailureRecorder h = new FailureRecorder();
        Throwable t = failureOf(client.receive(synthetic(object), h));
        assertThat(t).isInstanceOf(WdsTransportException.class);
        WdsTransportException e = (WdsTransportException) t;
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.symbolicName()).isEqualTo(name);
        assertThat(e.error()).isEqualTo(Win32Error.of(code));
        assertThat(e.getMessage()).contains(name).contains(Integer.toString(code));
        assertThat(h.awaitFailure()).as("onFailure got the same exception").isSameAs(e);
    }

    @Test
    void unknownServerAndUnknownObjectFailCleanly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws Exception {
        Throwable host = failureOf(client.receive(TransferRequest.newBuilder().server("wds.invalid")
                .namespace("synthetic").objectName("1MiB").build(), ContentHandlers.discarding()));
        assertThat(((WdsTransportException) host).error()).isEqualTo(Win32Error.WSAHOST_NOT_FOUND);

        java.nio.file.Files.createDirectories(root.resolve("images"));
        Throwable object = failureOf(client.receive(TransferRequest.newBuilder().server(root.toString())
                .namespace("images").objectName("missing.wim").build(), ContentHandlers.discarding()));
        assertThat(((WdsTransportException) object).error()).isEqualTo(Win32Error.ERROR_FILE_NOT_FOUND);
    }

    @Test
    void aRejectedRequestFailsTheFutureOrThrows() {
        TransferRequest bad = synthetic("1MiB?colour=blue");
        assertThatThrownBy(() -> client.newSession(bad, ContentHandlers.discarding()))
                .isInstanceOf(WdsTransportException.class)
                .hasMessageContaining("WdsTransportClientInitializeSession")
                .hasMessageContaining("ERROR_INVALID_PARAMETER");
        assertThat(failureOf(client.receive(bad, ContentHandlers.discarding())))
                .isInstanceOf(WdsTransportException.class);
    }

    @Test
    void cancelBeforeStartNeverStartsTheNativeSession() throws Exception {
        AtomicInteger blocks = new AtomicInteger();
        try (Session s = client.newSession(synthetic("1MiB"), (b, o) -> blocks.incrementAndGet())) {
            s.cancel();
            CompletableFuture<Void> f = s.start();
            assertThat(f).isCancelled();
            assertThat(s.status().state()).isEqualTo(SessionStatus.State.FAILED);
        }
        assertThat(blocks).hasValue(0);
    }

    @Test
    void cancelDuringTransferEndsTheNativeSession() throws Exception {
        FailureRecorder h = new FailureRecorder();
        Session s = client.newSession(synthetic("64MiB?delay=1ms"), h);
        CompletableFuture<Void> f = s.start();
        assertThat(h.first.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(f.cancel(true)).as("second cancel: still cancelled").isTrue();
        assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
        s.close();                                // waits for the native completion
        assertThat(h.failure.get()).isInstanceOf(WdsTransportException.class);
        assertThat(((WdsTransportException) h.failure.get()).error()).isEqualTo(Win32Error.ERROR_CANCELLED);
    }

    @Test
    void cancelAfterCompletionChangesNothing() throws Exception {
        Session s = client.newSession(synthetic("256KiB"), ContentHandlers.discarding());
        CompletableFuture<Void> f = s.start();
        f.get(30, TimeUnit.SECONDS);
        assertThat(f.cancel(true)).isFalse();
        s.cancel();
        s.cancel();
        assertThat(f).isCompletedWithValue(null);
        assertThat(s.status().state()).isEqualTo(SessionStatus.State.SUCCEEDED);
        s.close();
    }

    @Test
    void sessionCancelGivesErrorCancelledToTheHandler() throws Exception {
        FailureRecorder h = new FailureRecorder();
        try (Session s = client.newSession(synthetic("64MiB?delay=1ms"), h)) {
            CompletableFuture<Void> f = s.start();
            assertThat(h.first.await(30, TimeUnit.SECONDS)).isTrue();
            s.cancel();
            s.cancel();
            assertThat(f).isCancelled();
            assertThat(((WdsTransportException) h.awaitFailure()).code()).isEqualTo(1223);
        }
    }

    @Test
    void closeWhileRunningCancelsWaitsAndFrees() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        Session s = client.newSession(synthetic("64MiB?delay=1ms"), (b, o) -> first.countDown());
        CompletableFuture<Void> f = s.start();
        assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
        s.close();
        assertThat(s.isClosed()).isTrue();
        assertThat(((WdsTransportException) failureOf(f)).error()).isEqualTo(Win32Error.ERROR_CANCELLED);
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::status).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::cancel).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::completion).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::request).isInstanceOf(IllegalStateException.class);
        s.close();   // idempotent
    }

    @Test
    void orTimeoutCancelsTheNativeSessionWithErrorTimeout() throws Exception {
        FailureRecorder h = new FailureRecorder();
        Session s = client.newSession(synthetic("64MiB?delay=1ms"), h);
        CompletableFuture<Void> f = s.start().orTimeout(50, TimeUnit.MILLISECONDS);
        assertThat(failureOf(f)).isInstanceOf(TimeoutException.class);
        assertThat(((WdsTransportException) h.awaitFailure()).error()).isEqualTo(Win32Error.ERROR_TIMEOUT);
        s.close();
    }

    @Test
    void startTwiceIsRefused() throws Exception {
        try (Session s = client.newSession(synthetic("64KiB"), ContentHandlers.discarding())) {
            s.start().get(30, TimeUnit.SECONDS);
            assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        }
    }

    @Test
    void hundredConcurrentSessionsOnOneClient() throws Exception {
        List<ContentHandlers.MemorySink> sinks = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ContentHandlers.MemorySink sink = ContentHandlers.toMemory(MiB);
            sinks.add(sink);
            futures.add(client.receive(synthetic("512KiB?block=16KiB&order=shuffle&seed=" + i), sink));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
            assertThat(SyntheticContent.mismatch(i, 0, MemorySegment.ofArray(sinks.get(i).bytes())))
                    .as("session %d", i).isEqualTo(-1);
        }
    }

    @Test
    void futuresCompleteOffTheCallbackThread() throws Exception {
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        AtomicReference<Thread> continuation = new AtomicReference<>();
        client.receive(synthetic("1MiB"), (b, o) -> callbackThreads.add(Thread.currentThread()))
                .thenRun(() -> continuation.set(Thread.currentThread()))
                .get(30, TimeUnit.SECONDS);
        assertThat(callbackThreads).hasSize(1).doesNotContain(continuation.get(), Thread.currentThread());
        assertThat(continuation.get().isVirtual()).as("default executor: virtual threads").isTrue();

        ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
        try (WdsClient other = WdsClient.open(mine)) {
            AtomicReference<String> name = new AtomicReference<>();
            other.receive(synthetic("64KiB"), ContentHandlers.discarding())
                    .thenRunAsync(() -> name.set(Thread.currentThread().getName()))
                    .get(30, TimeUnit.SECONDS);
            assertThat(name.get()).isEqualTo("mine");
        } finally {
            mine.shutdown();
        }
    }

    /** Where a test handler throws. */
    enum Point { START, METADATA, NEGOTIATE, CONTENT, SUCCESS }

    static final class Boom extends RuntimeException {
        Boom(Point p) {
            super("thrown at " + p);
        }
    }

    @ParameterizedTest
    @EnumSource(Point.class)
    void aThrowingHandlerFailsTheFutureWithItsExceptionAndTheNextSessionWorks(Point point) throws Exception {
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ContentHandler h = new ContentHandler() {
            int blocks;

            @Override
            public void onStart(StartInfo info) {
                if (point == Point.START) throw new Boom(point);
            }

            @Override
            public void onMetadata(MemorySegment metadata) {
                if (point == Point.METADATA) throw new Boom(point);
            }

            @Override
            public void onNegotiate(StartInfo info, Negotiation negotiation) {
                if (point == Point.NEGOTIATE) throw new Boom(point);
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
                if (point == Point.CONTENT && ++blocks == 3) throw new Boom(point);
            }

            @Override
            public void onSuccess() {
                if (point == Point.SUCCESS) throw new Boom(point);
            }

            @Override
            public void onFailure(Throwable cause) {
                failures.incrementAndGet();
                failure.set(cause);
            }
        };
        Throwable t = failureOf(client.receive(synthetic("4MiB?meta=m"), h));
        assertThat(t).isInstanceOf(Boom.class).hasMessage("thrown at " + point);
        assertThat(failures).as("onFailure calls").hasValue(1);
        assertThat(failure.get()).isSameAs(t);
        // An Error thrown by a handler is contained as well.
        Throwable error = failureOf(client.receive(synthetic("1MiB"), (b, o) -> {
            throw new StackOverflowError("deep");
        }));
        assertThat(error).isInstanceOf(StackOverflowError.class);
        // The JVM lives, and the next session works.
        client.receive(synthetic("1MiB"), ContentHandlers.discarding()).get(30, TimeUnit.SECONDS);
    }

    @Test
    void closingTheSessionFromItsOwnCallbackIsRefused() throws Exception {
        AtomicReference<Session> self = new AtomicReference<>();
        Session s = client.newSession(synthetic("1MiB"), (b, o) -> self.get().close());
        self.set(s);
        Throwable t = failureOf(s.start());
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("deadlock");
        s.close();
    }

    @Test
    void startInfoMetadataAndStatusAreExposed() throws Exception {
        AtomicReference<StartInfo> info = new AtomicReference<>();
        AtomicReference<String> meta = new AtomicReference<>();
        AtomicReference<SessionStatus> during = new AtomicReference<>();
        AtomicReference<Session> self = new AtomicReference<>();
        Session s = client.newSession(synthetic("1MiB?block=128KiB&meta=hello"), new ContentHandler() {
            @Override
            public void onStart(StartInfo i) {
                info.set(i);
            }

            @Override
            public void onMetadata(MemorySegment m) {
                meta.set(new String(m.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
                if (offset == 0) {
                    during.set(self.get().status());
                }
                assertThat(block.isReadOnly()).isTrue();
            }
        });
        self.set(s);
        assertThat(s.status().state()).isEqualTo(SessionStatus.State.CREATED);
        s.start().get(30, TimeUnit.SECONDS);
        assertThat(info.get()).isEqualTo(new StartInfo(MiB, 128 * KiB));
        assertThat(meta.get()).isEqualTo("hello");
        assertThat(during.get().state()).isEqualTo(SessionStatus.State.IN_PROGRESS);
        assertThat(s.status()).isEqualTo(new SessionStatus(SessionStatus.State.SUCCEEDED, 0, MiB, MiB));
        s.close();
    }

    @Test
    void aBlockIsUnusableAfterItsCallback() throws Exception {
        AtomicReference<MemorySegment> kept = new AtomicReference<>();
        client.receive(synthetic("64KiB"), (b, o) -> kept.set(b)).get(30, TimeUnit.SECONDS);
        // Closed after the call (and confined to the callback thread while it lasted).
        assertThatThrownBy(() -> kept.get().get(ValueLayout.JAVA_BYTE, 0))
                .isInstanceOfAny(IllegalStateException.class, WrongThreadException.class);
        assertThat(kept.get().scope().isAlive()).as("the block's scope after the call").isFalse();
    }

    @Test
    void negotiationLimitsWhatArrives() throws Exception {
        assertThat(client.negotiationSupported()).isTrue();
        List<Long> offsets = new ArrayList<>();
        client.receive(synthetic("1MiB?block=64KiB"), new ContentHandler() {
            @Override
            public void onNegotiate(StartInfo info, Negotiation n) throws Exception {
                n.require(0, 1);
                n.require(10 * 64 * KiB, 64 * KiB);
                assertThatThrownBy(() -> n.require(MiB, 1)).isInstanceOf(IllegalArgumentException.class);
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
                offsets.add(offset);
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(offsets).containsExactly(0L, 10L * 64 * KiB);
    }

    /**
     * Async blocks are verified on other threads, then released; the stand-in
     * poisons a buffer when its last reference goes, so a read after release
     * would see 0xDB instead of content. The cache bounds what is held.
     */
    @Test
    void asyncBlocksStayValidUntilReleasedAndTheCacheBoundsThem() throws Exception {
        long seed = 99;
        ExecutorService workers = Executors.newFixedThreadPool(4);
        AtomicLong held = new AtomicLong();
        AtomicLong maxHeld = new AtomicLong();
        AtomicInteger bad = new AtomicInteger();
        List<Block> released = new ArrayList<>();
        long cache = 512 * KiB;
        try {
            TransferRequest r = synthetic("16MiB?block=64KiB&order=shuffle&poison=1&seed=" + seed).toBuilder()
                    .cacheSize(cache).build();
            Session s = client.newAsyncSession(r, block -> {
                maxHeld.accumulateAndGet(held.addAndGet(block.size()), Math::max);
                workers.execute(() -> {
                    try {
                        Thread.sleep(1);
                        if (SyntheticContent.mismatch(seed, block.offset(), block.segment()) != -1) {
                            bad.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        bad.incrementAndGet();
                    } finally {
                        held.addAndGet(-block.size());
                        block.release();
                        synchronized (released) {
                            released.add(block);
                        }
                    }
                });
            });
            s.start().get(60, TimeUnit.SECONDS);
            s.close();
        } finally {
            workers.shutdown();
        }
        assertThat(bad).as("blocks with wrong bytes").hasValue(0);
        assertThat(maxHeld.get()).as("bytes held at once").isLessThanOrEqualTo(cache);
        assertThat(released).hasSize(256);
        assertThatThrownBy(() -> released.getFirst().segment().get(ValueLayout.JAVA_BYTE, 0))
                .as("a released block's segment").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unreleasedAsyncBlocksAreReleasedByClose() throws Exception {
        List<Block> kept = java.util.Collections.synchronizedList(new ArrayList<>());
        Session s = client.newAsyncSession(synthetic("256KiB?block=64KiB").toBuilder().cacheSize(0).build(), kept::add);
        CompletableFuture<Void> f = s.start();
        // Un-released blocks hold the session open: it cannot succeed. Close cancels and releases them.
        while (kept.size() < 4) {
            Thread.sleep(1);
        }
        assertThat(f).isNotDone();
        s.close();
        assertThat(kept).allSatisfy(b -> assertThat(b.isReleased()).isTrue());
        assertThat(failureOf(f)).isInstanceOf(WdsTransportException.class);
    }
}
