package io.github.wdstci;

import java.util.Arrays;
import java.util.concurrent.Executor;

/**
 * What a thread is doing for sessions now: running their transport callbacks (a
 * handler's {@code onStart}, {@code onContent}, ...) or a listener's
 * {@code onSuccess}/{@code onFailure}. A session asks it to refuse what could never
 * end on such a thread (a callback waiting for its own session's future) and to not
 * wait where the waited-for work needs this very thread (a close from a callback).
 *
 * <p>One record per thread. The transport's callbacks pass their record in
 * ({@link Delivery} keeps the last one it saw, so most blocks spare the
 * {@code ThreadLocal}); a thread is in more than one session's callback only where a
 * DLL calls back into Java from inside a downcall made by a callback. Sessions are
 * named by an identity key, their lifecycle.
 */
final class CallbackThreads {

    /** A thread's record: the sessions whose callbacks it runs, innermost last, and the listener it runs. */
    static final class Record {
        final Thread owner = Thread.currentThread();
        private Object[] callbacks = new Object[2];
        private int depth;
        private Object listening;

        /** Enters a callback of {@code session}; on the record's own thread. */
        void enter(Object session) {
            if (depth == callbacks.length) {
                callbacks = Arrays.copyOf(callbacks, depth * 2);
            }
            callbacks[depth++] = session;
        }

        /** Leaves the innermost callback. */
        void exit() {
            callbacks[--depth] = null;
        }
    }

    private static final ThreadLocal<Record> RECORD = new ThreadLocal<>();

    private CallbackThreads() {
    }

    /** {@return this thread's record, made on first use} */
    static Record current() {
        Record r = RECORD.get();
        if (r == null) {
            r = new Record();
            RECORD.set(r);
        }
        return r;
    }

    /** Whether this thread runs a callback of {@code session} now. */
    static boolean inCallbackOf(Object session) {
        Record r = RECORD.get();
        if (r != null) {
            for (int i = 0; i < r.depth; i++) {
                if (r.callbacks[i] == session) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether this thread runs the listener ({@code onSuccess}, {@code onFailure}) of {@code session} now. */
    static boolean listeningTo(Object session) {
        Record r = RECORD.get();
        return r != null && r.listening == session;
    }

    /**
     * Whether this thread runs some session's callback or listener now: work it waits for
     * may need this very thread (the transport waits for the callback to return; a
     * single-threaded executor runs the listener), so it must not wait.
     */
    static boolean busy() {
        Record r = RECORD.get();
        return r != null && (r.depth > 0 || r.listening != null);
    }

    /** Whether this thread runs some session's transport callback now. */
    static boolean inAnyCallback() {
        Record r = RECORD.get();
        return r != null && r.depth > 0;
    }

    /**
     * Runs {@code task} on {@code executor}, but never on a {@link #busy()} thread: an
     * executor that runs tasks where they are submitted ({@code Runnable::run}) would run
     * a session's listener on the transport's thread, or inside another listener. A task
     * the executor refuses (whatever its {@code execute} throws) or would run on such a
     * thread runs on a new virtual thread instead.
     */
    static void execute(Executor executor, Runnable task) {
        try {
            executor.execute(() -> {
                if (busy()) {
                    offThread(task);
                } else {
                    task.run();
                }
            });
        } catch (Throwable refused) {
            offThread(task);
        }
    }

    /** Runs {@code r} on a new virtual thread. */
    static void offThread(Runnable r) {
        Thread.ofVirtual().name("wdstci-completion").start(r);
    }

    /**
     * Runs {@code listener}'s end here, as {@code session}'s listener: {@code onSuccess}
     * when {@code cause} is null, then {@code onFailure} with the failure (also when
     * {@code onSuccess} threw). The thread's interrupt status (a closer's) is kept from it (a
     * file channel would close itself on it) and restored after.
     *
     * @return what the listener heard: {@code cause}, or what {@code onSuccess} threw
     */
    static Throwable listen(Object session, SessionListener listener, Throwable cause) {
        Record r = current();
        Object before = r.listening;
        r.listening = session;
        boolean interrupted = Thread.interrupted();
        try {
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
            return cause;
        } finally {
            r.listening = before;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Refuses a wait for {@code session}'s own future from its callback or its listener:
     * the future completes only after that code returns, so the wait could never end.
     */
    static void ensureMayWait(Object session) {
        if (inCallbackOf(session)) {
            throw new IllegalStateException("a callback of the session waits for the session's own future,"
                    + " which completes only after the callback returns");
        }
        if (listeningTo(session)) {
            throw new IllegalStateException("the session's listener waits for the session's own future,"
                    + " which completes only after the listener returns");
        }
    }
}
