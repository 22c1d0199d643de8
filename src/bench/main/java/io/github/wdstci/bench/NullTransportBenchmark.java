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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Each consumer's own cost per block, without the stand-in: the same
 * consumers as {@link DeliveryBenchmark}, unchanged, against the null
 * transport ({@code src/bench/main/c/nulltransport.c}), whose delivery
 * thread calls ReceiveContents in a tight loop from one fixed buffer and
 * whose CompleteReceive returns at once. So a block costs the upcall, the
 * consumer's dispatch and one (trivial) CompleteReceive downcall; this is how
 * the Session API's upcall path is measured without the stand-in's session
 * machinery. {@value Standin#NULL_BLOCKS} blocks of 64 KiB (no content) per
 * operation; score: ns per block. The C consumer runs the same loop
 * (delivery.null).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NullTransportBenchmark {

    private String object;
    private WdsClient client;
    private TransferRequest request;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String path = Libraries.nullTransport().path().toString();
        client = WdsClient.open();                // also Initialize for the raw and JNA consumers
        JnaDirect.register(path);
        object = Standin.deliveryObject(Standin.NULL_BLOCKS, Standin.ISOLATED_BLOCK);
        request = Standin.transferRequest(object, TransferRequest.NO_CACHE);
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
    }

    /** The Session API's synchronous path (ContentHandler, no-op body). */
    @Benchmark
    @OperationsPerInvocation(Standin.NULL_BLOCKS)
    public long sessionApi() {
        return SessionApi.receive(client, request, false, null);
    }

    /** The Session API's async path (AsyncContentHandler, each Block released in the callback). */
    @Benchmark
    @OperationsPerInvocation(Standin.NULL_BLOCKS)
    public long sessionApiAsync() throws Exception {
        return SessionApi.receiveAsync(client, request, false, null);
    }

    @Benchmark
    @OperationsPerInvocation(Standin.NULL_BLOCKS)
    public long rawFfm() {
        return new FfmRawSession(false).run(object, 0);
    }

    @Benchmark
    @OperationsPerInvocation(Standin.NULL_BLOCKS)
    public long jna() {
        return new JnaSession(false).run(object, 0);
    }
}
