package io.github.wdstci.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import io.github.wdstci.internal.NativeLibrary;

/**
 * The stand-in's harness exports (standin_diag.h; not in wdstci.h, so not in
 * the generated stubs), bound by hand. The handles are static finals, as
 * jextract's are, so that the JIT treats them as constants.
 */
final class FfmHarness {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final NativeLibrary LIB = Libraries.standin();

    /** {@code ULONG WdsStandinHarnessConstant(void)}, a plain downcall. */
    static final MethodHandle CONSTANT = handle("WdsStandinHarnessConstant", FunctionDescriptor.of(ValueLayout.JAVA_INT));

    /**
     * The same function with {@link Linker.Option#critical}: legitimate here,
     * as the function returns at once, never blocks and never calls back.
     */
    static final MethodHandle CONSTANT_CRITICAL = handle("WdsStandinHarnessConstant",
            FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false));

    /** {@code DWORD WdsStandinHarnessOpen(HANDLE *harness)} */
    static final MethodHandle OPEN = handle("WdsStandinHarnessOpen",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /**
     * {@code DWORD WdsStandinHarnessDeliver(HANDLE harness, PFN_ReceiveContents cb, HANDLE key,
     * PVOID callerData, ULONG blockSize, ULONGLONG count, ULONGLONG *elapsedNs)}: calls back, so never critical.
     */
    static final MethodHandle DELIVER = handle("WdsStandinHarnessDeliver",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    /** {@code DWORD WdsStandinHarnessClose(HANDLE harness)} */
    static final MethodHandle CLOSE = handle("WdsStandinHarnessClose",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private FfmHarness() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor d, Linker.Option... options) {
        MemorySegment addr = LIB.find(name).orElseThrow(() -> new IllegalStateException(
                name + " is not exported by " + LIB.path() + ": not the stand-in, or one built without harness.c"));
        return LINKER.downcallHandle(addr, d, options);
    }

    static int constant() {
        try {
            return (int) CONSTANT.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int constantCritical() {
        try {
            return (int) CONSTANT_CRITICAL.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Starts a harness thread; close it with {@link #close}. */
    static MemorySegment open() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Standin.check("WdsStandinHarnessOpen", (int) OPEN.invokeExact(out));
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Runs {@code count} callbacks on the harness thread; returns the loop's duration in ns (timed in C). */
    static long deliver(MemorySegment harness, MemorySegment callback, int blockSize, long count, MemorySegment elapsedOut) {
        try {
            Standin.check("WdsStandinHarnessDeliver", (int) DELIVER.invokeExact(harness, callback, MemorySegment.NULL,
                    MemorySegment.NULL, blockSize, count, elapsedOut));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return elapsedOut.get(ValueLayout.JAVA_LONG, 0);
    }

    static void close(MemorySegment harness) {
        try {
            Standin.check("WdsStandinHarnessClose", (int) CLOSE.invokeExact(harness));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
