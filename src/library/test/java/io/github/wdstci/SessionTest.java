package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.causeOf;
import static io.github.wdstci.StandinExtension.synthetic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Session API against the stand-in: content, failures, cancellation, status, blocks. */
@ExtendWith(StandinExtension.class)
@Tag("session")
class SessionTest {

    static final int KiB = 1024;
    static final int MiB = 1024 * 1024;

    static Stream<Arguments> blockSizesAndOrders() {
        return Stream.of(4 * KiB, 64 * KiB, MiB).flatMap(b ->
                Stream.of("seq", "shuffle", "wrap").map(o -> Arguments.of(b, o)));
    }

    @ParameterizedTest(name = "block {0}, order {1}")
    @MethodSource("blockSizesAndOrders")
    void receivesByteExactAcrossBlockSizesAndOrders(int block, String order, WdsClient client) throws Exception {
        long seed = block + order.hashCode();
        ContentHandlers.MemorySink sink = ContentHandlers.toMemory(64 * MiB);
        client.receive(synthetic("8MiB?block=" + block + "&order=" + order + "&seed=" + seed), sink)
                .get(GUARD_SECONDS, TimeUnit.SECONDS);
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
                Arguments.of("1MiB?fail=0x1234", 0x1234, "WIN32_ERROR_4660"),
                Arguments.of("4MiB?fail=0x80070005@1MiB", 0x80070005, "HRESULT_0x80070005"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void transportCodesFailTheFutureWithTheirCodeAndName(String object, int code, String name, WdsClient client)
            throws Exception {
        Recorder h = new Recorder();
        Throwable t = causeOf(client.receive(synthetic(object), h));
        assertThat(t).isInstanceOf(WdsTransportException.class);
        WdsTransportException e = (WdsTransportException) t;
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.symbolicName()).isEqualTo(name);
        assertThat(e.error()).isEqualTo(Win32Error.of(code));
        assertThat(e.getMessage()).contains(name).contains(Integer.toUnsignedString(code));
        h.awaitEnd();
        assertThat(h.assertFailedOnce()).as("onFailure got the same exception").isSameAs(e);
    }

    /** A server that requires authentication refuses NO_AUTH with ERROR_ACCESS_DENIED; AUTH (the default) is served. */
    @Test
    void aServerRequiringAuthenticationRefusesNoAuth(WdsClient client) throws Exception {
        TransferRequest.Builder b = TransferRequest.newBuilder().server("wds.example").namespace("synthetic")
                .objectName("64KiB?auth=required");
        Throwable refused = causeOf(client.receive(b.authLevel(AuthLevel.NO_AUTH).build(), ContentHandlers.discarding()));
        assertThat(refused).isInstanceOf(WdsTransportException.class);
        assertThat(((WdsTransportException) refused).error()).isEqualTo(Win32Error.ERROR_ACCESS_DENIED);
        client.receive(b.authLevel(AuthLevel.AUTH).build(), ContentHandlers.discarding()).get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void unknownServerAndUnknownObjectFailCleanly(@TempDir Path root, WdsClient client) throws Exception {
        Throwable host = causeOf(client.receive(TransferRequest.newBuilder().server("wds.invalid")
                .namespace("synthetic").objectName("1MiB").build(), ContentHandlers.discarding()));
        assertThat(((WdsTransportException) host).error()).isEqualTo(Win32Error.WSAHOST_NOT_FOUND);

        Files.createDirectories(root.resolve("images"));
        Throwable object = causeOf(client.receive(TransferRequest.newBuilder().server(root.toString())
                .namespace("images").objectName("missing.wim").build(), ContentHandlers.discarding()));
        assertThat(((WdsTransportException) object).error()).isEqualTo(Win32Error.ERROR_FILE_NOT_FOUND);
    }

    @Test
    void aRejectedRequestThrowsOrFailsTheFuture(WdsClient client) {
        TransferRequest bad = synthetic("1MiB?colour=blue");
        assertThatThrownBy(() -> client.newSession(bad, ContentHandlers.discarding()))
                .isInstanceOf(WdsTransportException.class)
                .hasMessageContaining("WdsTransportClientInitializeSession")
                .hasMessageContaining("ERROR_INVALID_PARAMETER");
        assertThat(causeOf(client.receive(bad, ContentHandlers.discarding()))).isInstanceOf(WdsTransportException.class);
        assertThat(client.openSessions()).isZero();
    }

    /** Item: a never-started session's future completes exactly once, and the listener hears it. */
    @Test
    void cancelOrCloseBeforeTheStartEndsTheSessionAndTellsTheListener(WdsClient client) throws Exception {
        Recorder cancelled = new Recorder();
        try (Session s = client.newSession(synthetic("1MiB"), cancelled)) {
            CompletableFuture<Void> before = s.completion();
            s.cancel();
            assertThat(before).isCancelled();
            assertThat(s.start()).as("start after cancel: the same, cancelled future").isSameAs(before);
            cancelled.awaitEnd();
            assertThat(cancelled.assertFailedOnce()).isInstanceOf(CancellationException.class);
            assertThat(s.status().state()).isEqualTo(SessionStatus.State.FAILED);
        }
        assertThat(cancelled.syncBlocks).hasValue(0);

        Recorder closed = new Recorder();
        Session s = client.newSession(synthetic("1MiB"), closed);
        CompletableFuture<Void> f = s.completion();
        s.close();
        assertThat(f).as("closing a never-started session completes its future").isCancelled();
        closed.awaitEnd();
        assertThat(closed.assertFailedOnce()).isInstanceOf(CancellationException.class);
        assertThat(client.openSessions()).isZero();
    }

    /** Item: cancelling the future reaches the native session (its status says cancelled at once). */
    @Test
    void cancellingTheFutureCancelsTheNativeSession(WdsClient client) throws Exception {
        Recorder h = new Recorder();
        Session s = client.newSession(synthetic("64MiB?delay=1ms"), h);
        CompletableFuture<Void> f = s.start();
        h.awaitFirstBlock();
        assertThat(f.cancel(true)).isTrue();
        assertThat(f.cancel(true)).as("second cancel: still cancelled").isTrue();
        h.awaitEnd();
        // Without a native cancel the transfer would still be running (over a second of delays).
        SessionStatus st = s.status();
        assertThat(st.state()).isEqualTo(SessionStatus.State.FAILED);
        assertThat(st.errorCode()).isEqualTo(1223);
        assertThat(h.assertFailedOnce()).isInstanceOf(CancellationException.class);
        s.close();
    }

    @Test
    void orTimeoutCancelsTheNativeSessionWithErrorTimeoutWhereTheLibraryCan(WdsClient client) throws Exception {
        Recorder h = new Recorder();
        Session s = client.newSession(synthetic("64MiB?delay=1ms"), h);
        CompletableFuture<Void> f = s.start().orTimeout(50, TimeUnit.MILLISECONDS);
        assertThat(causeOf(f)).isInstanceOf(TimeoutException.class);
        h.awaitEnd();
        assertThat(h.assertFailedOnce()).isSameAs(causeOf(f));
        // CancelSessionEx(ERROR_TIMEOUT) where exported; a Vista-era DLL only has CancelSession.
        assertThat(s.status().errorCode()).isEqualTo(WdsClient.library().hasCancelSessionEx() ? 1460 : 1223);
        s.close();
    }

    /** Item: receive()'s future is the session's own: a timeout on it leaves nothing running or open. */
    @Test
    void timedOutReceivesLeaveNoSessionBehind(WdsClient client, @TempDir Path dir) throws Exception {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(client.receive(synthetic("64MiB?delay=1ms"), ContentHandlers.discarding())
                    .orTimeout(1, TimeUnit.MILLISECONDS));
        }
        for (CompletableFuture<Void> f : futures) {
            assertThat(causeOf(f)).isInstanceOf(TimeoutException.class);
        }
        Path target = dir.resolve("image.bin");
        CompletableFuture<Void> file = client.receive(synthetic("8MiB?delay=1ms"), ContentHandlers.toFile(target))
                .orTimeout(20, TimeUnit.MILLISECONDS);
        assertThat(causeOf(file)).isInstanceOf(TimeoutException.class);
        // The sessions end natively and close themselves: no session, buffer or thread stays.
        StandinExtension.awaitCountersZero("after 201 timed-out receives");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (client.openSessions() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(client.openSessions()).isZero();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).as("neither the target nor its temporary file").isEmpty();
        }
    }

    @Test
    void cancelAfterCompletionChangesNothing(WdsClient client) throws Exception {
        Session s = client.newSession(synthetic("256KiB"), ContentHandlers.discarding());
        CompletableFuture<Void> f = s.start();
        f.get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(f.cancel(true)).isFalse();
        s.cancel();
        s.cancel();
        assertThat(f).isCompletedWithValue(null);
        assertThat(s.status().state()).isEqualTo(SessionStatus.State.SUCCEEDED);
        s.close();
    }

    @Test
    void aClosedSessionRefusesEverythingButClose(WdsClient client) throws Exception {
        Recorder h = new Recorder();
        Session s = client.newSession(synthetic("64MiB?delay=1ms"), h);
        CompletableFuture<Void> f = s.start();
        h.awaitFirstBlock();
        s.close();
        assertThat(s.isClosed()).isTrue();
        assertThat(f).as("complete when close() returns").isCancelled();
        assertThat(h.assertFailedOnce()).isInstanceOf(CancellationException.class);
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::status).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::cancel).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::completion).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::request).isInstanceOf(IllegalStateException.class);
        s.close();   // idempotent
    }

    @Test
    void startTwiceIsRefused(WdsClient client) throws Exception {
        try (Session s = client.newSession(synthetic("64KiB"), ContentHandlers.discarding())) {
            s.start().get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        }
    }

    @Test
    void hundredConcurrentSessionsOnOneClient(WdsClient client) throws Exception {
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

    /**
     * The listener's end and the future's stages run on the client's executor, never on a
     * transport thread. The stage is attached before the start, so that it cannot run on
     * the test's thread (a stage attached to a complete future would), and the test waits
     * on a latch, not on the future (a thread waiting on the future may run the completion
     * itself, see Session).
     */
    @Test
    void completionRunsOnTheExecutorNeverOnTheCallbackThread(WdsClient client, StandinExtension.Clients clients)
            throws Exception {
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        AtomicReference<Thread> listenerEnd = new AtomicReference<>();
        AtomicReference<Thread> stage = new AtomicReference<>();
        java.util.concurrent.CountDownLatch staged = new java.util.concurrent.CountDownLatch(1);
        Session s = client.newSession(synthetic("1MiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                callbackThreads.add(Thread.currentThread());
            }

            @Override
            public void onSuccess() {
                listenerEnd.set(Thread.currentThread());
            }
        });
        s.completion().thenRun(() -> {
            stage.set(Thread.currentThread());
            staged.countDown();
        });
        s.start();
        assertThat(staged.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(callbackThreads).hasSize(1).doesNotContain(stage.get(), listenerEnd.get());
        assertThat(stage.get().isVirtual()).as("default executor: virtual threads").isTrue();
        assertThat(listenerEnd.get()).isSameAs(stage.get());
        s.close();

        ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
        try {
            WdsClient other = clients.open(mine);
            AtomicReference<String> name = new AtomicReference<>();
            java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
            Session t = other.newSession(synthetic("64KiB"), ContentHandlers.discarding());
            t.completion().thenRun(() -> {
                name.set(Thread.currentThread().getName());
                ran.countDown();
            });
            t.start();
            assertThat(ran.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(name.get()).isEqualTo("mine");
            t.close();
        } finally {
            mine.shutdown();
        }
    }

    /**
     * A handler that cancels or closes its own session from a callback: the future's
     * stages still run on the executor, never on the transport's thread, and the future
     * and the listener agree on the cancel.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cancel in onContent", "close in onContent", "cancel in onBlock", "close in onBlock"})
    void aSessionEndedFromItsOwnCallbackCompletesOffTheTransportThread(String how, WdsClient client) throws Exception {
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        AtomicReference<Thread> stage = new AtomicReference<>();
        AtomicReference<Throwable> heard = new AtomicReference<>();
        java.util.concurrent.CountDownLatch staged = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<Session> self = new AtomicReference<>();
        Runnable end = () -> {
            callbackThreads.add(Thread.currentThread());
            if (how.startsWith("cancel")) {
                self.get().cancel();
            } else {
                self.get().close();
            }
        };
        Session s = how.endsWith("onBlock")
                ? client.newAsyncSession(synthetic("8MiB?delay=1ms"), new AsyncContentHandler() {
                    @Override
                    public void onBlock(Block block) {
                        block.release();
                        end.run();
                    }

                    @Override
                    public void onFailure(Throwable cause) {
                        heard.set(cause);
                    }
                })
                : client.newSession(synthetic("8MiB?delay=1ms"), new ContentHandler() {
                    @Override
                    public void onContent(MemorySegment block, long offset) {
                        end.run();
                    }

                    @Override
                    public void onFailure(Throwable cause) {
                        heard.set(cause);
                    }
                });
        self.set(s);
        CompletableFuture<Void> f = s.start();
        f.whenComplete((v, t) -> {
            stage.set(Thread.currentThread());
            staged.countDown();
        });
        assertThat(staged.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(callbackThreads).isNotEmpty().doesNotContain(stage.get());
        Throwable cause = StandinExtension.heldBy(f);
        assertThat(cause).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(heard.get()).as("what the listener heard").isSameAs(cause);
        s.close();
    }

    /** One session's handler cancelling another: that one's stages do not run on the first one's transport thread. */
    @Test
    void aSessionCancelledFromAnotherSessionsCallbackCompletesOffThatThread(WdsClient client) throws Exception {
        Recorder other = new Recorder();
        Session b = client.newSession(synthetic("64MiB?delay=1ms"), other);
        CompletableFuture<Void> fb = b.start();
        AtomicReference<Thread> stage = new AtomicReference<>();
        java.util.concurrent.CountDownLatch staged = new java.util.concurrent.CountDownLatch(1);
        fb.whenComplete((v, t) -> {
            stage.set(Thread.currentThread());
            staged.countDown();
        });
        other.awaitFirstBlock();
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        client.receive(synthetic("256KiB"), (block, offset) -> {
            if (callbackThreads.add(Thread.currentThread())) {
                b.cancel();
            }
        }).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(staged.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(callbackThreads).isNotEmpty().doesNotContain(stage.get());
        other.awaitEnd();
        assertThat(StandinExtension.heldBy(fb)).isSameAs(other.assertFailedOnce())
                .isInstanceOf(java.util.concurrent.CancellationException.class);
        b.close();
    }

    /** A task the executor rejects runs on a new virtual thread (WdsClient.open(Executor)). */
    @Test
    void aRejectedCompletionRunsOnAVirtualThread(StandinExtension.Clients clients) throws Exception {
        WdsClient rejecting = clients.open(task -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        });
        AtomicReference<Thread> listenerEnd = new AtomicReference<>();
        rejecting.receive(synthetic("256KiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
            }

            @Override
            public void onSuccess() {
                listenerEnd.set(Thread.currentThread());
            }
        }).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(listenerEnd.get()).isNotNull();
        assertThat(listenerEnd.get().isVirtual()).as("%s", listenerEnd.get()).isTrue();
    }

    /**
     * close() from an ordinary thread returns only once a slow cancel has ended the
     * session: the listener has heard the end and the future is complete.
     */
    @Test
    void closeWaitsForATransportSlowToHonourTheCancel(WdsClient client) throws Exception {
        Recorder h = new Recorder();
        Session s = client.newSession(synthetic("64MiB?delay=1ms&linger=300ms"), h);
        CompletableFuture<Void> f = s.start();
        h.awaitFirstBlock();
        s.close();
        assertThat(f).isDone();
        assertThat(h.assertFailedOnce()).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(s.isClosed()).isTrue();
    }

    /** An executor that runs tasks in the calling thread still never runs the completion on a transport thread. */
    @Test
    void anInlineExecutorDoesNotPullTheCompletionOntoTheTransportThread(StandinExtension.Clients clients)
            throws Exception {
        WdsClient inline = clients.open(Runnable::run);
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        AtomicReference<Thread> listenerEnd = new AtomicReference<>();
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        inline.receive(synthetic("1MiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                callbackThreads.add(Thread.currentThread());
            }

            @Override
            public void onSuccess() {
                listenerEnd.set(Thread.currentThread());
                ended.countDown();
            }
        });
        assertThat(ended.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(callbackThreads).hasSize(1).doesNotContain(listenerEnd.get());
    }

    /**
     * An executor whose execute throws something else than RejectedExecutionException has
     * not taken the task either: the session still finishes (on a virtual thread), and a
     * cancel before the start does not pass the executor's exception on.
     */
    @Test
    void anExecutorThatThrowsIsTreatedAsOneThatRejects(StandinExtension.Clients clients) throws Exception {
        for (RuntimeException thrown : new RuntimeException[] {new IllegalStateException("busy"),
                new NullPointerException("broken")}) {
            WdsClient broken = clients.open(task -> {
                throw thrown;
            });
            Recorder h = new Recorder();
            broken.receive(synthetic("1MiB"), h).get(GUARD_SECONDS, TimeUnit.SECONDS);
            h.awaitEnd();
            h.assertSucceededOnce();

            Recorder cancelled = new Recorder();
            Session s = broken.newSession(synthetic("1MiB"), cancelled);
            s.cancel();
            assertThat(causeOf(s.completion())).isInstanceOf(java.util.concurrent.CancellationException.class);
            cancelled.awaitEnd();
            assertThat(cancelled.assertFailedOnce()).isInstanceOf(java.util.concurrent.CancellationException.class);
            s.close();
        }
    }

    @Test
    void errorsAndNegotiationFailuresAreContainedAndTheNextSessionWorks(WdsClient client) throws Exception {
        Throwable error = causeOf(client.receive(synthetic("1MiB"), (b, o) -> {
            throw new StackOverflowError("deep");
        }));
        assertThat(error).isInstanceOf(StackOverflowError.class);
        RuntimeException boom = new IllegalStateException("negotiation");
        CompletableFuture<Void> negotiated = client.receive(synthetic("1MiB"), new ContentHandler() {
            @Override
            public boolean negotiates() {
                return true;
            }

            @Override
            public void onNegotiate(StartInfo info, Negotiation n) {
                throw boom;
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
            }
        });
        if (client.negotiationSupported()) {
            assertThat(causeOf(negotiated)).isSameAs(boom);
        } else {
            negotiated.get(GUARD_SECONDS, TimeUnit.SECONDS);   // never asked: a Vista-era DLL has no negotiation
        }
        // The JVM lives, and the next session works.
        client.receive(synthetic("1MiB"), ContentHandlers.discarding()).get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void startInfoMetadataAndStatusAreExposed(WdsClient client) throws Exception {
        AtomicReference<StartInfo> info = new AtomicReference<>();
        AtomicInteger starts = new AtomicInteger();
        AtomicReference<String> meta = new AtomicReference<>();
        AtomicReference<SessionStatus> during = new AtomicReference<>();
        AtomicReference<Session> self = new AtomicReference<>();
        Session s = client.newSession(synthetic("1MiB?block=128KiB&meta=hello"), new ContentHandler() {
            @Override
            public void onStart(StartInfo i) {
                starts.incrementAndGet();
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
        s.start().get(GUARD_SECONDS, TimeUnit.SECONDS);
        // SessionStart and SessionStartEx both fire: one onStart, with StartEx's block size.
        assertThat(starts).hasValue(1);
        assertThat(info.get()).isEqualTo(new StartInfo(MiB, 128 * KiB));
        assertThat(meta.get()).isEqualTo("hello");
        assertThat(during.get().state()).isEqualTo(SessionStatus.State.IN_PROGRESS);
        assertThat(s.status()).isEqualTo(new SessionStatus(SessionStatus.State.SUCCEEDED, 0, MiB, MiB));
        s.close();
    }

    @Test
    void aBlockIsUnusableAfterItsCallback(WdsClient client) throws Exception {
        AtomicReference<MemorySegment> kept = new AtomicReference<>();
        client.receive(synthetic("64KiB"), (b, o) -> kept.set(b)).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThatThrownBy(() -> kept.get().get(ValueLayout.JAVA_BYTE, 0))
                .isInstanceOfAny(IllegalStateException.class, WrongThreadException.class);
        assertThat(kept.get().scope().isAlive()).as("the block's scope after the call").isFalse();
    }

    @Test
    void negotiationIsExplicitAndLimitsWhatArrives(WdsClient client) throws Exception {
        List<Long> offsets = new ArrayList<>();
        class Negotiating implements ContentHandler {
            @Override
            public boolean negotiates() {
                return true;
            }

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
        }
        client.receive(synthetic("1MiB?block=64KiB"), new Negotiating()).get(GUARD_SECONDS, TimeUnit.SECONDS);
        if (client.negotiationSupported()) {
            assertThat(offsets).containsExactly(0L, 10L * 64 * KiB);
        } else {
            assertThat(offsets).as("no negotiation without the export: the whole object").hasSize(16);
        }

        // A wrapper that does not forward negotiates() does not opt in, whatever it overrides.
        offsets.clear();
        ContentHandler inner = new Negotiating();
        client.receive(synthetic("1MiB?block=64KiB"), new ContentHandler() {
            @Override
            public void onNegotiate(StartInfo info, Negotiation n) throws Exception {
                inner.onNegotiate(info, n);
            }

            @Override
            public void onContent(MemorySegment block, long offset) throws Exception {
                inner.onContent(block, offset);
            }
        }).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(offsets).hasSize(16);
    }

    /**
     * Async blocks are verified on other threads through withSegment, then released; the
     * stand-in poisons a buffer when its last reference goes, so a read after release would
     * see 0xDB instead of content. The cache bounds what is held.
     */
    @Test
    void asyncBlocksStayValidUntilReleasedAndTheCacheBoundsThem(WdsClient client) throws Exception {
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
                        if (block.withSegment(seg -> SyntheticContent.mismatch(seed, block.offset(), seg)) != -1) {
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
            s.start().get(GUARD_SECONDS, TimeUnit.SECONDS);
            s.close();
        } finally {
            workers.shutdown();
        }
        // The last release lets the session succeed: the workers may still be finishing their task.
        assertThat(workers.awaitTermination(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(bad).as("blocks with wrong bytes").hasValue(0);
        assertThat(maxHeld.get()).as("bytes held at once").isLessThanOrEqualTo(cache);
        assertThat(released).hasSize(256);
        Block first = released.getFirst();
        assertThat(first.isReleased()).isTrue();
        assertThatThrownBy(() -> first.withSegment(MemorySegment::byteSize))
                .as("withSegment after release").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(first::segment).as("segment() outside onBlock").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unreleasedAsyncBlocksAreReleasedByClose(WdsClient client) throws Exception {
        List<Block> kept = java.util.Collections.synchronizedList(new ArrayList<>());
        Session s = client.newAsyncSession(synthetic("256KiB?block=64KiB").toBuilder().cacheSize(0).build(), kept::add);
        CompletableFuture<Void> f = s.start();
        // Un-released blocks hold the session open: it cannot succeed. Close cancels and releases them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (kept.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(kept).hasSize(4);
        assertThat(f).isNotDone();
        s.close();
        assertThat(kept).allSatisfy(b -> assertThat(b.isReleased()).isTrue());
        assertThat(causeOf(f)).isInstanceOf(CancellationException.class);
    }
}
