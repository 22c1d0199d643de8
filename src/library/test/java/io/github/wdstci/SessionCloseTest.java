package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.causeOf;
import static io.github.wdstci.StandinExtension.occupy;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * (b) close() in a task of the client's single-threaded executor, while the session's
     * completion would be queued behind that very task: the closing thread runs it.
     */
    @Test
    void closeInATaskOfTheSingleThreadedExecutor(StandinExtension.Clients clients) throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            WdsClient client = clients.open(single);
            Recorder r = new Recorder();
            Session closed = client.newSession(synthetic("64MiB?delay=1ms"), r);
            closed.start();
            r.awaitFirstBlock();
            Future<?> close = single.submit(closed::close);
            endsInTime("close() in a task", () -> close.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertThat(r.assertFailedOnce()).isInstanceOf(CancellationException.class);

            // ended by itself, its completion queued behind the closing task
            CountDownLatch gate = occupy(single);
            Recorder ended = new Recorder();
            Session done = client.newSession(synthetic("256KiB"), ended);
            CompletableFuture<Void> f = done.start();
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (done.status().state() == SessionStatus.State.IN_PROGRESS && System.nanoTime() < guard) {
                Thread.sleep(1);
            }
            Future<?> closeDone = single.submit(done::close);
            gate.countDown();
            endsInTime("close() of an ended session in a task", () -> closeDone.get(GUARD_SECONDS, TimeUnit.SECONDS));
            ended.assertSucceededOnce();
            assertThat(f).isCompletedWithValue(null);
        } finally {
            single.shutdown();
        }
    }

    /**
     * (c) A handler waiting for its own session's future could never be released by the
     * transport (the future completes only after the callback returns): the wait is
     * refused at once, as a listener's wait for its own future is, whether or not the
     * session has failed.
     */
    @ParameterizedTest(name = "cancelled first: {0}")
    @ValueSource(booleans = {false, true})
    void aHandlerWaitingForItsOwnSessionIsRefused(boolean cancelledFirst, WdsClient client) throws Exception {
        AtomicReference<Session> self = new AtomicReference<>();
        AtomicReference<Throwable> joinedWith = new AtomicReference<>();
        AtomicBoolean once = new AtomicBoolean();
        Session s = client.newSession(synthetic("8MiB"), new ContentHandler() {
            @Override
            public void onContent(MemorySegment block, long offset) {
                if (once.compareAndSet(false, true)) {
                    if (cancelledFirst) {
                        self.get().cancel();
                    }
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
            CompletableFuture<Void> f = s.start();
            if (cancelledFirst) {
                assertThat(causeOf(f)).isInstanceOf(CancellationException.class);
            } else {
                f.get(GUARD_SECONDS, TimeUnit.SECONDS);
            }
        }
        assertThat(joinedWith.get()).as("the handler's join() ended with").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("completes only after the callback returns");
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
