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
 * The realistic delivery path without content: the stand-in's delivery
 * thread with its per-block bookkeeping (locks, the outstanding map, the
 * buffer pool), the upcall, the consumer's dispatch and its CompleteReceive
 * (or, async, Block.release) back into the stand-in. {@value Standin#DELIVERY_BLOCKS}
 * blocks per operation, no content written ({@code fill=0&poison=0}); score:
 * ns per block. Session setup is amortised over the blocks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DeliveryBenchmark {

    @Param({"4096", "65536", "1048576"})
    public int blockSize;

    private String object;
    private WdsClient client;
    private TransferRequest request;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String path = Libraries.standin().path().toString();
        client = WdsClient.open();                // also Initialize for the raw and JNA consumers
        JnaDirect.register(path);
        object = Standin.deliveryObject(Standin.DELIVERY_BLOCKS, blockSize);
        request = Standin.transferRequest(object, TransferRequest.NO_CACHE);
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
    }

    @Benchmark
    @OperationsPerInvocation(Standin.DELIVERY_BLOCKS)
    public long rawFfm() {
        return new FfmRawSession(false).run(object, 0);
    }

    /** The Session API's zero-copy synchronous path. */
    @Benchmark
    @OperationsPerInvocation(Standin.DELIVERY_BLOCKS)
    public long sessionApi() {
        return SessionApi.receive(client, request, false, null);
    }

    /** The Session API's async path: AddRefBuffer, a Block, its release (ReleaseBuffer, CompleteReceive). */
    @Benchmark
    @OperationsPerInvocation(Standin.DELIVERY_BLOCKS)
    public long sessionApiAsync() throws Exception {
        return SessionApi.receiveAsync(client, request, false, null);
    }

    @Benchmark
    @OperationsPerInvocation(Standin.DELIVERY_BLOCKS)
    public long jna() {
        return new JnaSession(false).run(object, 0);
    }
}
