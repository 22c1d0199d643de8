package io.github.wdstci.bench.jna;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The same functions through JNA direct mapping ({@link Native#register}):
 * static natives, JNA's fastest call path. The callback types are those of
 * {@link JnaWdstci}.
 */
public final class JnaDirect {

    private static volatile boolean registered;

    private JnaDirect() {
    }

    /** Binds the natives to the library at this path; once per JVM. */
    public static synchronized void register(String path) {
        if (!registered) {
            Native.register(JnaDirect.class, NativeLibrary.getInstance(path));
            registered = true;
        }
    }

    public static native int WdsTransportClientInitialize();

    public static native int WdsTransportClientShutdown();

    public static native int WdsTransportClientInitializeSession(Pointer request, Pointer callerData, Pointer sessionKeyOut);

    public static native int WdsTransportClientRegisterCallback(Pointer session, int callbackId, Callback callback);

    public static native int WdsTransportClientStartSession(Pointer session);

    public static native int WdsTransportClientCompleteReceive(Pointer session, int size, Pointer offset);

    public static native int WdsTransportClientCancelSession(Pointer session);

    public static native int WdsTransportClientWaitForCompletion(Pointer session, int timeoutMillis);

    public static native int WdsTransportClientQueryStatus(Pointer session, Pointer status, Pointer errorCode);

    public static native int WdsTransportClientCloseSession(Pointer session);
}
