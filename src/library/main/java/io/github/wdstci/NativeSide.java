package io.github.wdstci;

/**
 * The calls a session's {@link Lifecycle} makes on its native session, and nothing
 * else: the narrow side of the state machine that is not plain Java.
 * {@link NativeSession} implements it over the DLL; the lifecycle's tests implement it
 * in Java. The lifecycle calls these from Java threads only, never under its lock, and
 * never after {@link #close()}; each returns the function's Win32 code.
 */
interface NativeSide {

    /** WdsTransportClientStartSession: callbacks, up to SessionComplete, may run before it returns. */
    int start();

    /** WdsTransportClientCancelSession: the session completes with ERROR_CANCELLED. */
    int cancel();

    /** Whether {@link #cancelEx} exists (the Vista-era DLL lacks it). */
    boolean hasCancelEx();

    /** WdsTransportClientCancelSessionEx: the session completes with {@code code}. */
    int cancelEx(int code);

    /** WdsTransportClientCompleteReceive for a block completed after its callback returned. */
    int completeReceive(int size, long offset);

    /** WdsTransportClientCloseSession: the handle is gone afterwards. */
    int close();
}
