package io.github.wdstci;

import java.util.concurrent.atomic.AtomicReference;

import io.github.wdstci.internal.SessionEvents;
import jdk.jfr.FlightRecorder;

/**
 * How a session ends, decided once: the first failure wins (a handler's
 * exception, the caller's cancel or timeout, a refused start), else the
 * transport's code; then the listener hears it (onSuccess, or onFailure with
 * that very exception), and JFR and the log record it.
 */
final class Completion {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    private final TransferRequest request;
    private final SessionListener listener;
    /** The first failure; {@link #SUCCEEDED} once {@link #finish} decided a success. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** The outcome "success", decided: a failure can no longer be recorded. */
    private static final Throwable SUCCEEDED = new Throwable("succeeded", null, false, false) { };
    /** Whether start() called StartSession. */
    volatile boolean started;
    private SessionEvents.Complete completeEvent;     // written by start(), read by the finish
    private SessionEvents.Failed failedEvent;

    Completion(TransferRequest request, SessionListener listener) {
        this.request = request;
        this.listener = listener;
    }

    /**
     * Records {@code t} unless a failure was recorded before or the outcome was decided
     * ({@link #finish} began): once the listener is hearing the outcome, it stays.
     *
     * @return whether {@code t} is the session's failure now
     */
    boolean fail(Throwable t) {
        boolean first = failure.compareAndSet(null, t);
        if (first) {
            LOG.log(System.Logger.Level.DEBUG, () -> "session " + request + " failing: " + t);
        }
        return first;
    }

    /** The recorded failure, or null (none yet, or the outcome is success). */
    Throwable failure() {
        Throwable f = failure.get();
        return f == SUCCEEDED ? null : f;
    }

    /** Whether a failure was recorded (a cheap read for every block). */
    boolean failed() {
        Throwable f = failure.get();
        return f != null && f != SUCCEEDED;
    }

    /**
     * The session starts: JFR's start event, and the begin of the end events.
     * Only while the Flight Recorder is initialized (a recording was started,
     * now or before): the first touch of an event class otherwise initializes
     * JFR's metadata in this JVM, a third of the binding's cold start measured
     * by ColdStartBenchmark, for events no recording would keep. A session that
     * started before the first recording records no end event.
     */
    void started() {
        started = true;
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        SessionEvents.Start start = new SessionEvents.Start();
        if (start.shouldCommit()) {
            start.server = request.server();
            start.namespace = request.namespace();
            start.objectName = request.objectName();
            start.commit();
        }
        completeEvent = new SessionEvents.Complete();
        failedEvent = new SessionEvents.Failed();
        completeEvent.begin();
        failedEvent.begin();
    }

    /**
     * Decides the outcome and tells the listener: onSuccess, then (if it threw,
     * or there was a failure) onFailure. Runs once per session.
     *
     * @param code  the transport's result, ERROR_SUCCESS for a session that
     *              never ran natively
     * @param bytes bytes received
     * @return the failure, or null for success
     */
    Throwable finish(int code, long bytes) {
        // Decide first, atomically with fail(): a caller's cancel or complete that comes while
        // the listener hears the outcome is refused, so that the future says what it heard.
        Throwable decided = code != NativeSession.ERROR_SUCCESS ? new WdsTransportException("session", code) : SUCCEEDED;
        Throwable prior = failure.compareAndExchange(null, decided);
        Throwable cause = prior != null ? prior : decided == SUCCEEDED ? null : decided;
        if (cause == null) {
            try {
                listener.onSuccess();
            } catch (Throwable t) {
                cause = t;
            }
        }
        if (cause != null) {
            try {
                listener.onFailure(cause);
            } catch (Throwable t) {
                if (t != cause) {
                    cause.addSuppressed(t);
                }
            }
        }
        record(cause, code, bytes);
        return cause;
    }

    private void record(Throwable cause, int code, long bytes) {
        if (cause == null) {
            LOG.log(System.Logger.Level.DEBUG, "received {0}: {1} bytes", request, bytes);
            if (completeEvent != null) {
                completeEvent.end();
                if (completeEvent.shouldCommit()) {
                    completeEvent.server = request.server();
                    completeEvent.namespace = request.namespace();
                    completeEvent.objectName = request.objectName();
                    completeEvent.bytes = bytes;
                    completeEvent.commit();
                }
            }
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "session {0} failed: {1}", request, cause);
        if (failedEvent != null) {
            failedEvent.end();
            if (failedEvent.shouldCommit()) {
                failedEvent.server = request.server();
                failedEvent.namespace = request.namespace();
                failedEvent.objectName = request.objectName();
                failedEvent.bytes = bytes;
                failedEvent.code = code;
                failedEvent.error = Win32Error.nameOf(code);
                failedEvent.cause = cause.toString();
                failedEvent.commit();
            }
        }
    }
}
