package io.github.wdstci.bench;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.nio.LongBuffer;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import io.github.wdstci.bench.jna.JnaDirect;
import io.github.wdstci.bench.jna.JnaWdstci;

/**
 * One session through JNA, written as a competent JNA user would: direct
 * mapping for the calls, one instance of each callback held in a field for
 * the session's life, the delivery thread attached once (a
 * {@link CallbackThreadInitializer} that does not detach), blocks read
 * through a direct ByteBuffer view rather than a native call per word.
 *
 * <p>The request struct is built with FFM (setup, outside anything measured
 * per block) and handed over by address.
 */
final class JnaSession {

    private static final CallbackThreadInitializer STAY_ATTACHED =
            new CallbackThreadInitializer(true, false, "wdstci-jna-callback");

    private final boolean touch;
    private long sum;
    private long blocks;
    private volatile Throwable error;
    private volatile int result = -1;

    // Strongly reachable for the session's life: JNA keeps callbacks only weakly.
    private final JnaWdstci.SessionStart onStart = (h, callerData, fileSize) -> { };
    private final JnaWdstci.ReceiveContents onContents = this::onReceiveContents;
    private final JnaWdstci.SessionComplete onComplete = (h, callerData, err) -> result = err;

    JnaSession(boolean touch) {
        this.touch = touch;
        Native.setCallbackThreadInitializer(onStart, STAY_ATTACHED);
        Native.setCallbackThreadInitializer(onContents, STAY_ATTACHED);
        Native.setCallbackThreadInitializer(onComplete, STAY_ATTACHED);
    }

    long run(String object, int cacheSize) {
        Memory handleOut = new Memory(Native.POINTER_SIZE);
        Pointer h;
        try (Arena arena = Arena.ofConfined()) {
            Pointer request = new Pointer(Standin.request(arena, object, cacheSize).address());
            Standin.check("InitializeSession", JnaDirect.WdsTransportClientInitializeSession(request, null, handleOut));
            h = handleOut.getPointer(0);
        }
        try {
            Standin.check("RegisterCallback", JnaDirect.WdsTransportClientRegisterCallback(h, 0, onStart));
            Standin.check("RegisterCallback", JnaDirect.WdsTransportClientRegisterCallback(h, 1, onContents));
            Standin.check("RegisterCallback", JnaDirect.WdsTransportClientRegisterCallback(h, 2, onComplete));
            Standin.check("StartSession", JnaDirect.WdsTransportClientStartSession(h));
            Standin.check("WaitForCompletion", JnaDirect.WdsTransportClientWaitForCompletion(h, Standin.INFINITE));
        } finally {
            JnaDirect.WdsTransportClientCloseSession(h);
        }
        if (error != null) {
            throw new IllegalStateException("a callback failed", error);
        }
        Standin.check("session", result);
        return touch ? sum : blocks;
    }

    private void onReceiveContents(Pointer h, Pointer callerData, Pointer contents, int size, Pointer offset) {
        try {
            if (touch) {
                LongBuffer words = contents.getByteBuffer(0, Integer.toUnsignedLong(size))
                        .order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
                long s = 0;
                for (int i = 0, n = words.remaining(); i < n; i++) {
                    s += words.get(i);
                }
                sum += s;
            }
            blocks++;
            JnaDirect.WdsTransportClientCompleteReceive(h, size, offset);
        } catch (Throwable t) {
            error = t;
            JnaDirect.WdsTransportClientCancelSession(h);
        }
    }
}
