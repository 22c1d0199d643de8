package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.causeOf;
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
import org.junit.jupiter.params.provider.EnumSource;

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

    /**
     * A callback that waits for its own session's future could never see it complete
     * (the transport ends the session only once every callback has returned): each way
     * of waiting is refused at once, on whichever of the session's threads it comes, and
     * the session goes on to its end.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Wait.class)
    void aCallbackWaitingForItsOwnFutureIsRefusedAtOnce(Wait wait, WdsClient client) throws Exception {
        for (int i = 0; i < 3; i++) {
            AtomicReference<Session> self = new AtomicReference<>();
            java.util.Queue<Throwable> waitedWith = new java.util.concurrent.ConcurrentLinkedQueue<>();
            AtomicInteger waits = new AtomicInteger();
            ContentHandler handler = new ContentHandler() {
                @Override
                public void onContent(MemorySegment block, long offset) {
                    if (waits.getAndIncrement() % 64 == 0) {
                        CompletableFuture<Void> own = self.get().completion();
                        try {
                            switch (wait) {
                                case JOIN -> own.join();
                                case GET -> own.get();
                                case TIMED_GET -> own.get(3 * GUARD_SECONDS, TimeUnit.SECONDS);
                                case JOIN_OF_A_DEPENDENT -> own.thenApply(v -> v).join();
                            }
                            waitedWith.add(new AssertionError("the wait returned"));
                        } catch (Throwable t) {
                            waitedWith.add(t);
                        }
                    }
                }
            };
            Session s = client.newSession(synthetic("8MiB?block=4KiB&threads=4&delay=100us&seed=" + i), handler);
            self.set(s);
            s.start().get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(waitedWith).as("what the callbacks' waits ended with").hasSize(2048 / 64)
                    .allSatisfy(t -> assertThat(t).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("completes only after the callback returns"));
            s.close();
        }
    }
}
