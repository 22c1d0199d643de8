package io.github.wdstci.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.Session;
import io.github.wdstci.WdsClient;
import io.github.wdstci.bench.jna.JnaDirect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cold start: in a fresh JVM (every fork is one, and nothing before the
 * measured call has touched the binding, FFM or JNA), the time from the
 * first call into the binding to the first block delivered to the consumer:
 * class loading and linking, loading the library, Initialize, the session,
 * the delivery thread's attach, the first upcall. One shot per fork, many
 * forks (the Maven build runs it with its own fork count). The object is
 * 64 KiB in 4 KiB blocks; the rest of it is received after the clock stops.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class ColdStartBenchmark {

    private static final String OBJECT = "65536?block=4096";

    private WdsClient client;
    private Session session;
    private JnaSession jnaSession;

    @TearDown(Level.Trial)
    public void close() {
        if (session != null) {
            session.completion().join();
            session.close();
            client.close();
        }
        if (jnaSession != null) {
            jnaSession.finish(true);
            JnaDirect.WdsTransportClientShutdown();
        }
    }

    @Benchmark
    public Object sessionApi() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        client = WdsClient.open();
        session = client.newSession(Standin.transferRequest(OBJECT, Standin.CACHE_SIZE),
                new SessionApi.Sync(false, first::countDown));
        session.start();
        first.await();
        return session;
    }

    @Benchmark
    public Object jna() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        JnaDirect.register(Libraries.standinPath());
        Standin.check("Initialize", JnaDirect.WdsTransportClientInitialize());
        jnaSession = new JnaSession(false, first::countDown);
        jnaSession.start(OBJECT, Standin.CACHE_SIZE);
        first.await();
        return jnaSession;
    }
}
