package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.awaitParked;
import static io.github.wdstci.StandinExtension.awaitThread;
import static io.github.wdstci.StandinExtension.causeOf;
import static io.github.wdstci.StandinExtension.outcomeOrRelease;
import static io.github.wdstci.StandinExtension.synthetic;
import static io.github.wdstci.StandinExtension.unwrap;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

/**
 * WDSTPTC.dll does not document whether a session's callbacks may overlap:
 * with {@code threads=4} the stand-in delivers each session's blocks on four
 * threads at once. The ready-made handlers, cancellation and closing from a
 * callback keep their promises then too, as does a callback waiting for its
 * own session's future while another callback ends the session.
 */
@ExtendWith(StandinExtension.class)
@Tag("session")
class OverlappingCallbacksTest {

    private static final int ROUNDS = 10;

    @Test
    void toFileAndToMemoryGetEveryBlockFromSeveralThreads(WdsClient client, @TempDir Path dir) throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            Path target = dir.resolve("image-" + i);
            client.receive(synthetic("4MiB?block=4KiB&order=shuffle&threads=4&seed=" + i), ContentHandlers.toFile(target))
                    .get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(SyntheticContent.mismatch(i, 0, MemorySegment.ofArray(Files.readAllBytes(target))))
                    .as("first wrong byte of round %d", i).isEqualTo(-1);

            ContentHandlers.MemorySink sink = ContentHandlers.toMemory(4 << 20);
            client.receive(synthetic("4MiB?block=4KiB&threads=4&seed=" + i), sink).get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(SyntheticContent.mismatch(i, 0, MemorySegment.ofArray(sink.bytes()))).isEqualTo(-1);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void progressIsReportedOneCallAtATimeUpToTheWholeObject(WdsClient client) throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            AtomicBoolean inside = new AtomicBoolean();
            AtomicInteger overlapping = new AtomicInteger();
            List<Long> reports = new ArrayList<>();
            ProgressListener listener = (bytes, total, rate) -> {
                if (!inside.compareAndSet(false, true)) {
                    overlapping.incrementAndGet();
                }
                reports.add(bytes);
                Thread.onSpinWait();
                inside.set(false);
            };
            client.receive(synthetic("4MiB?block=4KiB&threads=4"),
                    ContentHandlers.withProgress(ContentHandlers.discarding(), listener, 0)).get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(overlapping).as("calls of the listener running at once").hasValue(0);
            assertThat(reports).as("reported byte counts").isSorted().endsWith(4L << 20);
        }
    }

    @Test
    void closeFromABlockOnAnyOfTheThreadsDoesNotWaitForItself(WdsClient client) throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            AtomicReference<Session> self = new AtomicReference<>();
            AtomicInteger blocks = new AtomicInteger();
            ContentHandler closing = new ContentHandler() {
                @Override
                public void onContent(MemorySegment block, long offset) throws InterruptedException {
                    if (blocks.incrementAndGet() == 20) {
                        Thread.sleep(5);          // the other threads deliver blocks meanwhile
                        self.get().close();
                    }
                }
            };
            Session s = client.newSession(synthetic("8MiB?block=4KiB&threads=4&delay=100us"), closing);
            self.set(s);
            CompletableFuture<Void> f = s.start();
            assertThat(causeOf(f)).isInstanceOf(CancellationException.class);
            assertThat(s.isClosed()).isTrue();
        }
    }

    @Test
    void cancelFromABlockCompletesTheFutureOffTheTransportsThreads(WdsClient client) throws Exception {
        int mostThreads = 0;
        for (int i = 0; i < ROUNDS; i++) {
            Set<Thread> transport = ConcurrentHashMap.newKeySet();
            AtomicReference<Session> self = new AtomicReference<>();
            AtomicInteger blocks = new AtomicInteger();
            ContentHandler cancelling = new ContentHandler() {
                @Override
                public void onContent(MemorySegment block, long offset) throws InterruptedException {
                    transport.add(Thread.currentThread());
                    if (blocks.incrementAndGet() == 20) {
                        Thread.sleep(5);          // the other threads deliver blocks meanwhile
                        self.get().cancel();
                    }
                }
            };
            try (Session s = client.newSession(synthetic("8MiB?block=4KiB&threads=4&delay=100us"), cancelling)) {
                self.set(s);
                AtomicReference<Thread> stage = new AtomicReference<>();
                CompletableFuture<Void> f = s.start().whenComplete((v, e) -> stage.set(Thread.currentThread()));
                assertThat(causeOf(f)).isInstanceOf(CancellationException.class);
                assertThat(stage.get()).as("the thread the stage ran on").isNotIn(transport);
                mostThreads = Math.max(mostThreads, transport.size());
            }
        }
        assertThat(mostThreads).as("threads that delivered one session's blocks").isGreaterThan(1);
    }

    /** How a callback waits for its own session's future (or a stage derived from it). */
    enum Wait { JOIN, GET, TIMED_GET, JOIN_OF_A_DEPENDENT }

    /** What ends the session while that callback waits. */
    enum End {
        /** Session.cancel() from another callback thread of the session. */
        SIBLING_CANCEL,
        /** Session.close() from another callback thread. */
        SIBLING_CLOSE,
        /** Another callback's handler throws. */
        SIBLING_THROWS,
        /** A cancel of the future from an ordinary thread (the test's). */
        CANCEL_FROM_OUTSIDE
    }

    static Stream<Arguments> waitsAndEnds() {
        return Stream.of(Wait.values()).flatMap(w -> Stream.of(End.values()).map(e -> Arguments.of(w, e)));
    }

    /**
     * A callback that already waits for its own session's future when the session fails is
     * woken: the transport ends the session only once that callback has returned, so the
     * future could never complete. Failed from another callback (a cancel, close or
     * exception there), the wait ends with the IllegalStateException that a wait begun
     * after the failure gets; when the caller completes the future (a cancel from an
     * ordinary thread), with the future's outcome. Either way the session ends and closes.
     */
    @ParameterizedTest(name = "{0}, ended by {1}")
    @MethodSource("waitsAndEnds")
    void aCallbackWaitingForItsOwnFutureIsWokenWhenTheSessionFails(Wait wait, End end, WdsClient client)
            throws Exception {
        for (int i = 0; i < 3; i++) {
            RuntimeException thrown = new RuntimeException("a sibling callback failed");
            AtomicReference<Session> self = new AtomicReference<>();
            AtomicReference<Thread> waiter = new AtomicReference<>();
            AtomicReference<Throwable> waitedWith = new AtomicReference<>();
            AtomicBoolean ended = new AtomicBoolean();
            AtomicBoolean waiterParked = new AtomicBoolean();
            CountDownLatch waited = new CountDownLatch(1);
            ContentHandler handler = new ContentHandler() {
                @Override
                public void onContent(MemorySegment block, long offset) {
                    if (waiter.compareAndSet(null, Thread.currentThread())) {
                        CompletableFuture<Void> own = self.get().completion();
                        try {
                            switch (wait) {
                                case JOIN -> own.join();
                                case GET -> own.get();
                                // longer than the test's own guard: without the wake-up it would still wait
                                case TIMED_GET -> own.get(3 * GUARD_SECONDS, TimeUnit.SECONDS);
                                case JOIN_OF_A_DEPENDENT -> own.thenApply(v -> v).join();
                            }
                        } catch (Throwable t) {
                            waitedWith.set(t);
                        } finally {
                            waited.countDown();
                        }
                    } else if (end != End.CANCEL_FROM_OUTSIDE && waiter.get() != null && ended.compareAndSet(false, true)) {
                        waiterParked.set(awaitParked(waiter.get()));
                        switch (end) {
                            case SIBLING_CANCEL -> self.get().cancel();
                            case SIBLING_CLOSE -> self.get().close();
                            case SIBLING_THROWS -> throw thrown;
                            default -> throw new AssertionError(end);
                        }
                    }
                }
            };
            Session s = client.newSession(synthetic("8MiB?block=4KiB&threads=4&delay=100us&seed=" + i), handler);
            self.set(s);
            CompletableFuture<Void> f = s.start();
            if (end == End.CANCEL_FROM_OUTSIDE) {
                Thread w = awaitThread(waiter);
                waiterParked.set(awaitParked(w));
                f.cancel(false);
            }
            Throwable outcome = outcomeOrRelease(f, waited);
            assertThat(waiterParked).as("the waiting callback was parked before the session was ended").isTrue();
            assertThat(waited.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("the callback's wait ended").isTrue();
            if (end == End.CANCEL_FROM_OUTSIDE) {
                assertThat(unwrap(waitedWith.get())).as("the callback's %s ended with", wait)
                        .isInstanceOf(CancellationException.class);
            } else {
                assertThat(waitedWith.get()).as("the callback's %s ended with", wait)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("completes only after the callback returns");
            }
            if (end == End.SIBLING_THROWS) {
                assertThat(outcome).isSameAs(thrown);
            } else {
                assertThat(outcome).isInstanceOf(CancellationException.class);
            }
            s.close();
            assertThat(s.isClosed()).isTrue();
        }
    }
}
