package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.awaitParked;
import static io.github.wdstci.StandinExtension.awaitThread;
import static io.github.wdstci.StandinExtension.causeOf;
import static io.github.wdstci.StandinExtension.outcomeOrRelease;
import static io.github.wdstci.StandinExtension.synthetic;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Closing ends from any thread, stage or executor, and never waits for work
 * that needs the waiting thread. Each scenario runs its closing in a thread
 * of its own and waits for it with a bound: a deadlock fails the test.
 */
@ExtendWith(StandinExtension.class)
@Tag("session")
class SessionCloseTest {

    /** Runs {@code r} on a new thread and fails unless it returns within the guard. */
    static void endsInTime(String what, ThrowingRunnable r) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name(what).start(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        assertThat(t.isAlive()).as(what + " returned (else it deadlocked)").isFalse();
        if (failure.get() != null) {
            throw new AssertionError(what + " threw", failure.get());
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** (a) A's completion stage closes B while B's closes A; then the client closes. */
    @Test
    void twoSessionsClosingEachOtherFromTheirStages(WdsClient client) throws Exception {
        // Neither session may end before both have started (else the first would close the other unstarted).
        CountDownLatch bothStarted = new CountDownLatch(1);
        ContentHandler waitForBoth = new ContentHandler() {
            @Override
            public void onStart(StartInfo info) throws InterruptedException {
                bothStarted.await(GUARD_SECONDS, TimeUnit.SECONDS);
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
            }
        };
        Session a = client.newSession(synthetic("2MiB"), waitForBoth);
        Session b = client.newSession(synthetic("2MiB"), waitForBoth);
        CompletableFuture<Void> aStage = a.completion().handle((v, t) -> null).thenRun(b::close);
        CompletableFuture<Void> bStage = b.completion().handle((v, t) -> null).thenRun(a::close);
        a.start();
        b.start();
        bothStarted.countDown();
        endsInTime("both stages", () -> CompletableFuture.allOf(aStage, bStage).get(GUARD_SECONDS, TimeUnit.SECONDS));
        endsInTime("WdsClient.close()", client::close);
        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isTrue();
        assertThat(client.openSessions()).isZero();
    }

    /** (b) A single-threaded executor: close the client from a stage running on it, while another session runs. */
    @Test
    void closingTheClientFromAStageOnASingleThreadedExecutor(StandinExtension.Clients clients) throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            WdsClient client = clients.open(single);
            Recorder other = new Recorder();
            Session running = client.newSession(synthetic("64MiB?delay=1ms"), other);
            running.start();
            other.awaitFirstBlock();
            CompletableFuture<Void> closed = client.receive(synthetic("1MiB"), ContentHandlers.discarding())
                    .thenRun(client::close);
            endsInTime("receive(...).thenRun(client::close)", () -> closed.get(GUARD_SECONDS, TimeUnit.SECONDS));
            other.awaitEnd();
            assertThat(other.assertFailedOnce()).isInstanceOf(CancellationException.class);
            assertThat(running.isClosed()).isTrue();
        } finally {
            single.shutdown();
        }
    }

    /**
     * A DLL may run a whole session before StartSession returns, and still use
     * the session until it does: the session is closed only after the return,
     * whether {@code receive} closes it on the executor, a stage closes it, or
     * its caller does once the future is complete. (The fixture fails a test
     * in which CloseSession ran while another call on the handle had not
     * returned.)
     */
    @Test
    void aSessionEndedBeforeStartSessionReturnedIsClosedOnlyAfterTheReturn(StandinExtension.Clients clients)
            throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            for (WdsClient client : new WdsClient[] {clients.open(single), clients.open(Runnable::run)}) {
                ContentHandlers.MemorySink sink = ContentHandlers.toMemory(1 << 20);
                client.receive(synthetic("1MiB?seed=4&startreturn=50ms"), sink).get(GUARD_SECONDS, TimeUnit.SECONDS);
                assertThat(io.github.wdstci.standin.SyntheticContent.mismatch(4, 0, MemorySegment.ofArray(sink.bytes())))
                        .isEqualTo(-1);

                Session staged = client.newSession(synthetic("256KiB?startreturn=50ms"), ContentHandlers.discarding());
                CompletableFuture<Void> closedByStage = staged.completion().whenComplete((v, e) -> staged.close());
                staged.start();
                closedByStage.get(GUARD_SECONDS, TimeUnit.SECONDS);

                try (Session plain = client.newSession(synthetic("256KiB?startreturn=50ms"), ContentHandlers.discarding())) {
                    plain.start().get(GUARD_SECONDS, TimeUnit.SECONDS);
                }
            }
        } finally {
            single.shutdown();
        }
    }

    /**
     * {@code close()} from an ordinary thread returns with the session's future
     * complete, also when it is called while the listener hears the outcome (the
     * future completes just after): {@code Session.close()} and
     * {@code WdsClient.close()} alike.
     */
    @Test
    void closeDuringTheListenerReturnsWithTheFutureComplete(StandinExtension.Clients clients) throws Exception {
        for (int round = 0; round < 40; round++) {
            boolean viaClient = round % 2 == 1;
            WdsClient client = clients.open(Executors.newVirtualThreadPerTaskExecutor());
            CountDownLatch inListener = new CountDownLatch(1);
            Session s = client.newSession(synthetic("4KiB"), new ContentHandler() {
                @Override
                public void onContent(MemorySegment block, long offset) {
                }

                @Override
                public void onSuccess() throws InterruptedException {
                    inListener.countDown();
                    Thread.sleep(20);             // close() is called meanwhile
                }
            });
            CompletableFuture<Void> f = s.start();
            assertThat(inListener.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
            if (viaClient) {
                client.close();
            } else {
                s.close();
            }
            assertThat(f).as("the future when %s.close() returned (round %d)", viaClient ? "WdsClient" : "Session", round)
                    .isCompleted();
            client.close();
        }
    }

    /** (b) close() and join() in a task of the client's single-threaded executor. */
    @Test
    void closeAndJoinInATaskOfTheSingleThreadedExecutor(StandinExtension.Clients clients) throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            WdsClient client = clients.open(single);
            Session joined = client.newSession(synthetic("2MiB"), ContentHandlers.discarding());
            CompletableFuture<Void> f = joined.start();
            // The session's completion is queued on the executor behind this very task.
            Future<?> join = single.submit(() -> {
                f.join();
                return null;
            });
            endsInTime("join() in a task", () -> join.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertThat(f).isCompletedWithValue(null);

            Recorder r = new Recorder();
            Session closed = client.newSession(synthetic("64MiB?delay=1ms"), r);
            closed.start();
            r.awaitFirstBlock();
            Future<?> close = single.submit(closed::close);
            endsInTime("close() in a task", () -> close.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertThat(r.assertFailedOnce()).isInstanceOf(CancellationException.class);

            // A dependent stage waited on in a task helps the session too.
            Session derived = client.newSession(synthetic("2MiB"), ContentHandlers.discarding());
            CompletableFuture<String> d = derived.start().thenApply(v -> "done");
            Future<String> dj = single.submit(() -> d.join());
            endsInTime("join() of a dependent in a task", () -> assertThat(dj.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("done"));
            joined.close();
            derived.close();
        } finally {
            single.shutdown();
        }
    }

    /** (c) A handler blocks on its own session's future; closing the client ends it. */
    @Test
    void aHandlerWaitingForItsOwnSessionIsReleasedByClose(WdsClient client) throws Exception {
        AtomicReference<Session> self = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<Throwable> joinedWith = new AtomicReference<>();
        Session s = client.newSession(synthetic("8MiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                if (waiting.getCount() > 0) {
                    CompletableFuture<Void> own = self.get().completion();
                    waiting.countDown();
                    try {
                        own.join();
                    } catch (Throwable t) {
                        joinedWith.set(t);
                    }
                }
            }
        });
        self.set(s);
        CompletableFuture<Void> f = s.start();
        assertThat(waiting.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        endsInTime("WdsClient.close()", client::close);
        assertThat(f).isCancelled();
        assertThat(joinedWith.get()).as("the handler's join() ended with").isInstanceOf(CancellationException.class);
        assertThat(s.isClosed()).isTrue();
    }

    /**
     * A handler that cancels its own session and then waits for its future could
     * never be released (the future completes after the callback returns): the
     * wait is refused, as a listener's wait for its own future is.
     */
    @Test
    void aHandlerWaitingForItsOwnFailedSessionIsRefused(WdsClient client) throws Exception {
        AtomicReference<Session> self = new AtomicReference<>();
        AtomicReference<Throwable> joinedWith = new AtomicReference<>();
        AtomicBoolean once = new AtomicBoolean();
        Session s = client.newSession(synthetic("8MiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                if (once.compareAndSet(false, true)) {
                    self.get().cancel();
                    try {
                        self.get().completion().join();
                    } catch (Throwable t) {
                        joinedWith.set(t);
                    }
                }
            }
        });
        self.set(s);
        try (s) {
            assertThat(causeOf(s.start())).isInstanceOf(CancellationException.class);
        }
        assertThat(joinedWith.get()).as("the handler's join() ended with").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("completes only after the callback returns");
    }

    /**
     * A handler blocks on its own session's future; a callback of another session then
     * cancels that session. A cancel on a callback thread leaves the future to complete once
     * the transport has ended, which waits for the blocked callback: the wait ends with the
     * IllegalStateException that a wait begun after the failure gets, instead of never.
     */
    @Test
    void aHandlerWaitingForItsOwnSessionIsWokenWhenAnotherSessionsCallbackCancelsIt(WdsClient client)
            throws Exception {
        AtomicReference<Session> first = new AtomicReference<>();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        AtomicReference<Throwable> joinedWith = new AtomicReference<>();
        CountDownLatch waited = new CountDownLatch(1);
        Session a = client.newSession(synthetic("8MiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                if (waiter.compareAndSet(null, Thread.currentThread())) {
                    CompletableFuture<Void> own = first.get().completion();
                    try {
                        own.join();
                    } catch (Throwable t) {
                        joinedWith.set(t);
                    } finally {
                        waited.countDown();
                    }
                }
            }
        });
        first.set(a);
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicBoolean waiterParked = new AtomicBoolean();
        Session b = client.newSession(synthetic("2MiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                if (cancelled.compareAndSet(false, true)) {
                    waiterParked.set(awaitParked(waiter.get()));
                    first.get().cancel();
                }
            }
        });
        CompletableFuture<Void> fa = a.start();
        awaitThread(waiter);                      // b starts once a waits, so that b's first block cancels it
        CompletableFuture<Void> fb = b.start();
        assertThat(outcomeOrRelease(fa, waited)).isInstanceOf(CancellationException.class);
        assertThat(waiterParked).as("the waiting handler was parked before the cancel").isTrue();
        assertThat(waited.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("the handler's join() ended").isTrue();
        assertThat(joinedWith.get()).as("the handler's join() ended with").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("completes only after the callback returns");
        fb.get(GUARD_SECONDS, TimeUnit.SECONDS);
        endsInTime("close() of the cancelled session", a::close);
        b.close();
    }

    /** (d) A second, concurrent WdsClient.close() returns only once the sessions are closed. */
    @Test
    void aConcurrentSecondCloseWaitsForTheFirst(WdsClient client) throws Exception {
        CountDownLatch inFailure = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicBoolean listenerDone = new AtomicBoolean();
        Recorder first = new Recorder();
        Session s = client.newSession(synthetic("64MiB?delay=1ms"), new ForwardingContentHandler(first) {
            @Override
            public void onFailure(Throwable cause) {
                inFailure.countDown();
                try {
                    letGo.await(GUARD_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onFailure(cause);
                listenerDone.set(true);
            }
        });
        s.start();
        first.awaitFirstBlock();
        Thread one = Thread.ofPlatform().name("first close").start(client::close);
        assertThat(inFailure.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        AtomicBoolean doneWhenSecondReturned = new AtomicBoolean();
        Thread two = Thread.ofPlatform().name("second close").start(() -> {
            client.close();
            doneWhenSecondReturned.set(listenerDone.get() && s.isClosed() && client.openSessions() == 0);
        });
        // Let the listener go only once the second close is waiting, or has (wrongly) returned.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (two.isAlive() && two.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        letGo.countDown();
        one.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        two.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        assertThat(one.isAlive() || two.isAlive()).as("a close still running").isFalse();
        assertThat(doneWhenSecondReturned).as("the session was closed when the second close() returned").isTrue();
    }

    /** From a transport callback, closing the whole client neither deadlocks nor leaves anything. */
    @Test
    void closingTheClientFromACallbackOfOneOfItsSessions(WdsClient client) throws Exception {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        a.atFirstBlock = client::close;
        Session sb = client.newSession(synthetic("64MiB?delay=1ms"), b);
        sb.start();
        b.awaitFirstBlock();
        Session sa = client.newSession(synthetic("64MiB?delay=1ms"), a);
        CompletableFuture<Void> fa = sa.start();
        a.awaitEnd();
        b.awaitEnd();
        assertThat(causeOf(fa)).isInstanceOf(CancellationException.class);
        assertThat(b.assertFailedOnce()).isInstanceOf(CancellationException.class);
        endsInTime("close() again", client::close);
        assertThat(sa.isClosed()).isTrue();
        assertThat(sb.isClosed()).isTrue();
    }

    /** From a listener's onFailure, closing the client ends too. */
    @Test
    void closingTheClientFromAListener(WdsClient client) throws Exception {
        Recorder r = new Recorder();
        Session s = client.newSession(synthetic("4MiB?fail=1236@1MiB"), new ForwardingContentHandler(r) {
            @Override
            public void onFailure(Throwable cause) {
                client.close();
                super.onFailure(cause);
            }
        });
        Recorder other = new Recorder();
        Session o = client.newSession(synthetic("64MiB?delay=1ms"), other);
        o.start();
        other.awaitFirstBlock();
        CompletableFuture<Void> f = s.start();
        assertThat(causeOf(f)).isInstanceOf(WdsTransportException.class);
        other.awaitEnd();
        endsInTime("close() again", client::close);
        assertThat(s.isClosed()).isTrue();
        assertThat(o.isClosed()).isTrue();
    }
}
