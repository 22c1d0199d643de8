package io.github.wdstci.bench;

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
 * The session lifecycle: one whole session per operation (initialize,
 * register callbacks, start, receive a small object, complete, close) for
 * objects of 0 B and 4 KiB. Each consumer creates what a session needs
 * (the Session API and raw FFM: a shared arena and upcall stubs; JNA: its
 * callback objects); the stand-in starts a delivery thread per session, which
 * a JVM attaches on its first upcall. Score: us per session; the report gives
 * sessions/s. The C consumer runs the same loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LifecycleBenchmark {

    /** Bytes per object ({@code size}, not objectSize: the smoke pass's small objectSize must not replace it). */
    @Param({"0", "4096"})
    public long size;

    private String object;
    private WdsClient client;
    private TransferRequest request;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String path = Libraries.standin().path().toString();
        client = WdsClient.open();
        JnaDirect.register(path);
        object = Long.toString(size);
        request = Standin.transferRequest(object, Standin.CACHE_SIZE);
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
    }

    @Benchmark
    public long sessionApi() {
        return SessionApi.receive(client, request, true, null);
    }

    @Benchmark
    public long rawFfm() {
        return new FfmRawSession(true).run(object, Standin.CACHE_SIZE);
    }

    @Benchmark
    public long jna() {
        return new JnaSession(true).run(object, Standin.CACHE_SIZE);
    }
}
