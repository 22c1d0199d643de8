package io.github.wdstci;

import java.util.ArrayList;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One transfer of one object: created by {@link WdsClient#newSession} or
 * {@link WdsClient#newAsyncSession}, run with {@link #start()}, freed with
 * {@link #close()}. ({@link WdsClient#receive} does all three.)
 *
 * <h2>Threads</h2>
 * The listener's {@code onStart}, {@code onMetadata}, {@code onNegotiate} and
 * the content methods run on the transport's callback threads. Its
 * {@code onSuccess}/{@code onFailure} and the completion of the session's
 * future run on the client's executor, never on a transport thread; if a
 * thread waits for the session ({@code join()}, {@code get()}, {@link #close()})
 * after the transport has reported the end but before the executor ran the
 * completion, that thread runs it, so that a single-threaded executor can
 * never wait for itself.
 *
 * <p>A callback of the session ({@code onStart}, {@code onMetadata},
 * {@code onNegotiate}, a content method) that waits for the session's own future
 * ({@code join()}, {@code get()}, timed or not) can never see it succeed: the
 * transport ends the session only after every callback has returned. The wait ends
 * when the future is completed by its caller ({@code cancel}, {@code complete}, a
 * timeout of the future, or {@link #cancel()} or {@link #close()} from an ordinary
 * thread), with that outcome; with an {@link IllegalStateException} once the session
 * fails any other way ({@code cancel()} or {@code close()} on a callback thread, of
 * this session or another, or an exception of one of the session's callbacks: where
 * the transport calls back on several threads at once, another of them may fail the
 * session while this one waits), whether the wait began before or after the failure;
 * or when a timed {@code get} times out. Nothing else ends it: a failure of the
 * transport itself is reported only once the callbacks have returned.
 *
 * <h2>Ending a session</h2>
 * The session's future ({@link #start()}, {@link #completion()}) completes
 * exactly once, whatever ends the session:
 * <ul>
 *   <li>the transport's end: normally, or with the handler's exception if a
 *       handler threw (the session is then cancelled), else with a
 *       {@link WdsTransportException} carrying the Win32 code; the listener's
 *       {@code onSuccess} or {@code onFailure} has run when it completes;</li>
 *   <li>completing the future yourself ({@code cancel}, {@code orTimeout},
 *       {@code complete}, {@code completeExceptionally}): it completes at once,
 *       the native session is cancelled (CancelSessionEx with ERROR_TIMEOUT for
 *       a {@link java.util.concurrent.TimeoutException}, where the library
 *       has it), and {@code onFailure} receives that exception (a
 *       {@link CancellationException} for {@code cancel} and {@code complete})
 *       once the transport has stopped. Only while the outcome is undecided: once
 *       a failure was recorded or the listener is hearing the outcome, these
 *       return {@code false} and change nothing;</li>
 *   <li>{@link #cancel()} and {@link #close()} before the end: as {@code cancel}
 *       on the future, also for a session that never started.</li>
 * </ul>
 * Futures derived from it ({@code thenApply}, ...) are ordinary: completing
 * or cancelling them does not reach the session.
 *
 * <p>Thread-safe. Every method but {@code close()} and {@code isClosed()}
 * throws {@link IllegalStateException} after {@code close()}.
 */
public final class Session implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    /** Marks a thread handing a session's completion to the executor (to detect an inline executor). */
    private static final ThreadLocal<Session> DISPATCHING = new ThreadLocal<>();

    /** Marks a thread running a session's completion (listener code), so that it never waits. */
    private static final ThreadLocal<Session> FINISHING = new ThreadLocal<>();

    /**
     * The lifecycle; only forward. NATIVE_DONE: no callback will come (the
     * transport reported the end, or never started); FINISHING: the listener
     * hears the outcome; FINISHED: it has, and the future completes.
     */
    private enum Phase { CREATED, STARTING, RUNNING, NATIVE_DONE, FINISHING, FINISHED }

    private final WdsClient client;
    private final TransferRequest request;
    private final Executor executor;
    private final boolean closeWhenFinished;
    private final long key;
    final NativeSession nat;
    final Delivery delivery;
    private final Completion completion;
    private final SessionFuture future;

    /*
     * One lock guards the lifecycle below. Nothing is called under it: no native
     * function, no listener, no future completion. Waiting is on `changed` for a
     * phase that the transport (NATIVE_DONE) or listener code on another thread
     * (FINISHED) brings; a thread that either of those might need never waits.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Phase phase = Phase.CREATED;
    private boolean closing;              // close() was called
    private boolean closed;               // CloseSession ran; the session left its client
    private boolean nativeClosing;        // some thread is closing natively
    private int resultCode;               // the transport's code, at NATIVE_DONE
    /**
     * Callback threads of this session waiting for a future of its chain (see
     * {@link #helpFinish}); woken when a failure is recorded, the only thing besides the
     * future's own completion that ends their wait. Made on first use: a session whose
     * callbacks never wait for it pays nothing, and neither does any block.
     */
    private ArrayList<Thread> callbackWaiters;

    Session(WdsClient client, TransferRequest request, SessionListener listener, boolean asynchronous,
            Executor executor, boolean closeWhenFinished) throws WdsTransportException {
        this.client = client;
        this.request = request;
        this.executor = executor;
        this.closeWhenFinished = closeWhenFinished;
        this.completion = new Completion(request, listener);
        this.future = new SessionFuture(executor, this);
        this.key = Upcalls.SESSIONS.register(null);       // published below, once this is complete
        NativeSession n = null;
        try {
            n = NativeSession.initialize(request, key);
            this.nat = n;
            this.delivery = new Delivery(this, listener, asynchronous, completion, n);
            Upcalls.register(n, delivery, listener.negotiates());
        } catch (Throwable t) {
            if (n != null) {
                n.close();                                // never started: no callback can come
            }
            Upcalls.SESSIONS.remove(key);
            throw t;
        }
        Upcalls.SESSIONS.publish(key, this);
    }

    // ---- public API ------------------------------------------------------------------------

    /** {@return the request this session receives} */
    public TransferRequest request() {
        ensureOpen();
        return request;
    }

    /**
     * Starts the transfer, once.
     *
     * @return the session's future (see the class description); async stages
     *         of its dependents default to the client's executor
     * @throws IllegalStateException if already started, or closed
     */
    public CompletableFuture<Void> start() {
        lock.lock();
        try {
            ensureOpenLocked();
            if (phase != Phase.CREATED) {
                if (future.isDone() && !completion.started) {
                    return future;            // ended before it started (cancelled): nothing to run
                }
                throw new IllegalStateException("session already started");
            }
            phase = Phase.STARTING;
            completion.started();
        } finally {
            lock.unlock();
        }
        LOG.log(System.Logger.Level.DEBUG, "starting {0}", request);
        int rc = nat.start();
        boolean finish = false;
        lock.lock();
        try {
            if (phase == Phase.STARTING) {
                if (rc == NativeSession.ERROR_SUCCESS) {
                    phase = Phase.RUNNING;
                } else {
                    completion.fail(new WdsTransportException("WdsTransportClientStartSession", rc));
                    phase = Phase.NATIVE_DONE;
                    changed.signalAll();
                    wakeCallbackWaitersLocked();
                    finish = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (finish) {
            Upcalls.SESSIONS.remove(key);
            dispatchFinish();
        }
        return future;
    }

    /**
     * The session's future: the one {@link #start()} returns (incomplete
     * before the start). Cancelling or completing it ends the session.
     *
     * @return the session's own future
     * @throws IllegalStateException after close
     */
    public CompletableFuture<Void> completion() {
        ensureOpen();
        return future;
    }

    /**
     * Cancels the session, as {@code completion().cancel(false)}: the future
     * fails with a {@link CancellationException} unless it is already
     * complete, and the native session is cancelled if it runs. A session
     * cancelled before its start never starts. Called from a handler callback
     * (of this session or another), the future fails once the transport has
     * stopped calling back, on the client's executor, so that its stages never
     * run on a transport's thread.
     *
     * @throws IllegalStateException after close
     */
    public void cancel() {
        ensureOpen();
        cancelRunning();
    }

    /**
     * {@code future.cancel(false)}, except on a transport's callback thread (this session's
     * or another's): completing the future there would run its dependent stages on that
     * thread. The cancel is recorded and the transport told at once, and the future fails
     * with it, on the executor, once the transport has stopped calling back.
     */
    private void cancelRunning() {
        if (onCallbackThread()) {
            CancellationException e = new CancellationException("the session was cancelled");
            if (callerMayEnd(e)) {
                completedByCaller(e, NativeSession.ERROR_CANCELLED);
            }
            return;
        }
        future.cancel(false);
    }

    /**
     * A snapshot of the session: from QueryStatus while the native session
     * exists, else from what the session saw. A session that failed (a cancel,
     * {@code complete} or timeout of its future, a handler's or listener's
     * exception, a transport failure) is {@code FAILED} even where the
     * transport did not fail (it has not ended yet, or its part succeeded and
     * {@code onSuccess} threw): with the transport's Win32 code where it
     * failed, else {@code ERROR_TIMEOUT} (1460) for a timeout and
     * {@code ERROR_CANCELLED} (1223) for any other failure. Until the session's future
     * is complete, a {@code SUCCEEDED} from the transport is not final (a cancel can
     * still fail the session while its listener has not heard the outcome); once it is,
     * the status agrees with the future.
     *
     * @return the state, the Win32 code of a failure, bytes received and the object's size
     * @throws IllegalStateException after close
     */
    public SessionStatus status() {
        Phase p;
        int code;
        lock.lock();
        try {
            ensureOpenLocked();
            p = phase;
            code = resultCode;
        } finally {
            lock.unlock();
        }
        long bytes = delivery.bytes();
        long size = delivery.fileSize();
        if (p == Phase.CREATED && !future.isDone()) {
            return new SessionStatus(SessionStatus.State.CREATED, 0, bytes, size);
        }
        Throwable failure = completion.failure();
        if (failure == null && future.isCompletedExceptionally()) {
            failure = future.state() == java.util.concurrent.Future.State.CANCELLED
                    ? new CancellationException() : future.exceptionNow();   // a listener's exception
        }
        if (failure != null) {
            // the transport's own word on how it failed, where it has one; else the failure's
            SessionStatus s = completion.started ? nat.status(bytes, size) : null;
            return s != null && s.state() == SessionStatus.State.FAILED ? s
                    : new SessionStatus(SessionStatus.State.FAILED, win32Code(failure), bytes, size);
        }
        if (completion.started && !(future.isDone() && p.compareTo(Phase.NATIVE_DONE) >= 0)) {
            // the transport's word while the outcome is open; once the session succeeded and its
            // future is complete, that outcome (a DLL's QueryStatus may lag behind SessionComplete)
            SessionStatus s = nat.status(bytes, size);
            if (s != null) {
                return s;
            }
        }
        boolean ok = code == NativeSession.ERROR_SUCCESS && !future.isCompletedExceptionally();
        // never started natively: only its caller can have ended it (cancel, complete, timeout)
        int error = ok || code != NativeSession.ERROR_SUCCESS ? code : NativeSession.ERROR_CANCELLED;
        return new SessionStatus(ok ? SessionStatus.State.SUCCEEDED : SessionStatus.State.FAILED, error, bytes, size);
    }

    /** The Win32 code a failure stands for in {@link #status()}. */
    private static int win32Code(Throwable failure) {
        return failure instanceof WdsTransportException e ? e.code()
                : failure instanceof java.util.concurrent.TimeoutException ? NativeSession.ERROR_TIMEOUT
                : NativeSession.ERROR_CANCELLED;
    }

    /**
     * Frees the session; idempotent. A session the transport has not ended is
     * cancelled first (its future fails with a {@link CancellationException});
     * one it has ended keeps that outcome.
     *
     * <p>From an ordinary thread, a future's stage or an executor's task, this
     * returns once the transport has stopped calling back, the listener has
     * heard the outcome (run here if nobody had yet), the session's future is
     * complete, unreleased async blocks are released, and CloseSession has run.
     * From a transport callback, or from a listener's {@code onSuccess} or
     * {@code onFailure}, where waiting could wait for itself, it does not wait:
     * the session closes as soon as the transport reports its end.
     */
    @Override
    public void close() {
        boolean mayWait = mayWait();
        boolean running;
        lock.lock();
        try {
            closing = true;
            running = phase.compareTo(Phase.NATIVE_DONE) < 0;
        } finally {
            lock.unlock();
        }
        if (running && !future.isDone()) {
            cancelRunning();                      // the transport's own end, if it came, stands
        }
        if (mayWait) {
            help(true, Long.MAX_VALUE, false);
            closeNative(true);
            awaitFutureResult();
        } else {
            closeIfFinished();
        }
    }

    /**
     * Waits until the future holds its outcome. The thread that ran the completion
     * sets it just after the session finished (the phase first, so that a stage closing
     * this session does not wait for itself), before any dependent stage runs: this
     * never waits for a stage, and the wait is that of a few instructions, or of a
     * virtual thread's start (see {@link #finish()}). A short park, not a condition:
     * {@code CompletableFuture} signals nobody between setting its result and running
     * its stages.
     */
    private void awaitFutureResult() {
        boolean interrupted = false;
        while (!future.isDone()) {
            LockSupport.parkNanos(this, 20_000);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The session's future, whether or not the session is closed. */
    CompletableFuture<Void> future() {
        return future;
    }

    /**
     * Closes a session that its caller never received (its client closed while it was
     * made): natively, without a word to the listener, whose caller was told the client
     * is closed. Never started, so no callback can come.
     */
    void abandon() {
        lock.lock();
        try {
            closing = true;
            closed = true;
            phase = Phase.FINISHED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Upcalls.SESSIONS.remove(key);
        nat.close();
        future.failWith(new CancellationException("the client was closed"));   // nobody holds it; for close()'s wait
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        lock.lock();
        try {
            return closing || closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Session[" + request + "]";
    }

    // ---- the state machine --------------------------------------------------------------------

    private void ensureOpen() {
        lock.lock();
        try {
            ensureOpenLocked();
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpenLocked() {
        if (closing || closed) {
            throw new IllegalStateException("session is closed");
        }
    }

    /**
     * A handler, a refused downcall or the transport failed the session: cancel it, and wake
     * the callbacks waiting for its future. Never throws. Only the first failure does either,
     * so a failing session's later blocks cost the one read of {@code completion.failed()}.
     */
    void failed(Throwable t) {
        if (completion.fail(t)) {
            Phase p;
            lock.lock();
            try {
                p = phase;
                wakeCallbackWaitersLocked();
            } finally {
                lock.unlock();
            }
            if (p == Phase.STARTING || p == Phase.RUNNING) {
                nat.cancel(NativeSession.ERROR_CANCELLED);
            }
        }
    }

    /**
     * Whether a caller may end the session with {@code cause} (cancelling or completing its
     * future): only while its outcome is undecided. Recorded when it may.
     */
    boolean callerMayEnd(Throwable cause) {
        return completion.fail(cause);
    }

    /** Someone other than the session completed its future with {@code cause} ({@link #callerMayEnd} said yes). */
    void completedByCaller(Throwable cause, int code) {
        Phase p;
        boolean finish = false;
        lock.lock();
        try {
            p = phase;
            if (p == Phase.CREATED) {
                phase = Phase.NATIVE_DONE;         // never started: nothing native to wait for
                changed.signalAll();
                finish = true;
            } else {
                changed.signalAll();               // waiters watch the future too
            }
            // a cancel from a callback thread leaves the future incomplete until the transport
            // ends: the session's own callbacks waiting for it must stop (helpFinish)
            wakeCallbackWaitersLocked();
        } finally {
            lock.unlock();
        }
        if (p == Phase.STARTING || p == Phase.RUNNING) {
            nat.cancel(code);
        }
        if (finish) {
            Upcalls.SESSIONS.remove(key);
            dispatchFinish();
        }
    }

    /** SessionComplete: the last callback. On the transport's thread; never throws. */
    void nativeCompleted(int code) {
        lock.lock();
        try {
            if (phase == Phase.STARTING || phase == Phase.RUNNING) {
                resultCode = code;
                phase = Phase.NATIVE_DONE;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        Upcalls.SESSIONS.remove(key);
        dispatchFinish();
    }

    private void dispatchFinish() {
        Runnable finishTask = () -> {
            if (claimFinish()) {
                finish();
            }
        };
        // An executor that runs tasks in the calling thread (Runnable::run) would run the
        // listener and the future's stages on the transport's thread: move them off it.
        Runnable task = () -> {
            if (DISPATCHING.get() == this) {
                Thread.ofVirtual().name("wdstci-completion").start(finishTask);
            } else {
                finishTask.run();
            }
        };
        DISPATCHING.set(this);
        try {
            executor.execute(task);
        } catch (Throwable refused) {
            // RejectedExecutionException, or whatever else an executor throws: the task was not
            // taken, and the session must still finish (claimFinish runs it once in any case)
            Thread.ofVirtual().name("wdstci-completion").start(finishTask);
        } finally {
            DISPATCHING.remove();
        }
    }

    private boolean claimFinish() {
        lock.lock();
        try {
            if (phase != Phase.NATIVE_DONE) {
                return false;
            }
            phase = Phase.FINISHING;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The completion: the listener hears the outcome, then the future completes. Runs once. */
    private void finish() {
        Throwable cause = null;
        Session outer = FINISHING.get();
        FINISHING.set(this);
        try {
            int code;
            lock.lock();
            try {
                code = resultCode;
            } finally {
                lock.unlock();
            }
            cause = completion.finish(code, delivery.bytes());
            if (closeWhenFinished) {
                lock.lock();
                try {
                    closing = true;
                } finally {
                    lock.unlock();
                }
            }
        } catch (Throwable t) {
            cause = cause != null ? cause : t;
        } finally {
            FINISHING.set(outer);
            lock.lock();
            try {
                phase = Phase.FINISHED;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        closeIfFinished();
        // Completed last and outside the phase, so that a stage closing other sessions never waits for this one.
        Throwable outcome = cause;
        Runnable complete = () -> {
            if (outcome == null) {
                future.succeed();
            } else {
                future.failWith(outcome);
            }
        };
        if (outer != null) {
            // Helped from inside another session's listener: this future's stages must not run
            // on that listener's stack, where a stage waiting for the other session could never
            // see it finish. The helper waits only for the result, set at once on this thread.
            Thread.ofVirtual().name("wdstci-completion").start(complete);
        } else {
            complete.run();
        }
    }

    /**
     * Waits (unless this thread is this session's callback thread) until the
     * transport has ended the session, or, unless {@code untilEnd}, until the
     * future is complete; then runs the completion here if nobody has, or with
     * {@code untilEnd} waits for the thread that does.
     */
    private void help(boolean untilEnd, long deadline, boolean interruptible) {
        boolean claimed = false;
        boolean interrupted = false;
        lock.lock();
        try {
            if (phase.compareTo(Phase.NATIVE_DONE) < 0 && delivery.inCallbackOnThisThread()) {
                return;                           // the transport waits for this very thread
            }
            while (phase.compareTo(Phase.NATIVE_DONE) < 0 && (untilEnd || !future.isDone())) {
                try {
                    if (!await(deadline)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    if (interruptible) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    interrupted = true;
                }
            }
            if (phase == Phase.NATIVE_DONE && (untilEnd || deadline == Long.MAX_VALUE)) {
                phase = Phase.FINISHING;
                claimed = true;
            } else if (untilEnd && FINISHING.get() == null) {
                while (phase != Phase.FINISHED) {
                    try {
                        if (!await(deadline)) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (claimed) {
            finish();
        }
    }

    /** Awaits `changed` until the deadline (Long.MAX_VALUE: none); false once it passed. Lock held. */
    private boolean await(long deadline) throws InterruptedException {
        if (deadline == Long.MAX_VALUE) {
            changed.await();
            return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
        return true;
    }

    /**
     * For the future's join/get: help the session to its end, within the deadline. An
     * untimed wait runs the completion here if the executor has not yet (a task of a
     * single-threaded executor waiting for a session whose completion is queued behind
     * it); a timed wait only waits, so that it ends by its deadline.
     *
     * <p>A callback thread of the session does not help: the transport ends the session
     * only after that callback returns, so the future can complete only if its caller
     * completes it (a cancel, {@code complete} or timeout of the future, a cancel or close
     * from an ordinary thread). It waits for the future instead (see
     * {@code Dependent.awaitWithoutRunningStages}), registered with
     * {@link #callbackWaits}; once the session fails any other way (a cancel or close
     * on a callback thread, a handler's exception: with overlapping callbacks, a sibling's),
     * nothing can complete the future before the callback returns, and the wait ends with
     * the same {@link IllegalStateException} ({@link #ensureCallbackMayWait}).
     *
     * @return whether this thread is a callback thread of the session (it did not wait)
     * @throws IllegalStateException when the wait could never end: this session's
     *         listener waiting for a future that completes only after it returns (the
     *         outcome is decided, so nothing can end the wait), or a callback of the
     *         session waiting once the session has failed
     */
    boolean helpFinish(long deadline, boolean interruptible) {
        if (FINISHING.get() == this) {
            throw new IllegalStateException("the session's listener waits for the session's own future,"
                    + " which completes only after the listener returns");
        }
        // A callback of the session may wait for it while the outcome is open: its caller
        // completing the future ends the wait. Once the session has failed otherwise (say, the
        // callback cancelled it), the future completes only after the transport ends, after this
        // callback returns; a failure while it waits wakes it to the same end (ensureCallbackMayWait).
        if (!future.isDone() && completion.failed() && delivery.inCallbackOnThisThread()) {
            throw callbackWaitsForItself();
        }
        lock.lock();
        try {
            if (phase.compareTo(Phase.NATIVE_DONE) < 0 && delivery.inCallbackOnThisThread()) {
                return true;                      // the transport waits for this very thread
            }
        } finally {
            lock.unlock();
        }
        help(false, deadline, interruptible);
        return false;
    }

    private static IllegalStateException callbackWaitsForItself() {
        return new IllegalStateException("a callback of the session waits for the session's own future, which"
                + " completes only after the callback returns (the session has failed already)");
    }

    /**
     * For a callback thread of the session waiting for a future of its chain (after
     * {@link #helpFinish} returned true): adds or removes it among the threads that a
     * recorded failure wakes. Adding comes before the first {@link #ensureCallbackMayWait},
     * so that a failure is either seen there or wakes the thread.
     */
    void callbackWaits(Thread t, boolean waiting) {
        lock.lock();
        try {
            if (waiting) {
                if (callbackWaiters == null) {
                    callbackWaiters = new ArrayList<>(2);
                }
                callbackWaiters.add(t);
            } else if (callbackWaiters != null) {
                callbackWaiters.remove(t);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Throws, for a callback of the session waiting for it, once the wait can never end:
     * the session has failed while the transport still waits for this callback, and the
     * future is not complete (its caller did not complete it: it completes only after the
     * transport ends).
     */
    void ensureCallbackMayWait() {
        lock.lock();
        try {
            if (phase.compareTo(Phase.NATIVE_DONE) < 0 && completion.failed() && !future.isDone()) {
                throw callbackWaitsForItself();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the callbacks waiting for the session (a failure was recorded). Lock held; never throws. */
    private void wakeCallbackWaitersLocked() {
        if (callbackWaiters != null) {
            for (Thread t : callbackWaiters) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Closes natively if a close was asked for and the completion has run. */
    private void closeIfFinished() {
        boolean now;
        lock.lock();
        try {
            now = closing && phase == Phase.FINISHED;
        } finally {
            lock.unlock();
        }
        if (now) {
            closeNative(false);
        }
    }

    /**
     * Releases the async blocks still held, CloseSession, and leaves the
     * client; once. The completion has run, so no callback can come. With
     * {@code wait}, a concurrent closer is waited for.
     */
    private void closeNative(boolean wait) {
        lock.lock();
        try {
            if (phase != Phase.FINISHED) {
                return;                           // a close from a callback: the finish closes later
            }
            if (closed || nativeClosing) {
                while (wait && !closed) {
                    changed.awaitUninterruptibly();
                }
                return;
            }
            nativeClosing = true;
        } finally {
            lock.unlock();
        }
        try {
            delivery.releaseAll();
            nat.close();
            Upcalls.SESSIONS.remove(key);
        } finally {
            try {
                client.closed(this);
            } finally {
                lock.lock();
                try {
                    closed = true;            // last: a closer waiting for another sees the session gone everywhere
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Whether this thread is running a session's listener (onSuccess, onFailure) now. */
    static boolean inListener() {
        return FINISHING.get() != null;
    }

    /**
     * Whether this thread may wait for sessions: not while it runs a
     * listener's completion, nor while it is the callback thread of a
     * session that has not ended (the transport waits for it to return).
     */
    static boolean mayWait() {
        return FINISHING.get() == null && !onCallbackThread();
    }

    /** Whether this thread is running some session's callback now. */
    private static boolean onCallbackThread() {
        return Delivery.inAnyCallback();
    }
}
