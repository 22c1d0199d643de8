package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.synthetic;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random schedules, reproducible by their seed: each scenario starts a few
 * sessions (random entry point, object, failure, handler behaviour) and does
 * random things to them at random points (cancel, time out, complete, close
 * from some thread, join from the executor, ask the status). Whatever
 * happens, every session's listener hears its end exactly once, every future
 * completes, every session closes, and nothing is left in the stand-in.
 *
 * <p>{@code -Dwdstci.scenario.seed=N} replays a run, {@code -Dwdstci.scenario.only=I}
 * one scenario of it; a failure names both.
 */
@ExtendWith(StandinExtension.class)
@Tag("session")
class SessionScenarioTest {

    static final long SEED = Long.getLong("wdstci.scenario.seed", 20261125L);
    static final int SCENARIOS = Integer.getInteger("wdstci.scenario.count", 300);
    static final int ONLY = Integer.getInteger("wdstci.scenario.only", -1);

    enum Action { NOTHING, CANCEL_FUTURE, OR_TIMEOUT, COMPLETE_FUTURE, SESSION_CANCEL, CLOSE, CLOSE_OTHER_THREAD,
        CLOSE_IN_CALLBACK, CLOSE_IN_TASK, JOIN_IN_TASK, STATUS, CLIENT_CLOSE }

    enum Behaviour { PLAIN, THROW_AT_BLOCK, THROW_AT_START, THROW_AT_SUCCESS, ASYNC_WORKER, ASYNC_INLINE, ASYNC_HOLD }

    @Test
    void randomSchedulesEndEverySessionExactlyOnce(StandinExtension.Clients clients) throws Exception {
        for (int i = 0; i < SCENARIOS; i++) {
            if (ONLY >= 0 && i != ONLY) {
                continue;
            }
            String where = "seed " + SEED + ", scenario " + i + " (-Dwdstci.scenario.seed=" + SEED
                    + " -Dwdstci.scenario.only=" + i + ")";
            try {
                scenario(new SplittableRandom(SEED * 1_000_003L + i), clients, where);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(where + ": " + e.getMessage(), e);
            }
        }
    }

    private void scenario(SplittableRandom rnd, StandinExtension.Clients clients, String where) throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        ExecutorService tasks = Executors.newCachedThreadPool();
        try {
            WdsClient client = clients.open(rnd.nextBoolean() ? single : Executors.newVirtualThreadPerTaskExecutor());
            ExecutorService taskExecutor = rnd.nextBoolean() ? single : tasks;
            int n = 1 + rnd.nextInt(3);
            List<Run> runs = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                try {
                    runs.add(start(rnd, client));
                } catch (IllegalStateException closed) {
                    // an earlier run closed the client from its callback
                    assertThat(closed).hasMessage("client is closed");
                    break;
                }
            }
            for (Run r : runs) {
                act(r, client, taskExecutor, tasks);
            }
            for (Run r : runs) {
                assertThat(r.ended.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("%s: listener of %s ended", where, r).isTrue();
                r.future.handle((v, t) -> null).get(GUARD_SECONDS, TimeUnit.SECONDS);
                if (r.session != null) {
                    r.session.close();
                    assertThat(r.session.isClosed()).isTrue();
                }
                assertThat(r.ends.get()).as("%s: listener ends of %s", where, r).isEqualTo(1);
            }
            client.close();
            assertThat(client.openSessions()).as("%s: open sessions", where).isZero();
            for (Run r : runs) {
                assertThat(r.future).as("%s: future of %s", where, r).isDone();
            }
        } finally {
            single.shutdown();
            tasks.shutdown();
        }
    }

    /** One session of a scenario. */
    static final class Run {
        final CountDownLatch ended = new CountDownLatch(1);
        final CountDownLatch firstBlock = new CountDownLatch(1);
        final AtomicInteger ends = new AtomicInteger();
        final AtomicReference<Runnable> atBlock = new AtomicReference<>();
        String object;
        Behaviour behaviour;
        Action action;
        int atBlockIndex;
        Session session;
        CompletableFuture<Void> future;

        @Override
        public String toString() {
            return object + " " + behaviour + " " + action + "@" + atBlockIndex;
        }
    }

    private Run start(SplittableRandom rnd, WdsClient client) throws Exception {
        Run r = new Run();
        int blocks = 4 + rnd.nextInt(60);
        r.object = blocks * 16 + "KiB?block=16KiB&order=" + (rnd.nextBoolean() ? "shuffle" : "seq")
                + (rnd.nextInt(4) == 0 ? "&fail=1236@" + rnd.nextInt(blocks) * 16 + "KiB" : "")
                + (rnd.nextBoolean() ? "&delay=" + (100 + rnd.nextInt(900)) + "us" : "");
        r.behaviour = Behaviour.values()[rnd.nextInt(Behaviour.values().length)];
        r.action = Action.values()[rnd.nextInt(Action.values().length)];
        r.atBlockIndex = rnd.nextInt(blocks);
        if (r.behaviour == Behaviour.ASYNC_HOLD && r.action == Action.JOIN_IN_TASK) {
            r.action = Action.CLOSE;                  // a held block never lets the session succeed: nothing to join
        }
        boolean async = r.behaviour.name().startsWith("ASYNC");
        boolean viaReceive = !async && rnd.nextInt(3) == 0;
        SessionListener listener = listener(r);
        if (viaReceive) {
            r.future = client.receive(synthetic(r.object), (ContentHandler) listener);
        } else {
            r.session = async ? client.newAsyncSession(synthetic(r.object), (AsyncContentHandler) listener)
                    : client.newSession(synthetic(r.object), (ContentHandler) listener);
            if (r.action == Action.CLOSE_IN_CALLBACK) {
                r.atBlock.set(r.session::close);
            }
            r.future = r.session.start();
        }
        if (r.action == Action.CLOSE_IN_CALLBACK && r.session == null) {
            r.atBlock.set(client::close);
        }
        return r;
    }

    private SessionListener listener(Run r) {
        class Listener implements ContentHandler, AsyncContentHandler {
            int seen;

            @Override
            public void onStart(StartInfo info) {
                if (r.behaviour == Behaviour.THROW_AT_START) {
                    throw new IllegalStateException("at start");
                }
            }

            private void block() {
                if (seen++ == r.atBlockIndex) {
                    r.firstBlock.countDown();
                    Runnable at = r.atBlock.get();
                    if (at != null) {
                        at.run();
                    }
                    if (r.behaviour == Behaviour.THROW_AT_BLOCK) {
                        throw new IllegalStateException("at block");
                    }
                }
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
                block();
            }

            @Override
            public void onBlock(Block block) {
                try {
                    block();
                } finally {
                    switch (r.behaviour) {
                        case ASYNC_INLINE -> block.release();
                        case ASYNC_WORKER -> Thread.ofVirtual().start(() -> {
                            try {
                                block.withSegment(MemorySegment::byteSize);
                            } catch (IllegalStateException released) {
                                // released by a close meanwhile
                            }
                            block.release();
                        });
                        default -> {
                            // ASYNC_HOLD: kept until the session closes
                        }
                    }
                }
            }

            @Override
            public void onSuccess() {
                if (r.behaviour == Behaviour.THROW_AT_SUCCESS) {
                    throw new IllegalStateException("at success");
                }
                r.ends.incrementAndGet();
                r.ended.countDown();
            }

            @Override
            public void onFailure(Throwable cause) {
                r.ends.incrementAndGet();
                r.ended.countDown();
            }
        }
        return new Listener();
    }

    private void act(Run r, WdsClient client, ExecutorService taskExecutor, ExecutorService tasks) throws Exception {
        if (r.action == Action.NOTHING || r.action == Action.CLOSE_IN_CALLBACK) {
            if (r.behaviour == Behaviour.ASYNC_HOLD && r.session != null) {
                r.session.close();                    // held blocks keep it from succeeding: close releases them
            }
            return;
        }
        // Most actions wait for the chosen block, or for the end if the session ends before it.
        if (r.atBlockIndex % 3 != 0) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (r.firstBlock.getCount() > 0 && r.ended.getCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        }
        Runnable close = r.session != null ? r.session::close : client::close;
        switch (r.action) {
            case CANCEL_FUTURE -> r.future.cancel(true);
            case OR_TIMEOUT -> r.future.orTimeout(1, TimeUnit.MILLISECONDS);
            case COMPLETE_FUTURE -> r.future.complete(null);
            case SESSION_CANCEL -> {
                if (r.session != null) {
                    try {
                        r.session.cancel();
                    } catch (IllegalStateException closed) {
                        assertThat(r.session.isClosed()).as("cancel() refused only once closed").isTrue();
                    }
                } else {
                    r.future.cancel(false);
                }
            }
            case CLOSE -> close.run();
            case CLOSE_OTHER_THREAD -> tasks.submit(close).get(GUARD_SECONDS, TimeUnit.SECONDS);
            case CLOSE_IN_TASK -> taskExecutor.submit(close).get(GUARD_SECONDS, TimeUnit.SECONDS);
            // not on the client's own single thread: the completion may be queued behind the task (not supported)
            case JOIN_IN_TASK -> (taskExecutor == client.executor() ? tasks : taskExecutor)
                    .submit(() -> r.future.handle((v, t) -> null).join()).get(GUARD_SECONDS, TimeUnit.SECONDS);
            case STATUS -> {
                if (r.session != null) {
                    try {
                        assertThat(r.session.status()).isNotNull();
                    } catch (IllegalStateException closed) {
                        assertThat(r.session.isClosed()).as("status() refused only once closed").isTrue();
                    }
                }
            }
            case CLIENT_CLOSE -> client.close();
            default -> throw new AssertionError(r.action);
        }
        if (r.behaviour == Behaviour.ASYNC_HOLD && r.session != null) {
            r.session.close();
        }
    }
}
