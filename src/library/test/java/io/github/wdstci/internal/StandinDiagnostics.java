package io.github.wdstci.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The stand-in's own counters (WdsStandinQueryCounters), for tests of every layer. */
public final class StandinDiagnostics {

    private static final MethodHandle QUERY_COUNTERS;

    static {
        NativeLibrary lib = NativeLibrary.load();
        QUERY_COUNTERS = Linker.nativeLinker().downcallHandle(
                lib.find("WdsStandinQueryCounters").orElseThrow(
                        () -> new AssertionError("WdsStandinQueryCounters is not exported by " + lib.path())),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private StandinDiagnostics() {
    }

    /**
     * CloseSession calls made while another call on the same handle had not
     * returned, since the stand-in was loaded: a use after free with the real
     * DLL. The stand-in survives it, and counts it.
     */
    public static long closesDuringCalls() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 5);
            int rc = (int) QUERY_COUNTERS.invokeExact(out, 5);
            if (rc != 0) {
                throw new AssertionError("WdsStandinQueryCounters failed: " + rc);
            }
            return out.getAtIndex(ValueLayout.JAVA_LONG, 4);
        } catch (Throwable t) {
            throw t instanceof AssertionError a ? a : new AssertionError(t);
        }
    }

    /** Live sessions, live buffers, live buffer bytes, live delivery threads. */
    public static long[] counters() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 4);
            int rc = (int) QUERY_COUNTERS.invokeExact(out, 4);
            if (rc != 0) {
                throw new AssertionError("WdsStandinQueryCounters failed: " + rc);
            }
            return out.toArray(ValueLayout.JAVA_LONG);
        } catch (Throwable t) {
            throw t instanceof AssertionError a ? a : new AssertionError(t);
        }
    }
}
