package io.github.wdstci.cli;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wdstci.ContentHandler;
import io.github.wdstci.Session;
import io.github.wdstci.TransferRequest;
import io.github.wdstci.TransportLibrary;
import io.github.wdstci.WdsClient;
import io.github.wdstci.WdsTransportException;

/**
 * Every call wdsget makes into the library's client and session API, in one
 * place: which library is loaded, opening the client, starting, cancelling
 * and closing a session. When the library's API changes, this is the class
 * to adapt.
 *
 * <p>Thread-safe: several sessions run at once, and a signal handler cancels
 * them from its own thread.
 */
final class Transport implements AutoCloseable {

    private final WdsClient client;

    private Transport(WdsClient client) {
        this.client = client;
    }

    /**
     * Which transport library this process uses.
     *
     * @param text         one line for people ("stand-in: loopback, no network (/path)"), or why none loads
     * @param path         the file loaded; null when none loads
     * @param standIn      whether it is the Linux stand-in (no network)
     * @param cancelEx     whether it exports WdsTransportClientCancelSessionEx
     * @param negotiation  whether it exports WdsTransportClientNegotiateRequiredDataRange
     * @param loadError    why no library loads (every candidate tried), or null
     */
    record Identity(String text, Path path, boolean standIn, boolean cancelEx, boolean negotiation, String loadError) {
        boolean loaded() {
            return loadError == null;
        }
    }

    /** Identifies the transport library of this process, loading it if needed; never throws. */
    static Identity identify() {
        try {
            TransportLibrary lib = WdsClient.library();
            return new Identity(lib.toString(), lib.path(), lib.isStandIn(), lib.hasCancelSessionEx(),
                    lib.hasNegotiation(), null);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            return new Identity("none loaded: " + (nl >= 0 ? m.substring(0, nl) : m), null, false, false, false, m);
        }
    }

    /** Whether the library's classes may call native code (JDK 22+'s restricted methods). */
    static boolean nativeAccessEnabled() {
        return WdsClient.class.getModule().isNativeAccessEnabled();
    }

    /** A client being opened ahead of time ({@link #openEarly}), for the first {@link #open}. */
    private static final AtomicReference<CompletableFuture<WdsClient>> EARLY = new AtomicReference<>();

    /**
     * Starts opening the client on a thread of its own, for a command that will receive: the
     * first use of the FFM linker (loading the library, the first downcall handles) then runs
     * while picocli still builds the command and parses its line, on the other core, instead of
     * after. The client is the one {@link #open} returns, with the same failure; a run that
     * ends before it opens one (a usage error) leaves it to the process's exit. From the
     * process's entry only ({@link WdsGet#main}): an in-process run opens its own.
     */
    static void openEarly() {
        CompletableFuture<WdsClient> client = new CompletableFuture<>();
        if (EARLY.compareAndSet(null, client)) {
            Thread.ofPlatform().daemon().name("wdsget-transport").start(() -> {
                try {
                    client.complete(WdsClient.open());
                } catch (Throwable t) {
                    client.completeExceptionally(t);
                }
            });
        }
    }

    /**
     * Opens the client (initialising the transport), or takes the one opened early.
     *
     * @throws UnsatisfiedLinkError  when no library loads
     * @throws WdsTransportException when the transport refuses to initialise
     */
    static Transport open() throws WdsTransportException {
        CompletableFuture<WdsClient> early = EARLY.getAndSet(null);
        if (early == null) {
            return new Transport(WdsClient.open());
        }
        try {
            return new Transport(early.join());
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WdsTransportException w) {
                throw w;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Creates and starts a session receiving {@code request} into {@code handler}.
     * A refused request does not throw: the returned session's completion fails.
     */
    Running start(TransferRequest request, ContentHandler handler) {
        Session session;
        try {
            session = client.newSession(request, handler);
        } catch (WdsTransportException | RuntimeException e) {
            return new Running(null, CompletableFuture.failedFuture(e));
        }
        CompletableFuture<Void> completion;
        try {
            completion = session.start();
        } catch (RuntimeException e) {
            session.close();
            return new Running(null, CompletableFuture.failedFuture(e));
        }
        return new Running(session, completion);
    }

    /** Closes the client; its open sessions are cancelled and closed first. */
    @Override
    public void close() {
        client.close();
    }

    /** A started session: wait on {@link #completion()}, cancel from any thread, close when done. */
    static final class Running {
        private final Session session;               // null: refused before it started
        private final CompletableFuture<Void> completion;

        private Running(Session session, CompletableFuture<Void> completion) {
            this.session = session;
            this.completion = completion;
        }

        /**
         * Completes when the session ended, normally or with its failure (a
         * {@link java.util.concurrent.CompletionException} may wrap it; see
         * {@link Outcome#unwrap}).
         */
        CompletableFuture<Void> completion() {
            return completion;
        }

        /** Cancels the session (CancelSession); nothing happens once it ended. */
        void cancel() {
            if (session == null) {
                return;
            }
            try {
                session.cancel();
            } catch (IllegalStateException alreadyClosed) {
                // ended and closed meanwhile: nothing left to cancel
            }
        }

        /**
         * Ends the session as timed out: its own future fails with a
         * {@link java.util.concurrent.TimeoutException}, which the library
         * turns into CancelSessionEx(ERROR_TIMEOUT) where the DLL has it.
         */
        void timeOut(String why) {
            end(new java.util.concurrent.TimeoutException(why));
        }

        /** Ends the session with this timeout ({@code --timeout}, or a stall: {@link Outcome.Stalled}). */
        void end(java.util.concurrent.TimeoutException why) {
            completion.completeExceptionally(why);
        }

        /** Frees the session (waiting for its completion callback); idempotent. */
        void close() {
            if (session != null) {
                session.close();
            }
        }
    }
}
