package io.github.wdstci.bench;

import static io.github.wdstci.internal.ffi.wdstci_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import io.github.wdstci.bench.jna.JnaDirect;
import io.github.wdstci.bench.jna.JnaHarness;
import io.github.wdstci.bench.jna.JnaHarnessLibrary;
import io.github.wdstci.bench.jna.JnaWdstci;
import io.github.wdstci.internal.Wdstptc;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveContents;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionComplete;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStart;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Isolated downcalls, next to a real one:
 * <ul>
 *   <li>{@code constant*}: WdsStandinHarnessConstant, which returns a constant
 *       (the call alone), through FFM (plain, and with
 *       {@code Linker.Option.critical}, legitimate for a function this short
 *       that never blocks or calls back), JNA direct and JNA interface mapping;</li>
 *   <li>{@code queryStatus*}: QueryStatus on a live session (started, waiting
 *       1000 s before its first block), which takes the stand-in's locks:
 *       FFM (the generated stub), JNA direct and interface. Not critical: a
 *       transport's status call may block on a lock.</li>
 * </ul>
 * The C consumer measures both calls as the floor. Out-parameters are
 * allocated once, as any caller in a loop would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DowncallBenchmark {

    private static final class Jna {
        static final JnaWdstci LIB = JnaWdstci.load(Libraries.standinPath());
        static final JnaHarnessLibrary HARNESS = JnaHarnessLibrary.load(Libraries.standinPath());
    }

    private Arena arena;
    private MemorySegment handle;
    private MemorySegment status;
    private MemorySegment error;

    private Pointer jnaHandle;
    private Memory jnaStatus;
    private Memory jnaError;

    @Setup(Level.Trial)
    public void open() {
        Libraries.standin();
        Standin.check("Initialize", Wdstptc.initialize());
        arena = Arena.ofShared();
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        Standin.check("InitializeSession", Wdstptc.initializeSession(
                Standin.request(arena, "1MiB?delay=1000s", 0), MemorySegment.NULL, out));
        handle = out.get(ValueLayout.ADDRESS, 0);
        Standin.check("RegisterCallback", Wdstptc.registerCallback(handle,
                WDS_TRANSPORTCLIENT_SESSION_START(),
                PFN_WdsTransportClientSessionStart.allocate((h, c, s) -> { }, arena)));
        Standin.check("RegisterCallback", Wdstptc.registerCallback(handle,
                WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(),
                PFN_WdsTransportClientReceiveContents.allocate((h, c, p, n, o) -> { }, arena)));
        Standin.check("RegisterCallback", Wdstptc.registerCallback(handle,
                WDS_TRANSPORTCLIENT_SESSION_COMPLETE(),
                PFN_WdsTransportClientSessionComplete.allocate((h, c, e) -> { }, arena)));
        Standin.check("StartSession", Wdstptc.startSession(handle));
        status = arena.allocate(ValueLayout.JAVA_INT);
        error = arena.allocate(ValueLayout.JAVA_INT);

        JnaDirect.register(Libraries.standinPath());
        JnaHarness.register(Libraries.standinPath());
        jnaHandle = new Pointer(handle.address());
        jnaStatus = new Memory(4);
        jnaError = new Memory(4);
    }

    @TearDown(Level.Trial)
    public void close() {
        Wdstptc.cancelSession(handle);
        Wdstptc.waitForCompletion(handle, Standin.INFINITE);
        Wdstptc.closeSession(handle);
        arena.close();
        Wdstptc.shutdown();
    }

    @Benchmark
    public int constantFfm() {
        return FfmHarness.constant();
    }

    @Benchmark
    public int constantFfmCritical() {
        return FfmHarness.constantCritical();
    }

    @Benchmark
    public int constantJnaDirect() {
        return JnaHarness.WdsStandinHarnessConstant();
    }

    @Benchmark
    public int constantJnaInterface() {
        return Jna.HARNESS.WdsStandinHarnessConstant();
    }

    @Benchmark
    public int queryStatusFfm() {
        Wdstptc.queryStatus(handle, status, error);
        return status.get(ValueLayout.JAVA_INT, 0);
    }

    @Benchmark
    public int queryStatusJnaDirect() {
        JnaDirect.WdsTransportClientQueryStatus(jnaHandle, jnaStatus, jnaError);
        return jnaStatus.getInt(0);
    }

    @Benchmark
    public int queryStatusJnaInterface() {
        Jna.LIB.WdsTransportClientQueryStatus(jnaHandle, jnaStatus, jnaError);
        return jnaStatus.getInt(0);
    }
}
