package io.github.wdstci.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.wdstci.ContentHandler;
import io.github.wdstci.StartInfo;
import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsTransportException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wdsget doctor}: what a problem report needs. Which transport
 * library was loaded and from where, which optional exports it has, the JDK
 * and whether native access is enabled; with {@code -s SERVER}, whether the
 * server answers, found by starting a probe session and reading its error;
 * with {@code -n NAMESPACE} and an object, whether that object exists (the
 * session is ended as soon as the server has said the object's size).
 */
@Command(name = "doctor", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Check the setup and print what a problem report needs: the transport library loaded and"
                + " from where, its optional exports, the JDK and whether native access is enabled.",
                "With -s SERVER, also check that the server answers; with -n NAMESPACE (and an OBJECT), that the"
                + " namespace (and the object) exist. Nothing is received or written.",
                "The exit code is 0 when every check passed, else that of the first problem (see 'wdsget --help')."})
final class DoctorCommand implements Callable<Integer> {

    /** The namespace a bare server probe asks for; no server has it, so "not found" means "answers". */
    static final String PROBE_NAMESPACE = "wdsget-doctor-probe";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-s", "--server"}, paramLabel = "HOST", description = "A WDS server to check.")
    String server;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "A namespace to look for (with -s).")
    String namespace;

    @Parameters(index = "0", arity = "0..1", paramLabel = "OBJECT", description = "An object to look for (with -s and -n).")
    String object;

    @Mixin
    AuthOption auth;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.Converter.class,
            description = "How long to wait for the server (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** The probe's session reached SessionStart: the object exists, and this is its size. */
    private static final class Found extends Exception {
        private static final long serialVersionUID = 1L;
        final long size;

        Found(long size) {
            super(null, null, false, false);
            this.size = size;
        }
    }

    @Override
    public Integer call() {
        if (server == null && (namespace != null || object != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-n and OBJECT need -s SERVER");
        }
        if (object != null && namespace == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "OBJECT needs -n NAMESPACE");
        }
        PrintStream out = WdsGet.context(spec).out();
        Outcome result = Outcome.SUCCESS;
        println(out, "wdsget " + WdsGet.version());
        println(out, "java: " + WdsGet.java() + ", in " + System.getProperty("java.home"));
        boolean nativeAccess = Transport.nativeAccessEnabled();
        println(out, "native access: " + (nativeAccess ? "enabled"
                : "NOT enabled: run java with --enable-native-access=ALL-UNNAMED (java -jar wdsget.jar and ./wdsget"
                        + " enable it through the jar's manifest)"));
        Transport.Identity lib = Transport.identify();
        println(out, "library: " + lib.text());
        if (!lib.loaded()) {
            println(out, "problem: no transport library loads:");
            lib.loadError().lines().forEach(l -> println(out, "  " + l));
            out.flush();
            return Outcome.FAILURE.exitCode();
        }
        println(out, "export WdsTransportClientCancelSessionEx: " + (lib.cancelEx() ? "yes"
                : "no (Vista-era DLL: a cancel always reports ERROR_CANCELLED)"));
        println(out, "export WdsTransportClientNegotiateRequiredDataRange: " + (lib.negotiation() ? "yes"
                : "no (the whole object is always received)"));
        try {
            Defaults d = Defaults.load(WdsGet.context(spec).env());
            println(out, "defaults: " + describe(d));
            if (server == null && d.server() != null) {
                server = d.server();
                namespace = namespace != null ? namespace : d.namespace();
            }
        } catch (Outcome.Problem e) {
            println(out, "problem: " + e.getMessage());
            result = Outcome.USAGE;
        }
        if (server == null) {
            println(out, "server: not checked (give -s SERVER, and -n NAMESPACE OBJECT to look for an object)");
        } else {
            result = Outcome.worst(result, probe(out, lib));
        }
        out.flush();
        return result.exitCode();
    }

    /** The defaults for get (and doctor): each value and where it comes from, or that there are none. */
    private static String describe(Defaults d) {
        String where = "WDSGET_SERVER, WDSGET_NAMESPACE" + (d.file() == null ? "" : ", " + d.file());
        if (d.server() == null && d.namespace() == null) {
            return "none (" + where + ")";
        }
        return (d.server() == null ? "no server" : "server " + d.server() + " (from " + d.serverFrom() + ")") + ", "
                + (d.namespace() == null ? "no namespace" : "namespace " + d.namespace() + " (from "
                + d.namespaceFrom() + ")");
    }

    /** Starts a session for the object (or a probe name) and says what its outcome means. */
    private Outcome probe(PrintStream out, Transport.Identity lib) {
        String ns = namespace != null ? namespace : PROBE_NAMESPACE;
        String obj = object != null ? object : "probe";
        TransferRequest request;
        try {
            request = TransferRequest.newBuilder().server(server).namespace(ns).objectName(obj)
                    .authLevel(auth.level()).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), TransferOptions.optionNames(e.getMessage()), e);
        }
        if (lib.standIn()) {
            println(out, "note: the stand-in answers for any server name (except *.invalid) without a network");
        }
        java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong(-1);
        ContentHandler probe = new ContentHandler() {
            @Override
            public void onStart(StartInfo info) throws Found {
                answered.set(info.fileSize());
                throw new Found(info.fileSize());     // seen enough: end the session before any block
            }

            @Override
            public void onContent(java.lang.foreign.MemorySegment block, long offset) {
            }
        };
        Transport transport;
        try {
            transport = Transport.open();
        } catch (WdsTransportException | RuntimeException e) {
            println(out, "problem: the transport does not initialise: " + e.getMessage());
            return Outcome.FAILURE;
        }
        Transport.Running running = transport.start(request, probe);
        Throwable failure = null;
        boolean timedOut = false;
        try {
            running.completion().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            failure = Outcome.unwrap(e);
        } catch (TimeoutException e) {
            timedOut = true;
            running.cancel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.cancel();
            return Outcome.CANCELLED;    // the caller exits; a stuck transport must not hold it
        }
        // --timeout bounds the whole probe: a transport slow to end its session (after the
        // answer, or after the cancel) is left behind, and said so, instead of waited for.
        boolean ended = closeWithin(running, transport, timedOut ? Duration.ofSeconds(2) : timeout);
        if (!ended) {
            println(out, "note: the transport did not end the probe's session when told to; leaving without it");
        }
        if (timedOut || (!ended && failure == null)) {
            long size = answered.get();
            if (size < 0) {
                println(out, "server " + server + ": no answer within " + Durations.format(timeout));
                return Outcome.UNREACHABLE;
            }
            failure = new Found(size);   // it answered; only ending the session was slow
        }
        return report(out, request, failure);
    }

    /**
     * Closes the session and the client on a daemon thread, waiting at most
     * {@code limit}; true when both closed in time.
     */
    private static boolean closeWithin(Transport.Running running, Transport transport, Duration limit) {
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Thread.ofPlatform().daemon().name("wdsget-doctor-close").start(() -> {
            try {
                running.close();
                transport.close();
            } finally {
                closed.countDown();
            }
        });
        try {
            return closed.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One line of the report; the names and reasons in it have their control characters escaped. */
    private static void println(PrintStream out, String line) {
        out.println(Visible.of(line));
    }

    private Outcome report(PrintStream out, TransferRequest request, Throwable failure) {
        String s = "server " + server + ": ";
        if (failure == null || failure instanceof Found) {
            println(out, s + "answers");
            if (namespace != null) {
                println(out, "namespace " + namespace + ": found");
            }
            if (object != null) {
                println(out, "object " + object + ": found" + (failure instanceof Found f
                        ? ", " + f.size + " bytes (" + ByteSize.format(f.size) + ")" : ""));
            }
            return Outcome.SUCCESS;
        }
        if (!(failure instanceof WdsTransportException e)) {
            println(out, s + "the probe failed: " + failure);
            return Outcome.FAILURE;
        }
        Outcome.Failure f = Outcome.classify(e, request, null);
        String code = Outcome.code(e.code());
        switch (f.outcome()) {
            case UNREACHABLE -> println(out, s + "does not answer " + code + ": "
                    + (e.error() == io.github.wdstci.Win32Error.WSAHOST_NOT_FOUND ? "the name does not resolve"
                    : "check the name, the network and the server's firewall"));
            case ACCESS_DENIED -> println(out, s + "answers, but refuses access " + code
                    + (auth.on() ? "; check that this account may read the namespace" : "; drop --no-auth"));
            case NOT_FOUND -> {
                println(out, s + "answers");
                boolean noNamespace = e.error() == io.github.wdstci.Win32Error.ERROR_PATH_NOT_FOUND;
                if (namespace == null) {
                    println(out, "namespace: not checked (the probe asked for '" + PROBE_NAMESPACE + "', which no"
                            + " server has: " + (noNamespace ? "namespace" : "object") + " not found " + code + ")");
                    return Outcome.SUCCESS;
                }
                if (noNamespace) {
                    println(out, "namespace " + namespace + ": not found " + code);
                    return Outcome.NOT_FOUND;
                }
                println(out, "namespace " + namespace + ": found");
                if (object == null) {
                    return Outcome.SUCCESS;   // the probe object is not expected to exist
                }
                println(out, "object " + object + ": not found " + code);
                return Outcome.NOT_FOUND;
            }
            default -> println(out, s + "the probe failed: " + f.message());
        }
        return f.outcome();
    }
}
