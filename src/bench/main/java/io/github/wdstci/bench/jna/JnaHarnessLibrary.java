package io.github.wdstci.bench.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The stand-in's harness exports through JNA interface mapping. */
public interface JnaHarnessLibrary extends Library {

    /** Loads the library at this path (the stand-in). */
    static JnaHarnessLibrary load(String path) {
        return Native.load(path, JnaHarnessLibrary.class);
    }

    int WdsStandinHarnessConstant();

    int WdsStandinHarnessOpen(Pointer harnessOut);

    int WdsStandinHarnessDeliver(Pointer harness, JnaWdstci.ReceiveContents callback, Pointer key, Pointer callerData,
                                 int blockSize, long count, Pointer elapsedOut);

    int WdsStandinHarnessClose(Pointer harness);
}
