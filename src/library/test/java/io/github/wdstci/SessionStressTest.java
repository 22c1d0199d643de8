package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.wdstci.internal.StandinDiagnostics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 10,000 sessions cancelled or failed at random points: every future completes
 * exactly once, the JVM survives, and the stand-in's sessions, buffers and
 * threads return to zero.
 */
@Tag("stress")
class SessionStressTest {

    enum Fate { SUCCEED, FAIL_NATIVE, THROW_IN_HANDLER, CANCEL_FUTURE, CANCEL_SESSION, CLOSE_EARLY, TIMEOUT }

    @Test
    void tenThousandSessionsEndExactlyOnceAndLeaveNothingBehind() throws Exception {
        assertThat(StandinDiagnostics.counters()).containsExactly(0L, 0L, 0L, 0L);
        SplittableRandom random = new SplittableRandom(20261124);
        int n = 10_000;
        AtomicInteger listenerEnds = new AtomicInteger();
        AtomicInteger futureEnds = new AtomicInteger();
        AtomicInteger doubleEnds = new AtomicInteger();
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<Void>> all = new ArrayList<>(n);
        try (WdsClient client = WdsClient.open()) {
            for (int i = 0; i < n; i++) {
                Fate fate = Fate.values()[random.nextInt(Fate.values().length)];
                int blocks = 1 + random.nextInt(16);
                int at = random.nextInt(blocks);
                String object = blocks * 16 + "KiB?block=16KiB&order=shuffle&seed=" + i
                        + (fate == Fate.FAIL_NATIVE ? "&fail=1236@" + at * 16 + "KiB" : "")
                        + (fate == Fate.TIMEOUT ? "&delay=200us" : "");
                AtomicInteger ends = new AtomicInteger();
                CountDownLatch reached = new CountDownLatch(1);
                ContentHandler h = new ContentHandler() {
                    int seen;

                    @Override
                    public void onContent(MemorySegment block, long offset) {
                        if (seen++ == at) {
                            reached.countDown();
                            if (fate == Fate.THROW_IN_HANDLER) {
                                throw new IllegalStateException("injected at block " + at);
                            }
                        }
                    }

                    @Override
                    public void onSuccess() {
                        if (ends.incrementAndGet() > 1) doubleEnds.incrementAndGet();
                        listenerEnds.incrementAndGet();
                    }

                    @Override
                    public void onFailure(Throwable cause) {
                        if (ends.incrementAndGet() > 1) doubleEnds.incrementAndGet();
                        listenerEnds.incrementAndGet();
                    }
                };
                inFlight.acquire();
                Session s = client.newSession(StandinExtension.synthetic(object), h);
                CompletableFuture<Void> f = s.start();
                if (fate == Fate.TIMEOUT) {
                    f = f.orTimeout(random.nextInt(3), TimeUnit.MILLISECONDS);
                }
                AtomicInteger completions = new AtomicInteger();
                CompletableFuture<Void> counted = f.whenComplete((v, t) -> {
                    if (completions.incrementAndGet() > 1) doubleEnds.incrementAndGet();
                    futureEnds.incrementAndGet();
                });
                switch (fate) {
                    case CANCEL_FUTURE -> {
                        reached.await(random.nextInt(2), TimeUnit.MILLISECONDS);
                        f.cancel(true);
                    }
                    case CANCEL_SESSION -> {
                        reached.await(random.nextInt(2), TimeUnit.MILLISECONDS);
                        s.cancel();
                    }
                    case CLOSE_EARLY -> {
                        reached.await(random.nextInt(2), TimeUnit.MILLISECONDS);
                        s.close();
                    }
                    default -> { }
                }
                all.add(counted.handle((v, t) -> null).thenRun(() -> {
                    s.close();
                    inFlight.release();
                }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        }
        assertThat(doubleEnds).as("anything that ended twice").hasValue(0);
        assertThat(futureEnds).hasValue(n);
        // onFailure/onSuccess run before the future completes; every session got exactly one of them.
        assertThat(listenerEnds).hasValue(n);
        assertThat(StandinDiagnostics.counters()).as("stand-in sessions, buffers, bytes, threads after the client closed")
                .containsExactly(0L, 0L, 0L, 0L);
    }
}
