package io.github.wdstci;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.wdstci.internal.NativeLibrary;
import io.github.wdstci.internal.Wdstptc;

/**
 * The transport client: the process-wide WdsTransportClientInitialize /
 * WdsTransportClientShutdown pair as an {@link AutoCloseable}, and the
 * factory of sessions.
 *
 * <p>Clients are reference-counted: the first {@link #open()} in the process
 * opens the library ({@link #library()}) and calls Initialize, the last
 * {@link #close()} calls Shutdown.
 *
 * <pre>{@code
 * try (WdsClient client = WdsClient.open()) {
 *     client.receive(request, ContentHandlers.toFile(Path.of("boot.wim"))).join();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Sessions belong to their client: closing the client closes
 * (and so cancels) the sessions still open.
 */
public final class WdsClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WdsClient.class.getName());

    /** The default completion executor: a virtual thread per task, never a transport thread. */
    private static final ExecutorService DEFAULT_EXECUTOR =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("wdstci-completion-", 0).factory());

    private static final Object GLOBAL = new Object();
    private static int clients;                   // guarded by GLOBAL

    private enum State { OPEN, CLOSING, CLOSED }

    private final Executor executor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<Session> sessions = new LinkedHashSet<>();   // guarded by lock
    private State state = State.OPEN;                               // guarded by lock
    private boolean released;                                       // guarded by lock: Shutdown's share given back
    private int creating;                                           // guarded by lock: sessions being made

    private WdsClient(Executor executor) {
        this.executor = executor;
    }

    /**
     * Opens a client whose sessions complete their futures on virtual threads.
     *
     * @return a new client
     * @throws UnsatisfiedLinkError  naming every library tried, when none opens
     * @throws WdsTransportException when Initialize fails
     */
    public static WdsClient open() throws WdsTransportException {
        return open(DEFAULT_EXECUTOR);
    }

    /**
     * Opens a client whose sessions complete their futures (and run
     * {@link SessionListener#onSuccess}/{@link SessionListener#onFailure}) on
     * this executor. A task it refuses (its {@code execute} throws, as with a
     * {@link java.util.concurrent.RejectedExecutionException}) runs on a new
     * virtual thread instead, and so does a task it would run on a transport's
     * thread (an executor that runs tasks where they are submitted). Any executor
     * that runs the tasks it accepts works, a single-threaded one included, as
     * long as its tasks do not wait for a session's future: that session's
     * completion may be queued behind the waiting task (see {@link Session};
     * closing a session from such a task is fine: the closing thread completes
     * it). One that drops accepted tasks unrun
     * ({@link java.util.concurrent.ThreadPoolExecutor.DiscardPolicy},
     * {@link java.util.concurrent.ThreadPoolExecutor.DiscardOldestPolicy}, or
     * {@code shutdownNow()} with the tasks it returns left unrun) leaves those
     * sessions unfinished until they are closed.
     *
     * @param executor where sessions complete
     * @return a new client
     * @throws IllegalArgumentException if executor is null
     * @throws UnsatisfiedLinkError     naming every library tried, when none opens
     * @throws WdsTransportException    when Initialize fails
     */
    public static WdsClient open(Executor executor) throws WdsTransportException {
        if (executor == null) {
            throw new IllegalArgumentException("executor must not be null");
        }
        NativeLibrary lib = NativeLibrary.load();
        synchronized (GLOBAL) {
            if (clients == 0) {
                int rc = Wdstptc.initialize();
                WdsTransportException.check("WdsTransportClientInitialize", rc);
                LOG.log(System.Logger.Level.DEBUG, "initialized the transport client from {0}", lib.path());
            }
            clients++;
        }
        return new WdsClient(executor);
    }

    /**
     * The transport client library of this process, opening it if no client
     * has yet.
     *
     * @return what was opened, from where, and what it exports
     * @throws UnsatisfiedLinkError naming every library tried, when none opens
     */
    public static TransportLibrary library() {
        return TransportLibrary.of(NativeLibrary.load());
    }

    /**
     * A new session receiving blocks synchronously; call {@link Session#start()}.
     *
     * @param request what to receive
     * @param handler gets each block during a callback
     * @return the session, not started
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if this client is closed
     * @throws WdsTransportException    if the library refuses the request
     */
    public Session newSession(TransferRequest request, ContentHandler handler) throws WdsTransportException {
        return create(request, handler, false, false);
    }

    /**
     * A new session whose handler may keep blocks until it releases them. The
     * handler is driven asynchronously even if it also implements
     * {@link ContentHandler}.
     *
     * @param request what to receive
     * @param handler gets each block as a {@link Block} to release
     * @return the session, not started
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if this client is closed
     * @throws WdsTransportException    if the library refuses the request
     */
    public Session newAsyncSession(TransferRequest request, AsyncContentHandler handler) throws WdsTransportException {
        return create(request, handler, true, false);
    }

    /**
     * Receives one object: creates a session, starts it, and closes it once
     * it has ended. The returned future is the session's own: cancelling it,
     * completing it or {@code orTimeout} on it cancels the native session (see
     * {@link Session}); it fails with the cause itself (a handler's exception,
     * a {@link WdsTransportException}, ...). When the library refuses the
     * request, the future fails with that {@link WdsTransportException}.
     *
     * @param request what to receive
     * @param handler gets each block during a callback
     * @return the session's future, complete once the session has closed
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if this client is closed
     */
    public CompletableFuture<Void> receive(TransferRequest request, ContentHandler handler) {
        Session s;
        try {
            s = create(request, handler, false, true);
        } catch (WdsTransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            return s.start();
        } catch (IllegalStateException closedMeanwhile) {
            // close() of this client came between: the session was cancelled before it started,
            // its handler heard so, and its future says so too
            return s.future();
        }
    }

    private Session create(TransferRequest request, SessionListener handler, boolean asynchronous,
                           boolean closeWhenFinished) throws WdsTransportException {
        if (request == null) {
            throw new IllegalArgumentException("request must not be null");
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler must not be null");
        }
        lock.lock();
        try {
            if (state != State.OPEN) {
                throw new IllegalStateException("client is closed");
            }
            creating++;                // a close meanwhile keeps the transport until this one is placed
        } finally {
            lock.unlock();
        }
        Session s = null;
        boolean placed = false;
        try {
            s = new Session(request, handler, asynchronous, executor, closeWhenFinished, this::sessionClosed);
        } finally {
            lock.lock();
            try {
                creating--;
                if (s != null && state == State.OPEN) {
                    sessions.add(s);
                    placed = true;
                }
            } finally {
                lock.unlock();
            }
            if (!placed) {
                if (s != null) {
                    s.abandon();       // the client closed meanwhile: nobody gets this session
                }
                releaseIfDone();
            }
        }
        if (!placed) {
            throw new IllegalStateException("client is closed");
        }
        return s;
    }

    /**
     * Whether the library exports WdsTransportClientNegotiateRequiredDataRange;
     * same as {@code library().hasNegotiation()}.
     *
     * @return whether {@link SessionListener#onNegotiate} can be called
     */
    public boolean negotiationSupported() {
        return Wdstptc.hasNegotiation();
    }

    /**
     * The executor sessions complete on.
     *
     * @return the executor given to {@link #open(Executor)}, or the default one
     */
    public Executor executor() {
        return executor;
    }

    /**
     * Closes this client's open sessions (see {@link Session#close()}: each is
     * cancelled unless it has ended; every transport is told before any is waited
     * for), then gives back this client's share of the transport: the last client in
     * the process calls Shutdown. Idempotent; from an ordinary thread, every call
     * returns once all of that is done, whichever call began it.
     *
     * <p>From a transport callback or a listener's {@code onSuccess}/{@code onFailure},
     * it does not wait: the sessions are cancelled, and the transport is given back
     * once the last of them has closed.
     */
    @Override
    public void close() {
        boolean mayWait = !CallbackThreads.busy();
        List<Session> open;
        lock.lock();
        try {
            if (state == State.OPEN) {
                state = State.CLOSING;
            }
            open = new ArrayList<>(sessions);
        } finally {
            lock.unlock();
        }
        for (Session s : open) {
            s.beginClose();
        }
        if (mayWait) {
            for (Session s : open) {
                s.awaitClosed();
            }
        }
        releaseIfDone();
        if (mayWait) {
            lock.lock();
            try {
                while (state != State.CLOSED) {
                    changed.awaitUninterruptibly();   // a session being made meanwhile, or Shutdown on another thread
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** A session of this client has closed natively. */
    private void sessionClosed(Session s) {
        lock.lock();
        try {
            sessions.remove(s);
        } finally {
            lock.unlock();
        }
        releaseIfDone();
    }

    /** Once closing and without sessions, gives back the transport (once). */
    private void releaseIfDone() {
        lock.lock();
        try {
            if (state == State.OPEN || released || !sessions.isEmpty() || creating > 0) {
                return;
            }
            released = true;
        } finally {
            lock.unlock();
        }
        if (CallbackThreads.busy()) {
            // The last Shutdown waits for the transport's threads: not on one of them.
            CallbackThreads.offThread(this::shutdownShare);
        } else {
            shutdownShare();
        }
    }

    private void shutdownShare() {
        try {
            synchronized (GLOBAL) {
                if (--clients == 0) {
                    int rc = Wdstptc.shutdown();
                    if (rc != 0) {
                        LOG.log(System.Logger.Level.WARNING, "WdsTransportClientShutdown: {0}", Win32Error.nameOf(rc));
                    }
                }
            }
        } finally {
            lock.lock();
            try {
                state = State.CLOSED;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Sessions created by this client and not yet closed. */
    int openSessions() {
        lock.lock();
        try {
            return sessions.size();
        } finally {
            lock.unlock();
        }
    }
}
