package io.github.wdstci.bench.jna;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * wdstci.h through JNA interface mapping, as a JNA user would write it:
 * handles and out-parameters as {@link Pointer}s into memory the caller
 * allocates once, callbacks as {@link Callback} interfaces held in fields.
 */
public interface JnaWdstci extends Library {

    /** Loads the library at this path (the stand-in, or WDSTPTC.dll). */
    static JnaWdstci load(String path) {
        return Native.load(path, JnaWdstci.class);
    }

    int WdsTransportClientInitialize();

    int WdsTransportClientShutdown();

    /** {@code (PWDS_TRANSPORTCLIENT_REQUEST, PVOID pCallerData, PHANDLE hSessionKey)} */
    int WdsTransportClientInitializeSession(Pointer request, Pointer callerData, Pointer sessionKeyOut);

    int WdsTransportClientRegisterCallback(Pointer session, int callbackId, Callback callback);

    int WdsTransportClientStartSession(Pointer session);

    /** {@code (HANDLE, ULONG cbSize, PULARGE_INTEGER pullOffset)} */
    int WdsTransportClientCompleteReceive(Pointer session, int size, Pointer offset);

    int WdsTransportClientCancelSession(Pointer session);

    int WdsTransportClientWaitForCompletion(Pointer session, int timeoutMillis);

    /** {@code (HANDLE, PULONG puStatus, PULONG puErrorCode)} */
    int WdsTransportClientQueryStatus(Pointer session, Pointer status, Pointer errorCode);

    int WdsTransportClientCloseSession(Pointer session);

    /** PFN_WdsTransportClientSessionStart: {@code (HANDLE, PVOID, PULARGE_INTEGER FileSize)} */
    interface SessionStart extends Callback {
        void invoke(Pointer session, Pointer callerData, Pointer fileSize);
    }

    /** PFN_WdsTransportClientReceiveContents: {@code (HANDLE, PVOID, PVOID pContents, ULONG, PULARGE_INTEGER)} */
    interface ReceiveContents extends Callback {
        void invoke(Pointer session, Pointer callerData, Pointer contents, int size, Pointer offset);
    }

    /** PFN_WdsTransportClientSessionComplete: {@code (HANDLE, PVOID, DWORD dwError)} */
    interface SessionComplete extends Callback {
        void invoke(Pointer session, Pointer callerData, int error);
    }
}
