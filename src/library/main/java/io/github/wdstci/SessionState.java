package io.github.wdstci;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A session's state and outcome, in one object under one lock: every transition of the
 * {@link Lifecycle} is one method here, decided under {@link #lock} and returning what to
 * do, which the lifecycle then does with the lock released. Nothing here calls native
 * code, a listener or a future; the only waits are a closer's, on {@link #changed}, for
 * work under way on other threads.
 *
 * <pre>
 *   NEW --start()--&gt; STARTING --StartSession returned 0--&gt; RUNNING --SessionComplete--&gt; ENDED
 *    |                  +--SessionComplete before the return, or a refused start-------&gt; ENDED
 *    +--cancelled or closed before the start------------------------------------------&gt; ENDED
 *   ENDED --the listener heard (onSuccess / onFailure)--&gt; HEARD --CloseSession--&gt; CLOSED
 * </pre>
 *
 * The first failure wins; once the listener is claimed, nothing changes the outcome but
 * the listener's own {@code onSuccess} throwing. The future holds what its caller
 * completed it with, else what the listener heard.
 */
final class SessionState {

    private static final int ERROR_SUCCESS = Win32Error.ERROR_SUCCESS.code();
    private static final int ERROR_CANCELLED = Win32Error.ERROR_CANCELLED.code();

    /** Where a session is; only forward. ENDED: no callback will come; HEARD: the outcome is final. */
    enum Phase { NEW, STARTING, RUNNING, ENDED, HEARD, CLOSED }

    /** What {@link #end} decided. */
    enum After {
        /** The outcome was decided already: nothing changed. */
        REFUSED,
        /** Recorded; the transport has stopped already. */
        NOTHING,
        /** Recorded; cancel the native session, under the lease taken. */
        CANCEL,
        /** Recorded; the session never started and has ended: move it on. */
        PROGRESS
    }

    private final Lock lock;
    private final Condition changed;
    private final Leases leases = new Leases();

    private Phase phase = Phase.NEW;
    private boolean started;                  // StartSession was called
    private boolean listening;                // the listener's run is claimed: the outcome is decided
    private boolean closing;                  // CloseSession is claimed
    private boolean closeAsked;               // close() was called: all but close is refused
    private boolean closeWhenHeard;           // close natively once heard (receive; a close that cannot wait)
    private boolean told;                     // the client heard of the close
    private int failureCode;                  // the Win32 code status() reports for the failure
    private boolean futureDecided;            // what the future holds is decided: futureFailure (null: success)
    private Throwable futureFailure;
    /** The first failure; written under the lock, read without it once per block. */
    private volatile Throwable failure;

    SessionState(Lock lock, boolean closeWhenHeard) {
        this.lock = lock;
        this.changed = lock.newCondition();
        this.closeWhenHeard = closeWhenHeard;
    }

    /** start(): whether to call StartSession (under a lease taken); false for a session ended before its start. */
    boolean starting() {
        lock.lock();
        try {
            ensureOpenLocked();
            if (phase != Phase.NEW) {
                if (started) {
                    throw new IllegalStateException("session already started");
                }
                return false;
            }
            phase = Phase.STARTING;
            started = true;
            return leases.take();                 // nothing closes before the start: it is given
        } finally {
            lock.unlock();
        }
    }

    /** StartSession returned {@code rc}; {@return whether the refused start ended the session} */
    boolean startReturned(int rc) {
        lock.lock();
        try {
            if (phase != Phase.STARTING) {
                return false;                     // SessionComplete came already
            }
            if (rc == ERROR_SUCCESS) {
                phase = Phase.RUNNING;
                return false;
            }
            if (failure == null) {                // no callback is known to follow a refused start
                record(new WdsTransportException("WdsTransportClientStartSession", rc), rc);
            }
            return enter(Phase.ENDED);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the session with {@code cause}, unless its outcome is decided (or, with
     * {@code whileRunning}, the transport has ended): records it as the failure, with the
     * Win32 {@code code} that status() reports, and, when {@code decidesFuture}, fixes what
     * the future holds.
     */
    After end(Throwable cause, int code, boolean decidesFuture, Throwable futureFailure, boolean whileRunning) {
        lock.lock();
        try {
            if (failure != null || listening || phase.compareTo(whileRunning ? Phase.ENDED : Phase.HEARD) >= 0) {
                return After.REFUSED;
            }
            record(cause, code);
            if (decidesFuture) {
                this.futureDecided = true;
                this.futureFailure = futureFailure;
            }
            if (phase == Phase.NEW) {
                enter(Phase.ENDED);               // never started: nothing native to wait for
                return After.PROGRESS;
            }
            return phase.compareTo(Phase.ENDED) < 0 && leases.take() ? After.CANCEL : After.NOTHING;
        } finally {
            lock.unlock();
        }
    }

    /** SessionComplete with {@code transport} (null: success); {@return false for a second one} */
    boolean transportEnded(Throwable transport, int code) {
        lock.lock();
        try {
            if (phase != Phase.STARTING && phase != Phase.RUNNING) {
                return false;
            }
            if (transport != null && failure == null) {
                record(transport, code);
            }
            return enter(Phase.ENDED);
        } finally {
            lock.unlock();
        }
    }

    /** The failure, or null; a cheap read (once per block). */
    Throwable failure() {
        return failure;
    }

    /** Claims the listener once the transport has ended; a closer waits for that, and for another's hearing. */
    boolean claimListener(boolean closer) {
        lock.lock();
        try {
            while (closer && phase.compareTo(Phase.ENDED) < 0) {
                changed.awaitUninterruptibly();
            }
            boolean mine = phase == Phase.ENDED && !listening;
            listening |= mine;
            while (closer && !mine && phase.compareTo(Phase.HEARD) < 0) {
                changed.awaitUninterruptibly();
            }
            return mine;
        } finally {
            lock.unlock();
        }
    }

    /** The listener heard {@code cause} (null: success): the outcome is final; {@return the code status() reports} */
    int heard(Throwable cause) {
        lock.lock();
        try {
            if (failure == null && cause != null) {
                record(cause, ERROR_CANCELLED);   // onSuccess threw
            }
            if (!futureDecided) {
                futureDecided = true;
                futureFailure = cause;
            }
            enter(Phase.HEARD);
            return failureCode;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the listener heard the outcome (the phase never goes back). */
    boolean isHeard() {
        lock.lock();
        try {
            return phase.compareTo(Phase.HEARD) >= 0;
        } finally {
            lock.unlock();
        }
    }

    /** Once heard: whether a close was asked that nobody waits for (receive, a close that could not wait). */
    boolean closeWhenHeard() {
        lock.lock();
        try {
            return closeWhenHeard;
        } finally {
            lock.unlock();
        }
    }

    /** Once heard: what the future holds (null: success). */
    Throwable futureFailure() {
        lock.lock();
        try {
            return futureFailure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * close() was called: all but close is refused from now on; a thread that may not
     * wait leaves the close to whoever hears. {@return whether that close is to be handed
     * to the executor now (the listener heard already)}
     */
    boolean closeAsked(boolean mayWait) {
        lock.lock();
        try {
            closeAsked = true;
            closeWhenHeard |= !mayWait;
            return !mayWait && phase == Phase.HEARD && !closing;
        } finally {
            lock.unlock();
        }
    }

    /** Claims CloseSession once heard; with {@code wait}, a claim under way is waited for. {@return whether it is ours} */
    boolean claimClose(boolean wait) {
        lock.lock();
        try {
            while (wait && closing && phase != Phase.CLOSED) {
                changed.awaitUninterruptibly();
            }
            if (closing) {
                return false;
            }
            closing = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Once CloseSession is claimed: no more leases, and the ones in flight (short downcalls) are waited for. */
    void drainLeases() {
        lock.lock();
        try {
            leases.close();
            while (!leases.drained()) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** CloseSession ran. */
    void closed() {
        lock.lock();
        try {
            enter(Phase.CLOSED);
        } finally {
            lock.unlock();
        }
    }

    /** Whether the client is to hear of the close now: once, and only once closed. */
    boolean tell() {
        lock.lock();
        try {
            boolean first = phase == Phase.CLOSED && !told;
            told |= first;
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** A session never received by its caller: closed without a listener, failed with {@code e}. */
    void abandoned(Throwable e) {
        lock.lock();
        try {
            closeAsked = listening = futureDecided = true;
            record(e, ERROR_CANCELLED);
            futureFailure = e;
            enter(Phase.HEARD);                   // never started: no callback can come
        } finally {
            lock.unlock();
        }
    }

    /** A lease on the handle for a downcall; false once CloseSession is claimed. Lock-free. */
    boolean takeLease() {
        return leases.take();
    }

    /** Gives a lease back; the last of a closing handle wakes its closer. */
    void giveLease() {
        if (leases.give()) {
            lock.lock();
            try {
                enter(phase);
            } finally {
                lock.unlock();
            }
        }
    }

    /** See Session.status(); {@code open}: refused after close. */
    SessionStatus status(long bytes, long fileSize, boolean open) {
        lock.lock();
        try {
            if (open) {
                ensureOpenLocked();
            }
            if (failure != null) {
                return new SessionStatus(SessionStatus.State.FAILED, failureCode, bytes, fileSize);
            }
            SessionStatus.State state = switch (phase) {
                case NEW -> SessionStatus.State.CREATED;
                case STARTING, RUNNING -> SessionStatus.State.IN_PROGRESS;
                case ENDED, HEARD, CLOSED -> SessionStatus.State.SUCCEEDED;
            };
            return new SessionStatus(state, ERROR_SUCCESS, bytes, fileSize);
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closeAsked || phase == Phase.CLOSED;
        } finally {
            lock.unlock();
        }
    }

    /** @throws IllegalStateException once close() was called */
    void ensureOpen() {
        lock.lock();
        try {
            ensureOpenLocked();
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpenLocked() {
        if (closeAsked) {
            throw new IllegalStateException("session is closed");
        }
    }

    private void record(Throwable cause, int code) {
        failure = cause;
        failureCode = code;
    }

    /** The phase is {@code p} now (or again); whoever waits for a change looks again. {@return true} */
    private boolean enter(Phase p) {
        phase = p;
        changed.signalAll();
        return true;
    }
}
