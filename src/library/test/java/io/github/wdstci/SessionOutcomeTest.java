package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.causeOf;
import static io.github.wdstci.StandinExtension.occupy;
import static io.github.wdstci.StandinExtension.synthetic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the future says is what the listener heard, whoever tries to change it
 * while the listener hears it; waiting on the future ends by interrupt, by its
 * timeout, or at once when it could never end. Found from outside the team.
 */
@ExtendWith(StandinExtension.class)
class SessionOutcomeTest {

    /** A handler whose onSuccess or onFailure waits until released, telling when it entered. */
    static final class SlowListener implements ContentHandler {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<Throwable> heardFailure = new AtomicReference<>();
        final AtomicBoolean heardSuccess = new AtomicBoolean();

        @Override
        public void onContent(MemorySegment block, long offset) {
        }

        @Override
        public void onSuccess() throws Exception {
            heardSuccess.set(true);
            entered.countDown();
            release.await(GUARD_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void onFailure(Throwable t) {
            heardFailure.set(t);
            entered.countDown();
            try {
                release.await(GUARD_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cancel", "Session.cancel", "complete", "completeExceptionally", "orTimeout"})
    void aSuccessBeingHeardStaysASuccess(String how, WdsClient client) throws Exception {
        SlowListener l = new SlowListener();
        Session s = client.newSession(synthetic("256KiB"), l);
        CompletableFuture<Void> f = s.start();
        assertThat(l.entered.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        switch (how) {
            case "cancel" -> assertThat(f.cancel(true)).as("cancel during onSuccess").isFalse();
            case "Session.cancel" -> s.cancel();
            case "complete" -> assertThat(f.complete(null)).as("complete during onSuccess").isFalse();
            case "completeExceptionally" ->
                    assertThat(f.completeExceptionally(new IllegalStateException("late"))).isFalse();
            case "orTimeout" -> {
                f.orTimeout(1, TimeUnit.NANOSECONDS);
                Thread.sleep(20);            // lets the timeout fire while onSuccess still runs
            }
            default -> throw new AssertionError(how);
        }
        assertThat(f.isDone()).as("not done before the listener returns").isFalse();
        l.release.countDown();
        f.get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(f).isCompletedWithValue(null);
        assertThat(l.heardSuccess).isTrue();
        assertThat(l.heardFailure.get()).as("onFailure").isNull();
        s.close();
    }

    @Test
    void aFailureBeingHeardIsWhatTheFutureSays(WdsClient client) throws Exception {
        SlowListener l = new SlowListener();
        Session s = client.newSession(synthetic("1MiB?fail=1236@256KiB"), l);
        CompletableFuture<Void> f = s.start();
        assertThat(l.entered.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).as("cancel during onFailure").isFalse();
        l.release.countDown();
        Throwable cause = causeOf(f);
        assertThat(cause).isSameAs(l.heardFailure.get()).isInstanceOf(WdsTransportException.class);
        assertThat(((WdsTransportException) cause).code()).isEqualTo(1236);
        assertThat(f.isCancelled()).isFalse();
        s.close();
    }

    @Test
    void aCancelBeforeTheOutcomeIsDecidedStillWins(WdsClient client) throws Exception {
        CountDownLatch firstBlock = new CountDownLatch(1);
        AtomicReference<Throwable> heard = new AtomicReference<>();
        Session s = client.newSession(synthetic("64MiB?block=64KiB&delay=5ms"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                firstBlock.countDown();
            }

            @Override
            public void onFailure(Throwable t) {
                heard.set(t);
            }
        });
        CompletableFuture<Void> f = s.start();
        assertThat(firstBlock.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(f).isCancelled();
        s.close();
        assertThat(heard.get()).isInstanceOf(CancellationException.class);
        assertThat(causeOf(f)).isInstanceOf(CancellationException.class);
    }

    @Test
    void getEndsWhenTheWaitingThreadIsInterrupted(WdsClient client) throws Exception {
        CountDownLatch firstBlock = new CountDownLatch(1);
        Session s = client.newSession(synthetic("64MiB?block=64KiB&delay=5ms"),
                (ContentHandler) (block, offset) -> firstBlock.countDown());
        CompletableFuture<Void> f = s.start();
        AtomicReference<Throwable> got = new AtomicReference<>();
        AtomicBoolean doneWhenInterrupted = new AtomicBoolean(true);
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                f.get();
                got.set(new AssertionError("get() returned"));
            } catch (Throwable t) {
                doneWhenInterrupted.set(f.isDone());
                got.set(t);
            }
        });
        assertThat(firstBlock.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        assertThat(got.get()).isInstanceOf(InterruptedException.class);
        assertThat(doneWhenInterrupted).as("the session was still running").isFalse();
        s.cancel();
        causeOf(f);
        s.close();
    }

    /**
     * A timed get() does not run the session's completion (here a slow onSuccess) itself
     * when the executor has not yet: it waits, and times out.
     */
    @Test
    void aTimedGetOnlyWaits(StandinExtension.Clients clients) throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch gate = occupy(single);             // the executor is busy: the session's completion waits
        try {
            WdsClient client = clients.open(single);
            SlowListener l = new SlowListener();
            Session s = client.newSession(synthetic("64KiB"), l);
            CompletableFuture<Void> f = s.start();
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (s.status().state() == SessionStatus.State.IN_PROGRESS && System.nanoTime() < guard) {
                Thread.sleep(1);
            }
            assertThat(s.status().state()).as("the transport ended the session").isEqualTo(SessionStatus.State.SUCCEEDED);
            assertThatThrownBy(() -> f.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(l.entered.getCount()).as("onSuccess not run by the timed get").isOne();
            gate.countDown();
            assertThat(l.entered.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("onSuccess, on the executor").isTrue();
            l.release.countDown();
            f.get(GUARD_SECONDS, TimeUnit.SECONDS);
            s.close();
        } finally {
            gate.countDown();
            single.shutdown();
        }
    }

    @Test
    void theListenerWaitingForItsOwnFutureFailsAtOnce(WdsClient client) throws Exception {
        AtomicReference<Session> self = new AtomicReference<>();
        AtomicReference<Throwable> joined = new AtomicReference<>();
        Session s = client.newSession(synthetic("64KiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
            }

            @Override
            public void onSuccess() {
                try {
                    self.get().completion().join();
                } catch (Throwable t) {
                    joined.set(t);
                }
            }
        });
        self.set(s);
        s.start().get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(joined.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("waits for the session's own future");
        s.close();
    }

    /**
     * A's onSuccess waits for B, and a stage of B waits for A. Where that stage runs inside
     * A's onSuccess (a waiting thread runs the stages still pending once it wakes, as for any
     * CompletableFuture), its wait for A could never end: it is refused. Either way both
     * sessions end, and neither hangs.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"virtual threads", "two threads"})
    void aListenerWaitingForAnotherSessionEnds(String kind, StandinExtension.Clients clients) throws Exception {
        ExecutorService ex = switch (kind) {
            case "two threads" -> Executors.newFixedThreadPool(2);
            default -> Executors.newVirtualThreadPerTaskExecutor();
        };
        try {
            WdsClient client = clients.open(ex);
            for (int i = 0; i < 10; i++) {
                CompletableFuture<CompletableFuture<Void>> b = new CompletableFuture<>();
                Session sa = client.newSession(synthetic("4KiB"), new ContentHandler() {
                    @Override
                    public void onContent(MemorySegment block, long offset) {
                    }

                    @Override
                    public void onSuccess() {
                        b.join().join();
                    }
                });
                Session sb = client.newSession(synthetic("4KiB"), (ContentHandler) (block, offset) -> { });
                CompletableFuture<Void> fa = sa.completion();
                CompletableFuture<Void> fb = sb.completion();
                CompletableFuture<Void> stage = fb.thenRun(fa::join);
                b.complete(fb);
                sa.start();
                sb.start();
                fa.get(GUARD_SECONDS, TimeUnit.SECONDS);
                fb.get(GUARD_SECONDS, TimeUnit.SECONDS);
                Throwable staged = stage.handle((v, t) -> t).get(GUARD_SECONDS, TimeUnit.SECONDS);
                if (staged != null) {
                    assertThat(staged).as("the stage's wait, run inside A's onSuccess")
                            .hasCauseInstanceOf(IllegalStateException.class)
                            .hasStackTraceContaining("the session's listener waits for the session's own future");
                }
                sa.close();
                sb.close();
            }
        } finally {
            ex.shutdown();
        }
    }

    /**
     * A client closed while other threads create sessions: each call either gives a
     * session whose future completes, or says the client is closed; a handler hears an
     * outcome only for a session its caller received.
     */
    @Test
    void creatingSessionsWhileTheClientClosesSaysItIsClosed(StandinExtension.Clients clients) throws Exception {
        for (int round = 0; round < 100; round++) {
            WdsClient client = clients.open(Executors.newVirtualThreadPerTaskExecutor());
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
            java.util.List<CompletableFuture<Void>> futures = new java.util.concurrent.CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            java.util.List<Thread> makers = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                makers.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        for (int k = 0; k < 20; k++) {
                            ContentHandler h = new ContentHandler() {
                                @Override
                                public void onContent(MemorySegment block, long offset) {
                                }

                                @Override
                                public void onSuccess() {
                                    heard.incrementAndGet();
                                }

                                @Override
                                public void onFailure(Throwable failure) {
                                    heard.incrementAndGet();
                                }
                            };
                            try {
                                futures.add(client.receive(synthetic("4KiB"), h));
                                received.incrementAndGet();
                            } catch (IllegalStateException e) {
                                if (!"client is closed".equals(e.getMessage())) {
                                    wrong.add(e);
                                }
                            }
                        }
                    } catch (Throwable e) {
                        wrong.add(e);
                    }
                }));
            }
            go.countDown();
            Thread.sleep(round % 3);
            client.close();
            for (Thread m : makers) {
                m.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            }
            for (CompletableFuture<Void> f : futures) {
                f.handle((v, e) -> {
                    if (e != null && !(e instanceof CancellationException)) {
                        wrong.add(e);
                    }
                    return null;
                }).get(GUARD_SECONDS, TimeUnit.SECONDS);
            }
            assertThat(wrong).as("round %d: only 'client is closed', successes and cancellations", round).isEmpty();
            assertThat(heard.get()).as("round %d: outcomes heard, one per session received", round)
                    .isEqualTo(received.get());
        }
    }

    /** A size of 2^63 bytes or more (ULARGE_INTEGER is unsigned) is named, not taken for -1. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"9223372036854775808", "18446744073709551615"})
    void anObjectBeyondWhatALongAddressesFailsSayingSo(String size, WdsClient client) {
        AtomicBoolean started = new AtomicBoolean();
        ContentHandler h = new ContentHandler() {
            @Override
            public void onStart(StartInfo info) {
                started.set(true);
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
            }
        };
        Throwable t = causeOf(client.receive(synthetic(size + "B?block=4KiB"), h));
        assertThat(t).isInstanceOf(WdsTransportException.class).hasMessageContaining(size + " bytes");
        assertThat(((WdsTransportException) t).error()).isEqualTo(Win32Error.ERROR_FILE_TOO_LARGE);
        assertThat(started).as("onStart").isFalse();
        assertThat(causeOf(client.receive(synthetic(size + "B?block=4KiB"), ContentHandlers.toMemory(1 << 20))))
                .isInstanceOf(WdsTransportException.class).hasMessageContaining(size + " bytes");
    }

    @Test
    void toFileRefusesNullOptionsByName() {
        assertThatThrownBy(() -> ContentHandlers.toFile(java.nio.file.Path.of("x"), (java.nio.file.CopyOption[]) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options");
    }

    @Test
    void aSessionCancelledBeforeItStartedSaysCancelled(WdsClient client) throws Exception {
        Session s = client.newSession(synthetic("64KiB"), (ContentHandler) (block, offset) -> { });
        assertThat(s.completion().cancel(true)).isTrue();
        SessionStatus st = s.status();
        assertThat(st.state()).isEqualTo(SessionStatus.State.FAILED);
        assertThat(st.errorCode()).isEqualTo(Win32Error.ERROR_CANCELLED.code());
        s.close();
    }
    /**
     * status() says FAILED for a session that failed, also where the transport did not:
     * completed by its caller before it started (its listener heard a cancel), or a
     * transport success whose onSuccess threw (the future failed with that).
     */
    @Test
    void statusSaysFailedWhereverTheSessionFailed(WdsClient client) throws Exception {
        Recorder completedEarly = new Recorder();
        Session a = client.newSession(synthetic("64KiB"), completedEarly);
        assertThat(a.completion().complete(null)).isTrue();
        completedEarly.awaitEnd();
        assertThat(completedEarly.assertFailedOnce()).isInstanceOf(CancellationException.class);
        assertThat(a.status().state()).isEqualTo(SessionStatus.State.FAILED);
        assertThat(a.status().errorCode()).isEqualTo(Win32Error.ERROR_CANCELLED.code());
        a.close();

        Recorder refusing = new Recorder();
        Recorder.Injected thrown = refusing.throwAt(Recorder.Point.SUCCESS);
        Session b = client.newSession(synthetic("64KiB"), refusing);
        assertThat(causeOf(b.start())).isSameAs(thrown);
        SessionStatus st = b.status();
        assertThat(st.state()).as("%s", st).isEqualTo(SessionStatus.State.FAILED);
        assertThat(st.errorCode()).isEqualTo(Win32Error.ERROR_CANCELLED.code());
        assertThat(st.bytesReceived()).isEqualTo(64 << 10);
        b.close();
    }
}
