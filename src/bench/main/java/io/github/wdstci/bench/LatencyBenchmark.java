package io.github.wdstci.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsClient;
import io.github.wdstci.bench.jna.JnaDirect;
import org.HdrHistogram.Histogram;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Latency per block: the time between the starts of consecutive content
 * callbacks on the delivery thread (System.nanoTime, first thing in the
 * consumer's callback), which is how long the receiver takes to come back for
 * the next block: the stand-in's delivery work (content written), the upcall,
 * the consumer's dispatch and work (every word summed) and the completion. A
 * GC pause or a safepoint on the way shows as one long gap. A multicast
 * receiver that stalls loses packets, so the tail matters.
 *
 * <p>Recorded into an HdrHistogram per iteration; for each measured
 * iteration the extras get p50, p99, p99.9 and max (ns) and the GC count and
 * time during it (GarbageCollectorMXBeans). The JMH score is the time per
 * object (256 MiB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LatencyBenchmark {

    @Param({"4096", "65536"})
    public int blockSize;

    /** Bytes per object (the smoke pass makes it small). */
    @Param({"268435456"})
    public long objectSize;

    private String object;
    private WdsClient client;
    private TransferRequest request;
    private final Extras extras = new Extras();
    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long last;
    private long gcCount;
    private long gcTime;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String path = Libraries.standin().path().toString();
        client = WdsClient.open();
        JnaDirect.register(path);
        object = Standin.contentObject(objectSize, blockSize);
        request = Standin.transferRequest(object, Standin.CACHE_SIZE);
    }

    @Setup(Level.Iteration)
    public void reset() {
        histogram.reset();
        gcCount = gcCount();
        gcTime = gcTime();
    }

    /** On the delivery thread, the only writer; read after the session completed. */
    private void onBlock() {
        long now = System.nanoTime();
        if (last != 0) {
            histogram.recordValue(Math.min(now - last, histogram.getHighestTrackableValue()));
        }
        last = now;
    }

    @TearDown(Level.Iteration)
    public void record(IterationParams iteration) {
        if (iteration.getType() != IterationType.MEASUREMENT || histogram.getTotalCount() == 0) {
            return;
        }
        extras.add("p50", histogram.getValueAtPercentile(50));
        extras.add("p99", histogram.getValueAtPercentile(99));
        extras.add("p999", histogram.getValueAtPercentile(99.9));
        extras.add("max", histogram.getMaxValue());
        extras.add("samples", histogram.getTotalCount());
        extras.add("gcCount", gcCount() - gcCount);
        extras.add("gcTimeMs", gcTime() - gcTime);
    }

    @TearDown(Level.Trial)
    public void close(BenchmarkParams params) {
        client.close();
        extras.write(params);
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long gcTime() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }

    @Benchmark
    public long sessionApi() {
        last = 0;
        return SessionApi.receive(client, request, true, this::onBlock);
    }

    @Benchmark
    public long jna() {
        last = 0;
        return new JnaSession(true, this::onBlock).run(object, Standin.CACHE_SIZE);
    }
}
