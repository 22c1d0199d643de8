package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.internal.StandinDiagnostics;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The shared fixture of the Session API tests, against the stand-in.
 *
 * <ul>
 *   <li>Before each test: the stand-in holds no session, buffer or thread.</li>
 *   <li>A {@link WdsClient} parameter is a client opened for the test (default
 *       executor); {@link #open} opens more, e.g. with another executor.</li>
 *   <li>After each test: every client it opened is closed, each has no open
 *       session left, and the stand-in's counters (sessions, buffers, bytes,
 *       delivery threads) are back to zero, so a session that leaked, a block
 *       never completed or released, or a thread left running fails the test
 *       that caused it; and no CloseSession ran while another call on its
 *       handle had not returned.</li>
 * </ul>
 * Helpers that tests share live here too, so that no test borrows from another.
 */
public final class StandinExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    /** Guards waits for things that must happen; never a timing assertion. */
    public static final long GUARD_SECONDS = 60;

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StandinExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        awaitCountersZero("before the test (a previous test leaked)");
        context.getStore(NS).put("closesDuringCalls", StandinDiagnostics.closesDuringCalls());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        List<WdsClient> clients = (List<WdsClient>) context.getStore(NS).get("clients", List.class);
        if (clients != null) {
            for (WdsClient c : clients) {
                c.close();
                assertThat(c.openSessions()).as("sessions left open on a closed client").isZero();
            }
        }
        awaitCountersZero("after the test");
        assertThat(StandinDiagnostics.closesDuringCalls())
                .as("CloseSession calls made while another call on the session ran (a use after free with the DLL)")
                .isEqualTo(context.getStore(NS).get("closesDuringCalls", Long.class));
    }

    /** Waits (bounded) until the stand-in holds nothing: its threads wind down asynchronously. */
    static void awaitCountersZero(String when) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        long[] c = StandinDiagnostics.counters();
        while (!(c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            c = StandinDiagnostics.counters();
        }
        assertThat(c).as("stand-in sessions, buffers, bytes, threads " + when).containsExactly(0L, 0L, 0L, 0L);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == WdsClient.class || p.getParameter().getType() == Clients.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Clients clients = executor -> track(e, WdsClient.open(executor));
        if (p.getParameter().getType() == Clients.class) {
            return clients;
        }
        try {
            return track(e, WdsClient.open());
        } catch (WdsTransportException ex) {
            throw new AssertionError(ex);
        }
    }

    /** Opens clients that the fixture closes (and checks) after the test. */
    @FunctionalInterface
    public interface Clients {
        /** A client whose sessions complete on {@code executor}. */
        WdsClient open(java.util.concurrent.Executor executor) throws WdsTransportException;
    }

    private static WdsClient track(ExtensionContext context, WdsClient c) {
        @SuppressWarnings("unchecked")
        List<WdsClient> clients = (List<WdsClient>) context.getStore(NS).getOrComputeIfAbsent("clients",
                k -> new ArrayList<WdsClient>(), List.class);
        clients.add(c);
        return c;
    }

    // ---- helpers shared by the tests ------------------------------------------------------------

    /** A request for the stand-in's synthetic object {@code object} ("8MiB?order=shuffle", ...). */
    public static TransferRequest synthetic(String object) {
        return TransferRequest.newBuilder().server("wds.example").namespace("synthetic").objectName(object).build();
    }

    /** Waits (bounded) for {@code f} to fail and returns the exception it holds, unwrapped by nothing. */
    public static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the future did not fail in time", e);
        }
        throw new AssertionError("the future succeeded");
    }

    /** What a future holds as seen by a dependent stage ({@code handle}), without waiting on it. */
    public static Throwable heldBy(CompletableFuture<?> f) {
        assertThat(f).as("complete").isDone();
        return f.handle((v, t) -> t).join();
    }

    /** Unwraps one CompletionException, as a dependent stage receives a failure. */
    public static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /**
     * Occupies {@code executor} (a single-threaded one: its one thread) with a task that
     * waits until the returned latch is counted down (or the guard passes), so that work
     * submitted meanwhile queues behind it.
     */
    public static CountDownLatch occupy(java.util.concurrent.Executor executor) {
        CountDownLatch gate = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                gate.await(GUARD_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return gate;
    }

    /** Waits (bounded) until {@code t} is parked, as in a wait for a future; whether it is. */
    public static boolean awaitParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (System.nanoTime() - deadline < 0) {
            Thread.State state = t.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                return true;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return false;
    }
}
