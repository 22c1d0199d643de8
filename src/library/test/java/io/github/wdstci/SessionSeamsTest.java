package io.github.wdstci;

import static io.github.wdstci.SessionCloseTest.endsInTime;
import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.awaitParked;
import static io.github.wdstci.StandinExtension.causeOf;
import static io.github.wdstci.StandinExtension.occupy;
import static io.github.wdstci.StandinExtension.synthetic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.github.wdstci.standin.SyntheticContent;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where the mechanisms of a session meet: a stage, a second thread or a second session
 * acting while the first is in the middle of ending. Each case was found from outside
 * the team against the v2 session core; each waits with a bound, so a deadlock fails
 * the test instead of hanging the build.
 */
@ExtendWith(StandinExtension.class)
@Tag("session")
class SessionSeamsTest {

    /** A session that only a cancel ends within the guard: 1 TiB, 1 ms per 64 KiB block (about 5 hours). */
    static final String ENDLESS = "1TiB?delay=1ms";

    /** The future can only end the session or hold its outcome: obtrude* would make three answers of one. */
    @Test
    void obtrudingAnOutcomeIsRefused(WdsClient client) throws Exception {
        Recorder r = new Recorder();
        Session s = client.newSession(synthetic("1MiB"), r);
        CompletableFuture<Void> f = s.start();
        assertThatThrownBy(() -> f.obtrudeException(new IllegalStateException("mine")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> f.obtrudeValue(null)).isInstanceOf(UnsupportedOperationException.class);
        f.get(GUARD_SECONDS, TimeUnit.SECONDS);
        r.awaitEnd();
        r.assertSucceededOnce();
        assertThat(s.status().state()).isEqualTo(SessionStatus.State.SUCCEEDED);
        s.close();
    }

    /**
     * A stage of receive()'s future closes the client; another thread's close cancels that
     * future, so the stage runs inside the close it then calls again. Both return.
     */
    @Test
    void aStageClosingTheClientRunsInsideAnotherThreadsClose(StandinExtension.Clients clients) throws Exception {
        for (int round = 0; round < 3; round++) {
            WdsClient client = clients.open(Executors.newVirtualThreadPerTaskExecutor());
            Recorder r = new Recorder();
            CompletableFuture<Void> f = client.receive(synthetic(ENDLESS), r);
            CompletableFuture<Void> stage = f.whenComplete((v, t) -> client.close());
            r.awaitFirstBlock();
            endsInTime("WdsClient.close() with a stage that closes it too", client::close);
            assertThat(f).isCompletedExceptionally();
            stage.handle((v, t) -> null).get(GUARD_SECONDS, TimeUnit.SECONDS);
            r.awaitEnd();
            assertThat(r.assertFailedOnce()).isInstanceOf(CancellationException.class);
        }
    }

    /**
     * A stage of the session's own future closes the session: whoever completes the future
     * (its caller, a timeout, Session.cancel), the native session is cancelled before the
     * stage runs, so the close does not wait for the transfer's natural end.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cancel", "orTimeout", "Session.cancel", "complete", "completeExceptionally"})
    void aStageClosingItsOwnSessionDoesNotWaitForTheWholeTransfer(String how, WdsClient client) throws Exception {
        Recorder r = new Recorder();
        Session s = client.newSession(synthetic(ENDLESS), r);
        CompletableFuture<Void> f = s.start();
        CountDownLatch closed = new CountDownLatch(1);
        f.whenComplete((v, t) -> {
            s.close();
            closed.countDown();
        });
        r.awaitFirstBlock();
        endsInTime(how, () -> {
            switch (how) {
                case "cancel" -> f.cancel(true);
                case "orTimeout" -> f.orTimeout(1, TimeUnit.MILLISECONDS);
                case "Session.cancel" -> s.cancel();
                case "complete" -> f.complete(null);
                default -> f.completeExceptionally(new IllegalStateException("mine"));
            }
            assertThat(closed.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("the stage's close() returned").isTrue();
        });
        assertThat(s.isClosed()).isTrue();
        r.awaitEnd();
        assertThat(r.bytes.get()).as("bytes received of 1 TiB").isLessThan(1L << 40);
    }

    /** An asynchronous session stalled on blocks its handler keeps: f.cancel() with a closing stage returns. */
    @Test
    void cancellingAStalledAsyncSessionWithAClosingStageReturns(WdsClient client) throws Exception {
        List<Block> kept = new ArrayList<>();
        CountDownLatch stalled = new CountDownLatch(1);
        Session s = client.newAsyncSession(synthetic(ENDLESS).toBuilder().cacheSize(256 << 10).build(),
                new AsyncContentHandler() {
                    @Override
                    public void onBlock(Block block) {
                        synchronized (kept) {
                            kept.add(block);
                            if (kept.size() == 4) {
                                stalled.countDown();
                            }
                        }
                    }
                });
        CompletableFuture<Void> f = s.start();
        f.whenComplete((v, t) -> s.close());
        assertThat(stalled.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        endsInTime("f.cancel() of a stalled session", () -> f.cancel(true));
        assertThat(s.isClosed()).isTrue();
        synchronized (kept) {
            assertThat(kept).allMatch(Block::isReleased);
        }
    }

    /** Which thread waits for a finished download, and how. */
    enum InterruptedWaiter { JOIN, CLOSE_AFTER_THE_END }

    /**
     * A thread whose interrupt flag is set waits for a toFile download: the file is kept,
     * as it is with a plain CompletableFuture (the listener does not run on that thread).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"JOIN", "CLOSE_AFTER_THE_END"})
    void aWaitingThreadsInterruptDoesNotLoseAFinishedDownload(InterruptedWaiter how, StandinExtension.Clients clients,
                                                            @TempDir Path dir) throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch gate = occupy(single);             // the executor is busy: the session's completion waits
        try {
            WdsClient client = clients.open(single);
            Path target = dir.resolve("image.bin");
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Session s = client.newSession(synthetic("4MiB?seed=7"), ContentHandlers.toFile(target));
            CompletableFuture<Void> f = s.start();
            Thread waiter = Thread.ofPlatform().start(() -> {
                Thread.currentThread().interrupt();
                try {
                    if (how == InterruptedWaiter.JOIN) {
                        f.join();
                    } else {
                        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
                        while (s.status().state() == SessionStatus.State.IN_PROGRESS && System.nanoTime() < guard) {
                            Thread.onSpinWait();
                        }
                        s.close();
                        f.join();
                    }
                } catch (Throwable t) {
                    outcome.set(t);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            if (how == InterruptedWaiter.JOIN) {
                awaitParked(waiter);
            } else {
                waiter.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            }
            gate.countDown();
            waiter.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            assertThat(waiter.isAlive()).isFalse();
            assertThat(outcome.get()).as("what the wait ended with").isNull();
            assertThat(stillInterrupted).as("the waiter's interrupt flag is kept").isTrue();
            assertThat(SyntheticContent.mismatch(7, 0, MemorySegment.ofArray(Files.readAllBytes(target))))
                    .isEqualTo(-1);
            s.close();
        } finally {
            gate.countDown();
            single.shutdown();
        }
    }

    /** WdsClient.close() tells every session's transport to stop before it waits for any of them. */
    @Test
    void closingTheClientCancelsEverySessionBeforeWaitingForOne(WdsClient client) throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        List<CountDownLatch> inBlock = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            CountDownLatch mine = new CountDownLatch(1);
            inBlock.add(mine);
            AtomicBoolean first = new AtomicBoolean(true);
            futures.add(client.receive(synthetic(ENDLESS), (block, offset) -> {
                if (first.getAndSet(false)) {
                    mine.countDown();
                    hold.await(GUARD_SECONDS, TimeUnit.SECONDS);  // the transport cannot stop before this returns
                }
            }));
        }
        for (CountDownLatch l : inBlock) {
            assertThat(l.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        Thread closer = Thread.ofPlatform().name("close").start(client::close);
        try {
            for (CompletableFuture<Void> f : futures) {
                assertThat(causeOf(f)).as("every session cancelled while all transports are held")
                        .isInstanceOf(CancellationException.class);
            }
        } finally {
            hold.countDown();
        }
        closer.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        assertThat(closer.isAlive()).as("close() returned").isFalse();
    }

    /**
     * complete(null) racing the natural end: once it returned true the future holds null,
     * as CompletableFuture promises, whichever came first.
     */
    @Test
    void aCompleteThatReturnedTrueKeepsItsValueAgainstTheNaturalEnd(WdsClient client) throws Exception {
        int won = 0;
        for (int round = 0; round < 4000; round++) {
            CountDownLatch lastBlock = new CountDownLatch(1);
            Session s = client.newSession(synthetic("4KiB"), (ContentHandler) (block, offset) -> lastBlock.countDown());
            CompletableFuture<Void> f = s.start();
            lastBlock.await(GUARD_SECONDS, TimeUnit.SECONDS);
            if (f.complete(null)) {
                won++;
                Throwable held = f.handle((v, t) -> t).get(GUARD_SECONDS, TimeUnit.SECONDS);
                assertThat(held).as("round %d: complete(null) returned true, the future holds", round).isNull();
            }
            s.close();
        }
        assertThat(won).as("rounds in which complete(null) came first").isPositive();
    }

    /** A callback closes the client; a later close() from another thread returns with every future complete. */
    @Test
    void closingTheClientAgainAfterACallbackClosedItWaitsForItsSessions(StandinExtension.Clients clients)
            throws Exception {
        for (int round = 0; round < 100; round++) {
            WdsClient client = clients.open(Executors.newVirtualThreadPerTaskExecutor());
            CountDownLatch closedFromCallback = new CountDownLatch(1);
            AtomicBoolean first = new AtomicBoolean(true);
            CompletableFuture<Void> f = client.receive(synthetic(ENDLESS), (block, offset) -> {
                if (first.getAndSet(false)) {
                    client.close();
                    closedFromCallback.countDown();
                }
            });
            assertThat(closedFromCallback.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
            client.close();
            assertThat(f).as("round %d: the session's future when close() returned", round).isDone();
        }
    }

    /**
     * B's callback waits for A's future while A's completion is queued on a busy executor:
     * A's listener and stages still run on the executor, never on B's transport thread.
     */
    @Test
    void anotherSessionsCallbackWaitingForASessionDoesNotRunItsCompletion(StandinExtension.Clients clients)
            throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch gate = occupy(single);             // the executor is busy: the session's completion waits
        try {
            WdsClient client = clients.open(single);
            AtomicReference<Thread> aListener = new AtomicReference<>();
            AtomicReference<Thread> aStage = new AtomicReference<>();
            Session a = client.newSession(synthetic("64KiB"), new ContentHandler() {
                @Override
                public void onContent(MemorySegment block, long offset) {
                }

                @Override
                public void onSuccess() {
                    aListener.set(Thread.currentThread());
                }
            });
            CompletableFuture<Void> fa = a.start();
            fa.thenRun(() -> aStage.set(Thread.currentThread()));
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (a.status().state() == SessionStatus.State.IN_PROGRESS && System.nanoTime() < guard) {
                Thread.sleep(1);
            }
            AtomicReference<Thread> bThread = new AtomicReference<>();
            AtomicBoolean first = new AtomicBoolean(true);
            CompletableFuture<Void> fb = client.receive(synthetic("256KiB"), (block, offset) -> {
                if (first.getAndSet(false)) {
                    bThread.set(Thread.currentThread());
                    fa.join();
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (bThread.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(awaitParked(bThread.get())).as("B's callback waits for A").isTrue();
            assertThat(fa).as("A's future while the executor is busy").isNotDone();
            gate.countDown();
            fb.get(GUARD_SECONDS, TimeUnit.SECONDS);
            fa.get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(aListener.get()).as("A's onSuccess ran on").isNotSameAs(bThread.get());
            assertThat(aStage.get()).as("A's stage ran on").isNotNull().isNotSameAs(bThread.get());
            a.close();
        } finally {
            gate.countDown();
            single.shutdown();
        }
    }

    /** A handler's exception whose toString() throws. */
    static final class Unprintable extends RuntimeException {
        Unprintable() {
            super("unprintable");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString of an Unprintable");
        }
    }

    /**
     * A handler that throws {@code thrown} from the block after which more than {@code limit} bytes
     * arrived (counted in {@code bytes}), and keeps what onFailure heard in {@code heard}.
     */
    private static ContentHandler throwingAfter(long limit, RuntimeException thrown, AtomicLong bytes,
            AtomicReference<Throwable> heard) {
        return new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                if (bytes.addAndGet(block.byteSize()) > limit) {
                    throw thrown;
                }
            }

            @Override
            public void onFailure(Throwable cause) {
                heard.set(cause);
            }
        };
    }

    /**
     * With FINE logging on, a handler's exception whose toString() throws still cancels the
     * native session, and the future fails with that very exception.
     */
    @Test
    void anUnprintableHandlerExceptionStillCancelsWithLoggingOn(WdsClient client) throws Exception {
        Logger logger = Logger.getLogger("io.github.wdstci");
        Level before = logger.getLevel();
        Handler sink = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (getFormatter() != null) {
                    getFormatter().format(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        sink.setFormatter(new java.util.logging.SimpleFormatter());
        sink.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(sink);
        try {
            Unprintable thrown = new Unprintable();
            AtomicLong bytes = new AtomicLong();
            AtomicReference<Throwable> heard = new AtomicReference<>();
            Session s = client.newSession(synthetic(ENDLESS), throwingAfter(1 << 20, thrown, bytes, heard));
            assertThat(causeOf(s.start()) == thrown).as("the future holds the handler's own exception").isTrue();
            assertThat(heard.get() == thrown).as("onFailure heard the handler's own exception").isTrue();
            assertThat(bytes.get()).as("bytes delivered of 1 TiB (the session was cancelled)").isLessThan(1L << 40);
            s.close();
        } finally {
            logger.removeHandler(sink);
            logger.setLevel(before);
        }
    }

    /** With a JFR recording on, the future and the listener hold the same unprintable exception. */
    @Test
    void anUnprintableHandlerExceptionIsWhatTheFutureAndTheListenerHoldWithJfrOn(WdsClient client) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable("io.github.wdstci.SessionFailed");
            recording.start();
            Unprintable thrown = new Unprintable();
            AtomicReference<Throwable> heard = new AtomicReference<>();
            Session s = client.newSession(synthetic("4MiB"), throwingAfter(0, thrown, new AtomicLong(), heard));
            // compared by identity: a failed isSameAs would print the exception, whose toString() throws
            assertThat(causeOf(s.start()) == thrown).as("the future holds the handler's own exception").isTrue();
            assertThat(heard.get() == thrown).as("onFailure heard the handler's own exception").isTrue();
            s.close();
        }
    }
}
