package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.synthetic;
import static io.github.wdstci.StandinExtension.unwrap;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public way into a session crossed with every way a session ends, on
 * the default executor and on a single-threaded one. Each case asserts, from
 * the user's side: the listener hears the end exactly once, with the cause the
 * future holds (the same instance, or wrapped once by a dependent stage); the
 * future the user holds completes as the case says; only the handler kind the
 * entry point asks for is called; and (the fixture) nothing is left behind.
 */
@ExtendWith(StandinExtension.class)
@Tag("session")
class SessionEndingsTest {

    /** How the user gets the future. */
    enum Entry {
        /** {@code client.receive(...)}. */
        RECEIVE,
        /** {@code newSession(...).start()}. */
        START,
        /** {@code newAsyncSession(...).start()}. */
        ASYNC,
        /** {@code newSession(...)}, {@code completion()}, then {@code start()}. */
        COMPLETION,
        /** {@code newSession(...).start().thenApply(v -> v)}: a derived future. */
        DERIVED
    }

    /** How the session ends. */
    enum Ending {
        SUCCESS, TRANSPORT_FAILURE,
        THROW_AT_START, THROW_AT_METADATA, THROW_AT_BLOCK, THROW_AT_SUCCESS,
        CANCEL, OR_TIMEOUT, COMPLETE, SESSION_CANCEL,
        CLOSE, CLOSE_FROM_OTHER_THREAD, CLOSE_FROM_CALLBACK, CLOSE_FROM_STAGE, CLOSE_FROM_EXECUTOR_TASK,
        CLOSE_FROM_LISTENER, JOIN_FROM_EXECUTOR_TASK
    }

    /** Where sessions complete. */
    enum Exec { DEFAULT, SINGLE_THREAD }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Exec x : Exec.values()) {
            for (Entry e : Entry.values()) {
                for (Ending n : Ending.values()) {
                    if (e == Entry.RECEIVE && n == Ending.SESSION_CANCEL) {
                        continue;                     // receive hands out no session
                    }
                    if (x == Exec.SINGLE_THREAD && n == Ending.JOIN_FROM_EXECUTOR_TASK) {
                        continue;                     // not supported: the completion is queued behind the waiting task
                    }
                    all.add(Arguments.of(e, n, x));
                }
            }
        }
        return all.stream();
    }

    /** A session that takes a while (256 blocks, 2 ms apart), with metadata. */
    static final String SLOW = "16MiB?delay=2ms&meta=hello";

    @ParameterizedTest(name = "{0} x {1} x {2}")
    @MethodSource("cases")
    void theSessionEndsOnceAndTheFutureSaysHow(Entry entry, Ending ending, Exec exec, WdsClient defaultClient,
                                               StandinExtension.Clients clients) throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            WdsClient client = exec == Exec.SINGLE_THREAD ? clients.open(single) : defaultClient;
            run(entry, ending, client, exec == Exec.SINGLE_THREAD ? single : null);
        } finally {
            single.shutdown();
        }
    }

    private void run(Entry entry, Ending ending, WdsClient client, ExecutorService single) throws Exception {
        String object = switch (ending) {
            case SUCCESS, THROW_AT_START, THROW_AT_METADATA, THROW_AT_BLOCK, THROW_AT_SUCCESS -> "2MiB?meta=hello";
            case TRANSPORT_FAILURE -> "4MiB?fail=1236@1MiB&meta=hello";
            default -> SLOW;
        };
        ExecutorService taskExecutor = single != null ? single : Executors.newSingleThreadExecutor();
        Recorder rec = new Recorder();
        Throwable injected = switch (ending) {
            case THROW_AT_START -> rec.throwAt(Recorder.Point.START);
            case THROW_AT_METADATA -> rec.throwAt(Recorder.Point.METADATA);
            case THROW_AT_BLOCK -> rec.throwAt(Recorder.Point.BLOCK);
            case THROW_AT_SUCCESS -> rec.throwAt(Recorder.Point.SUCCESS);
            default -> null;
        };

        // Open the session the entry point's way; hooks that close are set before the start.
        Session session = switch (entry) {
            case RECEIVE -> null;
            case ASYNC -> client.newAsyncSession(synthetic(object), rec);
            default -> client.newSession(synthetic(object), rec);
        };
        Runnable close = session != null ? session::close : client::close;
        if (ending == Ending.CLOSE_FROM_CALLBACK) {
            rec.atFirstBlock = close;
        }
        if (ending == Ending.CLOSE_FROM_LISTENER) {
            rec.atSuccess = close;
        }
        CompletableFuture<Void> f = switch (entry) {
            case RECEIVE -> client.receive(synthetic(object), rec);
            case START, ASYNC -> session.start();
            case COMPLETION -> {
                // Taken before the start: a close from the first block may come before this thread
                // gets back from start(), and completion() refuses a closed session.
                CompletableFuture<Void> own = session.completion();
                session.start();
                yield own;
            }
            case DERIVED -> session.start().thenApply(v -> v);
        };
        AtomicInteger completions = new AtomicInteger();
        CompletableFuture<Void> counted = f.whenComplete((v, t) -> completions.incrementAndGet());

        // End it.
        switch (ending) {
            case CANCEL -> {
                rec.awaitFirstBlock();
                assertThat(f.cancel(true)).isTrue();
            }
            case OR_TIMEOUT -> f.orTimeout(20, TimeUnit.MILLISECONDS);
            case COMPLETE -> {
                rec.awaitFirstBlock();
                assertThat(f.complete(null)).isTrue();
            }
            case SESSION_CANCEL -> {
                rec.awaitFirstBlock();
                session.cancel();
            }
            case CLOSE -> {
                rec.awaitFirstBlock();
                close.run();
            }
            case CLOSE_FROM_OTHER_THREAD -> {
                rec.awaitFirstBlock();
                Thread t = new Thread(close);
                t.start();
                t.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
                assertThat(t.isAlive()).as("close() returned").isFalse();
            }
            case CLOSE_FROM_STAGE -> {
                rec.awaitFirstBlock();
                CompletableFuture<Void> trigger = new CompletableFuture<>();
                CompletableFuture<Void> done = trigger.thenRunAsync(close, client.executor());
                trigger.complete(null);
                done.get(GUARD_SECONDS, TimeUnit.SECONDS);
            }
            case CLOSE_FROM_EXECUTOR_TASK -> {
                rec.awaitFirstBlock();
                taskExecutor.submit(close).get(GUARD_SECONDS, TimeUnit.SECONDS);
            }
            case JOIN_FROM_EXECUTOR_TASK ->
                // a task of another executor waits: the session completes on its own executor meanwhile
                taskExecutor.submit(() -> f.handle((v, t) -> t).join()).get(GUARD_SECONDS, TimeUnit.SECONDS);
            default -> {
            }
        }
        rec.awaitEnd();
        counted.handle((v, t) -> null).get(GUARD_SECONDS, TimeUnit.SECONDS);
        Throwable held = StandinExtension.heldBy(f);

        // What the listener heard.
        Class<? extends Throwable> cancelled = CancellationException.class;
        boolean sessionUnaffected = entry == Entry.DERIVED
                && (ending == Ending.CANCEL || ending == Ending.OR_TIMEOUT || ending == Ending.COMPLETE);
        Throwable heard = null;
        switch (ending) {
            case SUCCESS, CLOSE_FROM_LISTENER, JOIN_FROM_EXECUTOR_TASK -> rec.assertSucceededOnce();
            case TRANSPORT_FAILURE -> {
                heard = rec.assertFailedOnce();
                assertThat(heard).isInstanceOf(WdsTransportException.class);
                assertThat(((WdsTransportException) heard).code()).isEqualTo(1236);
            }
            case THROW_AT_START, THROW_AT_METADATA, THROW_AT_BLOCK, THROW_AT_SUCCESS -> {
                heard = rec.assertFailedOnce();
                assertThat(heard).isSameAs(injected);
            }
            case CANCEL, COMPLETE -> {
                if (sessionUnaffected) {
                    rec.assertSucceededOnce();
                } else {
                    heard = rec.assertFailedOnce();
                    assertThat(heard).isInstanceOf(cancelled);
                }
            }
            case OR_TIMEOUT -> {
                if (sessionUnaffected) {
                    rec.assertSucceededOnce();
                } else {
                    heard = rec.assertFailedOnce();
                    assertThat(heard).isInstanceOf(TimeoutException.class);
                }
            }
            default -> {
                heard = rec.assertFailedOnce();
                assertThat(heard).isInstanceOf(cancelled);
            }
        }

        // What the user's future holds.
        assertThat(completions.get()).as("completions of the future").isEqualTo(1);
        switch (ending) {
            case COMPLETE -> assertThat(held).as("completed by the caller").isNull();
            case CANCEL -> assertThat(f.isCancelled()).isTrue();
            case OR_TIMEOUT -> assertThat(held).isInstanceOf(TimeoutException.class);
            default -> {
                if (heard == null) {
                    assertThat(held).as("the future succeeded").isNull();
                } else if (entry == Entry.DERIVED) {
                    assertThat(held).isInstanceOf(CompletionException.class);
                    assertThat(unwrap(held)).isSameAs(heard);
                } else if (heard instanceof CancellationException) {
                    assertThat(held).isInstanceOf(CancellationException.class);
                } else {
                    assertThat(held).as("the cause itself, not wrapped").isSameAs(heard);
                }
            }
        }

        // Only the handler kind the entry point asked for.
        if (entry == Entry.ASYNC) {
            assertThat(rec.syncBlocks.get()).as("onContent calls of an async session").isZero();
        } else {
            assertThat(rec.asyncBlocks.get()).as("onBlock calls of a sync session").isZero();
        }
        if (ending != Ending.OR_TIMEOUT || sessionUnaffected) {
            assertThat(rec.starts.get()).as("onStart calls").isEqualTo(1);   // a 20 ms timeout may come first
        } else {
            assertThat(rec.starts.get()).as("onStart calls").isLessThanOrEqualTo(1);
        }

        if (session != null) {
            session.close();
            assertThat(session.isClosed()).isTrue();
        }
        if (single == null) {
            taskExecutor.shutdown();
        }
    }
}
