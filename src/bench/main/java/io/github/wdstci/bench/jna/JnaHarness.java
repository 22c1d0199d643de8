package io.github.wdstci.bench.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The stand-in's harness exports (standin_diag.h) through JNA direct mapping:
 * a callback passed through a direct-mapped function is dispatched on JNA's
 * direct path, its fastest. Separate from {@link JnaDirect}, which must also
 * register against the null transport, which lacks these.
 */
public final class JnaHarness {

    private static volatile boolean registered;

    private JnaHarness() {
    }

    /** Binds the natives to the library at this path; once per JVM. */
    public static synchronized void register(String path) {
        if (!registered) {
            Native.register(JnaHarness.class, NativeLibrary.getInstance(path));
            registered = true;
        }
    }

    public static native int WdsStandinHarnessConstant();

    public static native int WdsStandinHarnessOpen(Pointer harnessOut);

    public static native int WdsStandinHarnessDeliver(Pointer harness, JnaWdstci.ReceiveContents callback, Pointer key,
                                                      Pointer callerData, int blockSize, long count, Pointer elapsedOut);

    public static native int WdsStandinHarnessClose(Pointer harness);
}
