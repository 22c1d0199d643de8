package io.github.wdstci.bench;

import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.concurrent.CountDownLatch;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import io.github.wdstci.bench.jna.JnaDirect;
import io.github.wdstci.bench.jna.JnaRequest;
import io.github.wdstci.bench.jna.JnaWdstci;

/**
 * One session through JNA, written as a competent JNA user would: direct
 * mapping for the calls, one instance of each callback held in a field for
 * the session's life, the delivery thread attached once (a
 * {@link CallbackThreadInitializer} that does not detach), blocks read
 * through a direct ByteBuffer view rather than a native call per word, the
 * request built with JNA {@link Memory}. Register {@link JnaDirect} first.
 */
final class JnaSession {

    private static final CallbackThreadInitializer STAY_ATTACHED =
            new CallbackThreadInitializer(true, false, "wdstci-jna-callback");
    private static final int ERROR_CANCELLED = 1223;

    private final boolean touch;
    private final BlockProbe probe;
    private final Memory handleOut = new Memory(Native.POINTER_SIZE);
    private Pointer handle;
    private long sum;
    private long blocks;
    private volatile Throwable error;
    private volatile int result = -1;
    private final CountDownLatch completed = new CountDownLatch(1);

    // Strongly reachable for the session's life: JNA keeps callbacks only weakly.
    private final JnaWdstci.SessionStart onStart = (h, callerData, fileSize) -> { };
    private final JnaWdstci.ReceiveContents onContents = this::onReceiveContents;
    private final JnaWdstci.SessionComplete onComplete = (h, callerData, err) -> {
        result = err;
        completed.countDown();
    };

    JnaSession(boolean touch) {
        this(touch, null);
    }

    JnaSession(boolean touch, BlockProbe probe) {
        this.touch = touch;
        this.probe = probe;
        Native.setCallbackThreadInitializer(onStart, STAY_ATTACHED);
        Native.setCallbackThreadInitializer(onContents, STAY_ATTACHED);
        Native.setCallbackThreadInitializer(onComplete, STAY_ATTACHED);
    }

    /** Receives the object; returns the checksum (touch) or the block count. */
    long run(String object, int cacheSize) {
        start(object, cacheSize);
        return finish(true);
    }

    void start(String object, int cacheSize) {
        JnaRequest request = new JnaRequest(object, cacheSize);
        Standin.check("InitializeSession",
                JnaDirect.WdsTransportClientInitializeSession(request.pointer(), null, handleOut));
        Reference.reachabilityFence(request);
        handle = handleOut.getPointer(0);
        try {
            Standin.check("RegisterCallback", JnaDirect.WdsTransportClientRegisterCallback(handle, 0, onStart));
            Standin.check("RegisterCallback", JnaDirect.WdsTransportClientRegisterCallback(handle, 1, onContents));
            Standin.check("RegisterCallback", JnaDirect.WdsTransportClientRegisterCallback(handle, 2, onComplete));
            Standin.check("StartSession", JnaDirect.WdsTransportClientStartSession(handle));
        } catch (RuntimeException e) {
            JnaDirect.WdsTransportClientCloseSession(handle);
            throw e;
        }
    }

    void cancel() {
        JnaDirect.WdsTransportClientCancelSession(handle);
    }

    /** Waits for completion and closes; unless {@code expectSuccess}, a cancelled session is fine too. */
    long finish(boolean expectSuccess) {
        try {
            // SessionComplete first, then WaitForCompletion (which returns at once): see Standin.awaitCompletion
            Standin.awaitCompletion(completed);
            Standin.check("WaitForCompletion", JnaDirect.WdsTransportClientWaitForCompletion(handle, Standin.INFINITE));
        } finally {
            JnaDirect.WdsTransportClientCloseSession(handle);
        }
        if (error != null) {
            throw new IllegalStateException("a callback failed", error);
        }
        if (expectSuccess || result != ERROR_CANCELLED) {
            Standin.check("session", result);
        }
        return touch ? sum : blocks;
    }


    private void onReceiveContents(Pointer h, Pointer callerData, Pointer contents, int size, Pointer offset) {
        try {
            if (probe != null) {
                probe.onBlock();
            }
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
