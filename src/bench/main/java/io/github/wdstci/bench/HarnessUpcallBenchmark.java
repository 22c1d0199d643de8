package io.github.wdstci.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import io.github.wdstci.bench.jna.JnaHarness;
import io.github.wdstci.bench.jna.JnaHarnessLibrary;
import io.github.wdstci.bench.jna.JnaWdstci;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveContents;
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
 * The upcall alone: the stand-in's harness thread calls a ReceiveContents-
 * shaped callback {@value Standin#HARNESS_CALLS} times in a tight loop (one
 * fixed buffer, no lock, map or pool), and the callback counts the call.
 * Score: ns per callback, the harness's hand-off amortised over the loop.
 * One harness thread for the whole trial, attached to the JVM once, as a
 * transport's delivery thread is.
 * <ul>
 *   <li>{@code ffm}: an FFM upcall stub (jextract's PFN_ allocator);</li>
 *   <li>{@code jnaDirect}: JNA's best configuration: the harness bound by
 *       direct mapping (so the callback takes JNA's direct dispatch path), one
 *       callback instance for the trial, a CallbackThreadInitializer that keeps
 *       the thread attached;</li>
 *   <li>{@code jnaInterface}: the same through interface mapping.</li>
 * </ul>
 * The C consumer calls a C function pointer through the same harness.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HarnessUpcallBenchmark {

    private static final CallbackThreadInitializer STAY_ATTACHED =
            new CallbackThreadInitializer(true, false, "wdstci-jna-harness");

    private Arena arena;
    private MemorySegment harness;
    private MemorySegment ffmStub;
    private MemorySegment elapsed;
    private long ffmCount;
    private volatile Throwable failure;

    private Pointer jnaHarness;
    private Memory jnaElapsed;
    private JnaHarnessLibrary jnaLibrary;
    private long jnaCount;
    // Strongly reachable for the trial: JNA keeps callbacks only weakly.
    private final JnaWdstci.ReceiveContents jnaCallback = this::onJnaContents;

    @Setup(Level.Trial)
    public void open() {
        arena = Arena.ofShared();
        harness = FfmHarness.open();
        ffmStub = PFN_WdsTransportClientReceiveContents.allocate(this::onFfmContents, arena);
        elapsed = arena.allocate(ValueLayout.JAVA_LONG);

        String path = Libraries.standinPath();
        JnaHarness.register(path);
        jnaLibrary = JnaHarnessLibrary.load(path);
        Native.setCallbackThreadInitializer(jnaCallback, STAY_ATTACHED);
        jnaHarness = new Pointer(harness.address());
        jnaElapsed = new Memory(8);
    }

    @TearDown(Level.Trial)
    public void close() {
        FfmHarness.close(harness);
        arena.close();
        if (failure != null) {
            throw new IllegalStateException("a callback failed", failure);
        }
    }

    // void ReceiveContents(HANDLE, PVOID, PVOID pContents, ULONG ulSize, PULARGE_INTEGER pullContentOffset)
    private void onFfmContents(MemorySegment h, MemorySegment callerData, MemorySegment contents, int size,
                               MemorySegment offset) {
        try {
            ffmCount++;
        } catch (Throwable t) {     // every upcall body catches everything (nothing here can throw)
            failure = t;
        }
    }

    private void onJnaContents(Pointer h, Pointer callerData, Pointer contents, int size, Pointer offset) {
        try {
            jnaCount++;
        } catch (Throwable t) {
            failure = t;
        }
    }

    @Benchmark
    @OperationsPerInvocation(Standin.HARNESS_CALLS)
    public long ffm() {
        FfmHarness.deliver(harness, ffmStub, Standin.ISOLATED_BLOCK, Standin.HARNESS_CALLS, elapsed);
        return ffmCount;
    }

    @Benchmark
    @OperationsPerInvocation(Standin.HARNESS_CALLS)
    public long jnaDirect() {
        Standin.check("WdsStandinHarnessDeliver", JnaHarness.WdsStandinHarnessDeliver(jnaHarness, jnaCallback, null,
                null, Standin.ISOLATED_BLOCK, Standin.HARNESS_CALLS, jnaElapsed));
        return jnaCount;
    }

    @Benchmark
    @OperationsPerInvocation(Standin.HARNESS_CALLS)
    public long jnaInterface() {
        Standin.check("WdsStandinHarnessDeliver", jnaLibrary.WdsStandinHarnessDeliver(jnaHarness, jnaCallback, null,
                null, Standin.ISOLATED_BLOCK, Standin.HARNESS_CALLS, jnaElapsed));
        return jnaCount;
    }
}
