package io.github.wdstci;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The downcalls Java threads have in flight on one native session's handle
 * (StartSession, a cancel, the CompleteReceive of a block kept past its callback): a
 * lock-free count, so that the per-block path takes no lock, with a bit set once
 * CloseSession is claimed, after which no lease is given. The {@link Lifecycle} waits
 * under its own lock for the count to drain before it calls CloseSession.
 */
final class Leases {

    private static final int CLOSED = Integer.MIN_VALUE;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Leases.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")              // through STATE
    private volatile int state;

    /** Takes a lease for a downcall; false once the handle is closing. */
    boolean take() {
        int v;
        do {
            v = (int) STATE.getVolatile(this);
            if (v < 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, v, v + 1));
        return true;
    }

    /** Gives a lease back; {@return whether it was the last one of a closing handle} */
    boolean give() {
        return (int) STATE.getAndAdd(this, -1) - 1 == CLOSED;
    }

    /** No more leases from now on. */
    void close() {
        STATE.getAndBitwiseOr(this, CLOSED);
    }

    /** Whether none is in flight (after {@link #close}: none will be). */
    boolean drained() {
        return ((int) STATE.getVolatile(this) & ~CLOSED) == 0;
    }
}
