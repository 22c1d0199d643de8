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
 * End to end: receiving a synthetic object (1 GiB) in memory, summing every
 * 64-bit word of every block (the same work as the C consumer), through the
 * Session API (sync and async), the raw FFM stubs and JNA. The stand-in
 * writes the synthetic content into each block, as a transport writes
 * received data. Score: ms per object; the report turns it into GiB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EndToEndBenchmark {

    @Param({"4096", "65536", "1048576"})
    public int blockSize;

    /** Bytes per object (the smoke pass makes it small). */
    @Param({"1073741824"})
    public long objectSize;

    private String object;
    private WdsClient client;
    private TransferRequest request;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String path = Libraries.standin().path().toString();
        client = WdsClient.open();                // also Initialize for the raw and JNA consumers
        JnaDirect.register(path);
        object = Standin.contentObject(objectSize, blockSize);
        request = Standin.transferRequest(object, Standin.CACHE_SIZE);
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
    }

    /** The Session API's zero-copy path: a ContentHandler sees each block as a read-only segment. */
    @Benchmark
    public long sessionApi() {
        return SessionApi.receive(client, request, true, null);
    }

    /** The async path: each block a Block, summed and released in the callback. */
    @Benchmark
    public long sessionApiAsync() throws Exception {
        return SessionApi.receiveAsync(client, request, true, null);
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
