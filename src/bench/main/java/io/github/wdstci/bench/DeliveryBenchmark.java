package io.github.wdstci.bench;

import java.util.concurrent.TimeUnit;

import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsClient;
import io.github.wdstci.bench.jna.JnaDirect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The stand-in's delivery thread invoking the content callback, FFM upcall
 * stub against JNA Callback: {@value Standin#UPCALL_BLOCKS} blocks per
 * operation, with the stand-in writing no content ({@code fill=0&poison=0}),
 * so the score (ns per block) is the callback round trip: the stand-in's
 * bookkeeping, the upcall, and the CompleteReceive downcall each binding
 * makes from inside it. Session setup is amortised over the blocks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UpcallBenchmark {

    @Param({"4096", "65536", "1048576"})
    public int blockSize;

    private String object;
    private WdsClient client;
    private TransferRequest request;

    @Setup(Level.Trial)
    public void open() throws Exception {
        client = WdsClient.open();                // also Initialize for the raw and JNA sessions
        JnaDirect.register(Standin.LIBRARY);
        object = Standin.upcallObject(blockSize);
        request = TransferRequest.newBuilder().server("bench").namespace("synthetic").objectName(object)
                .cacheSize(TransferRequest.NO_CACHE).build();
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
    }

    @Benchmark
    @OperationsPerInvocation(Standin.UPCALL_BLOCKS)
    public long ffm() {
        return new FfmRawSession(false).run(object, 0);
    }

    /** The Session API's zero-copy path over the same blocks: its per-block cost and allocation. */
    @Benchmark
    @OperationsPerInvocation(Standin.UPCALL_BLOCKS)
    public long sessionApi() {
        client.receive(request, (block, offset) -> { }).join();
        return request.cacheSize();
    }

    @Benchmark
    @OperationsPerInvocation(Standin.UPCALL_BLOCKS)
    public long jna() {
        return new JnaSession(false).run(object, 0);
    }
}
