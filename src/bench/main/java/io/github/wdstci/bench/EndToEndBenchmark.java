package io.github.wdstci.bench;

import java.util.concurrent.TimeUnit;

import io.github.wdstci.ContentHandler;
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
 * Receiving a 1 GiB synthetic object in memory, summing every 64-bit word of
 * every block (the same work as the C consumer), through the Session API
 * ({@code ContentHandler}), the raw FFM stubs and JNA. The stand-in writes
 * the synthetic content into each block, as a transport writes received
 * data; the C consumer of the same library is the floor. Score: ms per GiB;
 * the report turns it into bytes/s and ns per block.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EndToEndBenchmark {

    @Param({"4096", "65536", "1048576"})
    public int blockSize;

    private String object;
    private WdsClient client;
    private TransferRequest request;

    @Setup(Level.Trial)
    public void open() throws Exception {
        client = WdsClient.open();                // also Initialize for the raw and JNA consumers
        JnaDirect.register(Standin.LIBRARY);
        object = Standin.endToEndObject(blockSize);
        request = TransferRequest.newBuilder().server("bench").namespace("synthetic").objectName(object).build();
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
    }

    /** The Session API's zero-copy path: a ContentHandler sees each block as a read-only segment. */
    @Benchmark
    public long sessionApi() throws Exception {
        Summing handler = new Summing();
        client.receive(request, handler).join();
        return handler.sum;
    }

    @Benchmark
    public long rawFfm() {
        return new FfmRawSession(true).run(object, (int) TransferRequest.DEFAULT_CACHE_SIZE);
    }

    @Benchmark
    public long jna() {
        return new JnaSession(true).run(object, (int) TransferRequest.DEFAULT_CACHE_SIZE);
    }

    static final class Summing implements ContentHandler {
        long sum;

        @Override
        public void onContent(java.lang.foreign.MemorySegment block, long offset) {
            sum += Standin.sum(block);
        }
    }
}
