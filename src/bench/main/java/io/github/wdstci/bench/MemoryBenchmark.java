package io.github.wdstci.bench;

import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Memory per live session: in a fresh JVM with Native Memory Tracking, after
 * a few whole sessions have warmed the process up (and the JIT compiled the
 * delivery path), {@code sessions} sessions of
 * 64 MiB (64 KiB blocks) are started and each holds its first block (its
 * delivery thread waits in the content callback), then the process's RSS and
 * NMT committed total are compared with their values just before (both after
 * a System.gc()). The growth has a part that does not depend on the number
 * of sessions (the JIT and the allocator at work while they start), so the
 * report also gives the marginal growth per session from 16 to 64 sessions.
 * The heap is fixed and touched up front (-Xms = -Xmx,
 * AlwaysPreTouch) so that its growth or shrinking does not pass for the
 * sessions' memory. The growth goes to the extras (rssTotal, rssPerSession,
 * nmtTotal, nmtPerSession, bytes; one value per measured shot); the JMH score is the time to open the sessions up to
 * their first blocks. One shot per fork; the Maven build runs several forks.
 * The C consumer measures RSS the same way, in a child process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 3, jvmArgsPrepend = {"-XX:NativeMemoryTracking=summary", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
public class MemoryBenchmark {

    private static final String OBJECT = "64MiB";
    private static final int WARM_UP_SESSIONS = 4;

    @Param({"1", "4", "16", "64"})
    public int sessions;

    private WdsClient client;
    private final Extras extras = new Extras();
    private CountDownLatch arrived;
    private CountDownLatch release;
    private final List<Session> apiSessions = new ArrayList<>();
    private final List<JnaSession> jnaSessions = new ArrayList<>();
    private long rssBefore;
    private long nmtBefore;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String path = Libraries.standin().path().toString();
        client = WdsClient.open();
        JnaDirect.register(path);
        // Whole sessions of each kind warm the process up (classes, stubs, JNA's dispatch, and
        // enough blocks that the JIT has compiled the delivery path before anything is measured).
        for (int i = 0; i < WARM_UP_SESSIONS; i++) {
            SessionApi.receive(client, Standin.transferRequest(OBJECT, Standin.CACHE_SIZE), true, null);
            new JnaSession(true).run(OBJECT, Standin.CACHE_SIZE);
        }
    }

    @Setup(Level.Iteration)
    public void baseline() {
        arrived = new CountDownLatch(sessions);
        release = new CountDownLatch(1);
        System.gc();
        rssBefore = ProcessMemory.rssBytes();
        nmtBefore = ProcessMemory.nmtCommittedBytes();
    }

    /** Called by each session's first block: counts it in, then holds the delivery thread. */
    private void hold() {
        arrived.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private BlockProbe firstBlockHolds() {
        boolean[] first = {true};
        return () -> {
            if (first[0]) {
                first[0] = false;
                hold();
            }
        };
    }

    private long rssGrowth;
    private long nmtGrowth;

    private void measure() {
        System.gc();
        rssGrowth = ProcessMemory.rssBytes() - rssBefore;
        long nmt = ProcessMemory.nmtCommittedBytes();
        nmtGrowth = nmt < 0 || nmtBefore < 0 ? Long.MIN_VALUE : nmt - nmtBefore;
    }

    @Benchmark
    public Object sessionApi() throws Exception {
        for (int i = 0; i < sessions; i++) {
            Session s = client.newSession(Standin.transferRequest(OBJECT, Standin.CACHE_SIZE),
                    new SessionApi.Sync(true, firstBlockHolds()));
            apiSessions.add(s);
            s.start();
        }
        arrived.await();
        measure();
        return apiSessions;
    }

    @Benchmark
    public Object jna() throws Exception {
        for (int i = 0; i < sessions; i++) {
            JnaSession s = new JnaSession(true, firstBlockHolds());
            jnaSessions.add(s);
            s.start(OBJECT, Standin.CACHE_SIZE);
        }
        arrived.await();
        measure();
        return jnaSessions;
    }

    @TearDown(Level.Iteration)
    public void closeSessions(IterationParams iteration) {
        for (Session s : apiSessions) {
            s.cancel();
        }
        for (JnaSession s : jnaSessions) {
            s.cancel();
        }
        release.countDown();
        for (Session s : apiSessions) {
            s.close();
        }
        for (JnaSession s : jnaSessions) {
            s.finish(false);
        }
        apiSessions.clear();
        jnaSessions.clear();
        if (iteration.getType() == IterationType.MEASUREMENT) {
            extras.add("rssTotal", rssGrowth);
            extras.add("rssPerSession", (double) rssGrowth / sessions);
            if (nmtGrowth != Long.MIN_VALUE) {
                extras.add("nmtTotal", nmtGrowth);
                extras.add("nmtPerSession", (double) nmtGrowth / sessions);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close(BenchmarkParams params) {
        client.close();
        extras.write(params);
    }
}
