package io.github.wdstci.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsClient;
import io.github.wdstci.bench.jna.JnaDirect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Concurrent sessions: one operation starts {@code sessions} sessions of
 * {@code sessionSize} bytes (64 MiB, 64 KiB blocks, synthetic content, every
 * word summed) at once and waits for all of them; each has the stand-in's
 * delivery thread of its own. Score: ms per operation; the report gives the
 * aggregate GiB/s. The C consumer does the same with its own sessions.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConcurrencyBenchmark {

    @Param({"1", "4", "16", "64"})
    public int sessions;

    /** Bytes per session (the smoke pass makes it small). */
    @Param({"67108864"})
    public long sessionSize;

    private String object;
    private WdsClient client;
    private TransferRequest request;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String path = Libraries.standin().path().toString();
        client = WdsClient.open();
        JnaDirect.register(path);
        object = Long.toString(sessionSize);
        request = Standin.transferRequest(object, Standin.CACHE_SIZE);
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
    }

    @Benchmark
    public long sessionApi() {
        List<SessionApi.Sync> handlers = new ArrayList<>(sessions);
        List<CompletableFuture<Void>> done = new ArrayList<>(sessions);
        for (int i = 0; i < sessions; i++) {
            SessionApi.Sync h = new SessionApi.Sync(true, null);
            handlers.add(h);
            done.add(client.receive(request, h));
        }
        long sum = 0;
        for (int i = 0; i < sessions; i++) {
            done.get(i).join();
            sum += handlers.get(i).sum;
        }
        return sum;
    }

    @Benchmark
    public long jna() {
        List<JnaSession> running = new ArrayList<>(sessions);
        RuntimeException failure = null;
        try {
            for (int i = 0; i < sessions; i++) {
                JnaSession s = new JnaSession(true);
                s.start(object, Standin.CACHE_SIZE);
                running.add(s);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        long sum = 0;
        for (JnaSession s : running) {       // every started session, even after a failed start
            try {
                sum += s.finish(true);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return sum;
    }
}
