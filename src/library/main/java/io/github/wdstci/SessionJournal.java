package io.github.wdstci;

import java.util.function.LongSupplier;

import io.github.wdstci.internal.SessionEvents;
import jdk.jfr.FlightRecorder;

/**
 * What a session tells the log ({@code System.Logger}, DEBUG) and JDK Flight Recorder:
 * its start, its failure, its end. Nothing here throws into the lifecycle or changes how
 * the session ends: a handler's exception is described without trusting its
 * {@code toString()}, which may throw, and a logging back-end that throws is ignored.
 */
final class SessionJournal {

    private static final System.Logger LOG = System.getLogger("io.github.wdstci.Session");

    private final TransferRequest request;
    private final LongSupplier bytes;
    private SessionEvents.Complete completeEvent;     // written by started(), read by ended(): ordered by the lifecycle's lock
    private SessionEvents.Failed failedEvent;

    SessionJournal(TransferRequest request, LongSupplier bytes) {
        this.request = request;
        this.bytes = bytes;
    }

    /**
     * JFR's start event, and the begin of the end events; only while the Flight Recorder
     * is initialized (a recording was started, now or before): the first touch of an
     * event class otherwise initializes JFR's metadata in this JVM, a third of the
     * binding's cold start (ColdStartBenchmark), for events no recording would keep. A
     * session started before the first recording records no end event.
     */
    void started() {
        try {
            begin();
        } catch (Throwable ignored) {
            // a journal never changes the session's course
        }
    }

    private void begin() {
        LOG.log(System.Logger.Level.DEBUG, "starting {0}", request);
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

    /** {@code cause} is the session's failure now. */
    void failing(Throwable cause) {
        try {
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "session " + request + " failing: " + describe(cause));
            }
        } catch (Throwable ignored) {
            // a journal never changes the session's course
        }
    }

    /** The listener heard {@code cause} ({@code null}: success); {@code code} is what status() reports. */
    void ended(Throwable cause, int code) {
        try {
            end(cause, code);
        } catch (Throwable ignored) {
            // a journal never changes the session's course
        }
    }

    private void end(Throwable cause, int code) {
        long received = bytes.getAsLong();
        if (cause == null) {
            LOG.log(System.Logger.Level.DEBUG, "received {0}: {1} bytes", request, received);
            if (completeEvent != null) {
                completeEvent.end();
                if (completeEvent.shouldCommit()) {
                    completeEvent.server = request.server();
                    completeEvent.namespace = request.namespace();
                    completeEvent.objectName = request.objectName();
                    completeEvent.bytes = received;
                    completeEvent.commit();
                }
            }
            return;
        }
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "session " + request + " failed: " + describe(cause));
        }
        if (failedEvent != null) {
            failedEvent.end();
            if (failedEvent.shouldCommit()) {
                failedEvent.server = request.server();
                failedEvent.namespace = request.namespace();
                failedEvent.objectName = request.objectName();
                failedEvent.bytes = received;
                failedEvent.code = code;
                failedEvent.error = Win32Error.nameOf(code);
                failedEvent.cause = describe(cause);
                failedEvent.commit();
            }
        }
    }

    /** {@code t.toString()}, or its class name where that throws. */
    static String describe(Throwable t) {
        try {
            return String.valueOf(t);
        } catch (Throwable broken) {
            return t.getClass().getName() + " (its toString() threw " + broken.getClass().getName() + ")";
        }
    }
}
