package io.github.wdstci;

import static io.github.wdstci.internal.ffi.wdstci_h.WdsTransportClientInitialize;
import static io.github.wdstci.internal.ffi.wdstci_h.WdsTransportClientShutdown;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.github.wdstci.internal.NativeLibrary;

/**
 * The transport client: the process-wide WdsTransportClientInitialize /
 * WdsTransportClientShutdown pair as an {@link AutoCloseable}.
 *
 * <p>Clients are reference-counted: the first {@link #open()} in the process
 * loads the library and calls Initialize, the last {@link #close()} calls
 * Shutdown. The library is WDSTPTC.dll from the Windows system directory, the
 * Linux stand-in shipped in this jar, or the file named by the system property
 * {@value NativeLibrary#PATH_PROPERTY}.
 *
 * <pre>{@code
 * try (WdsClient client = WdsClient.open()) {
 *     client.receive(request, ContentHandlers.toFile(Path.of("boot.wim"))).join();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Sessions belong to their client: closing the client cancels
 * and closes the sessions still open.
 */
public final class WdsClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WdsClient.class.getName());

    /** The default completion executor: a virtual thread per task, never a transport thread. */
    private static final ExecutorService DEFAULT_EXECUTOR =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("wdstci-completion-", 0).factory());

    private static final Object GLOBAL = new Object();
    private static int clients;                   // guarded by GLOBAL

    private final NativeLibrary library;
    private final Executor executor;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private boolean closed;                       // guarded by lock

    private WdsClient(NativeLibrary library, Executor executor) {
        this.library = library;
        this.executor = executor;
    }

    /**
     * Opens a client whose sessions complete their futures on virtual threads.
     *
     * @throws UnsatisfiedLinkError  naming every library tried, when none loads
     * @throws WdsTransportException when Initialize fails
     */
    public static WdsClient open() throws WdsTransportException {
        return open(DEFAULT_EXECUTOR);
    }

    /**
     * Opens a client whose sessions complete their futures (and run
     * {@link SessionListener#onSuccess}/{@link SessionListener#onFailure}) on
     * this executor. A rejected task runs on a new virtual thread instead.
     *
     * @throws IllegalArgumentException if executor is null
     * @throws UnsatisfiedLinkError     naming every library tried, when none loads
     * @throws WdsTransportException    when Initialize fails
     */
    public static WdsClient open(Executor executor) throws WdsTransportException {
        if (executor == null) {
            throw new IllegalArgumentException("executor must not be null");
        }
        NativeLibrary lib = NativeLibrary.load();
        synchronized (GLOBAL) {
            if (clients == 0) {
                int rc = WdsTransportClientInitialize();
                if (rc != 0) {
                    throw new WdsTransportException("WdsTransportClientInitialize", rc);
                }
                LOG.log(System.Logger.Level.DEBUG, "initialized the transport client from {0}", lib.path());
            }
            clients++;
        }
        return new WdsClient(lib, executor);
    }

    /**
     * A new session receiving blocks synchronously; call {@link Session#start()}.
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if this client is closed
     * @throws WdsTransportException    if the library refuses the request
     */
    public Session newSession(TransferRequest request, ContentHandler handler) throws WdsTransportException {
        return create(request, handler);
    }

    /**
     * A new session whose handler may keep blocks until it releases them.
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if this client is closed
     * @throws WdsTransportException    if the library refuses the request
     */
    public Session newAsyncSession(TransferRequest request, AsyncContentHandler handler) throws WdsTransportException {
        return create(request, handler);
    }

    private Session create(TransferRequest request, SessionListener handler) throws WdsTransportException {
        if (request == null) {
            throw new IllegalArgumentException("request must not be null");
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler must not be null");
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            Session s = new Session(this, request, handler, executor);
            sessions.add(s);
            return s;
        }
    }

    /**
     * Receives one object: creates a session, starts it, and closes it once
     * it has completed. The future fails (rather than this method throwing)
     * when the library refuses the request.
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if this client is closed
     */
    public CompletableFuture<Void> receive(TransferRequest request, ContentHandler handler) {
        Session s;
        try {
            s = newSession(request, handler);
        } catch (WdsTransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        return s.start().whenComplete((v, t) -> s.close());
    }

    /**
     * Whether the library exports WdsTransportClientNegotiateRequiredDataRange
     * (the current SDK declares it, DLLs of some Windows versions lack it);
     * {@link SessionListener#onNegotiate} is only called when it does.
     */
    public boolean negotiationSupported() {
        return library.find("WdsTransportClientNegotiateRequiredDataRange").isPresent();
    }

    /**
     * The transport client library of this process, loading it if no client
     * has yet.
     *
     * @throws UnsatisfiedLinkError naming every library tried, when none loads
     */
    public static TransportLibrary library() {
        return TransportLibrary.of(NativeLibrary.load());
    }

    /** The executor sessions complete on. */
    public Executor executor() {
        return executor;
    }

    /**
     * Cancels and closes this client's open sessions (waiting for each to
     * complete), then releases this client's share of the transport; the last
     * client in the process calls Shutdown. Idempotent.
     *
     * @throws IllegalStateException when called on a transport callback thread
     *                               of one of this client's sessions
     */
    @Override
    public void close() {
        for (Session s : sessions) {
            if (s.onCallbackThread()) {
                throw new IllegalStateException("WdsClient.close() on a transport callback thread would deadlock");
            }
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Session s : sessions) {
            s.close();
        }
        synchronized (GLOBAL) {
            if (--clients == 0) {
                int rc = WdsTransportClientShutdown();
                if (rc != 0) {
                    LOG.log(System.Logger.Level.WARNING, "WdsTransportClientShutdown: {0}", Win32Error.nameOf(rc));
                }
            }
        }
    }

    void closed(Session s) {
        sessions.remove(Objects.requireNonNull(s));
    }

    /** Sessions created by this client and not yet closed. */
    int openSessions() {
        return sessions.size();
    }
}
