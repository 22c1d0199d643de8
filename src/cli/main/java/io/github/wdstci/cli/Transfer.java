package io.github.wdstci.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.ContentHandler;
import io.github.wdstci.ContentHandlers;
import io.github.wdstci.Session;
import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsClient;
import io.github.wdstci.Win32Error;

/**
 * One wdsget transfer, shared by {@code get} and {@code demo}: checks the
 * output, receives into a staging file beside it, verifies, moves it into
 * place, and reports.
 *
 * <p>The object reaches the output's name only complete and verified: the
 * library's file sink writes a temporary file and moves it onto the staging
 * name {@code .<name>.wdsget-<pid>} on success; wdsget then checks the SHA-256
 * (when asked) and moves the staging file onto the output. Any failure,
 * cancel or Ctrl-C deletes both.
 *
 * <p>Ctrl-C (SIGINT) and SIGTERM run a shutdown hook that cancels the session
 * (CancelSession) and waits until this transfer has cleaned up and reported;
 * the JVM then exits with 128 + the signal (130 for SIGINT).
 */
final class Transfer {

    /** What to do when the output exists. */
    enum IfExists { FAIL, OVERWRITE, SKIP }

    private static final Duration HOOK_WAIT = Duration.ofSeconds(30);

    private final TransferRequest request;
    private final Path output;                 // null: receive without writing (demo)
    private final IfExists ifExists;
    private final String sha256;               // null: no hash; "": print it; else expected hex
    private final Long syntheticSeed;          // non-null: verify against synthetic content
    private final Display.Mode mode;
    private final CliIo io;

    private volatile boolean interrupted;
    private final CountDownLatch reported = new CountDownLatch(1);

    Transfer(TransferRequest request, Path output, IfExists ifExists, String sha256, Long syntheticSeed,
             Display.Mode mode, CliIo io) {
        this.request = request;
        this.output = output;
        this.ifExists = ifExists;
        this.sha256 = sha256;
        this.syntheticSeed = syntheticSeed;
        this.mode = mode;
        this.io = io;
    }

    /** Runs the transfer and returns the exit code; prints the outcome. */
    int run() {
        try (Display display = Display.create(mode, io.terminal(), io.out())) {
            return run(display);
        } finally {
            reported.countDown();
        }
    }

    private int run(Display display) {
        Path target = null;
        Path staging = null;
        try {
            if (sha256 != null && !sha256.isEmpty() && !sha256.matches("(?i)[0-9a-f]{64}")) {
                return io.fail(Outcome.USAGE, "--sha256 expects 64 hex digits: '" + sha256 + "'", null);
            }
            if (output != null) {
                target = output.toAbsolutePath().normalize();
                Path dir = target.getParent();
                if (dir == null || !Files.isDirectory(dir)) {
                    return io.fail(Outcome.FAILURE, "output directory does not exist: " + dir, null);
                }
                if (Files.isDirectory(target)) {
                    return io.fail(Outcome.FAILURE, "output is a directory: " + target, null);
                }
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    switch (ifExists) {
                        case FAIL -> {
                            return io.fail(Outcome.TARGET_EXISTS, "output exists: " + target
                                    + "; use --if-exists=overwrite to replace it or --if-exists=skip", null);
                        }
                        case SKIP -> {
                            display.note("skipped", Map.of("output", target));
                            return Outcome.SUCCESS.exitCode();
                        }
                        case OVERWRITE -> { }
                    }
                }
                staging = dir.resolve("." + target.getFileName() + ".wdsget-" + ProcessHandle.current().pid());
            }
            return receive(display, target, staging);
        } catch (Throwable t) {
            Outcome.Failure f = Outcome.classify(t, request, interrupted);
            return io.fail(f.outcome(), f.message(), t);
        } finally {
            if (staging != null) {
                try {
                    Files.deleteIfExists(staging);
                } catch (IOException e) {
                    io.err().println("wdsget: warning: could not delete " + staging + ": " + e.getMessage());
                }
            }
        }
    }

    private int receive(Display display, Path target, Path staging) throws Exception {
        ContentHandler sink = staging != null ? ContentHandlers.toFile(staging) : ContentHandlers.discarding();
        Receiver receiver = new Receiver(sink, target == null ? null : target.getParent(), syntheticSeed);
        ContentHandler handler = ContentHandlers.withProgress(receiver, display, display.intervalMillis());

        long started;
        long bytes;
        try (WdsClient client = WdsClient.open();
             Session session = client.newSession(request, handler)) {
            Thread hook = new Thread(() -> onSignal(session), "wdsget-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                display.begin(request, target);
                started = System.nanoTime();
                session.start().join();
                bytes = session.status().bytesReceived();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it waits for this transfer to report
                }
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        String digest = null;
        if (sha256 != null && staging != null) {
            digest = sha256(staging);
            if (!sha256.isEmpty() && !digest.equalsIgnoreCase(sha256)) {
                throw new Outcome.Problem(Outcome.VERIFICATION_FAILED, "verification failed: SHA-256 is " + digest
                        + ", expected " + sha256.toLowerCase(Locale.ROOT) + "; the output was not written");
            }
        }
        if (staging != null) {
            place(staging, target);
        }
        boolean synthetic = syntheticSeed != null;
        String verified = synthetic ? "content" : digest != null && !sha256.isEmpty() ? "sha256" : null;
        display.end(new Display.Summary(bytes, elapsed, target, digest, verified,
                synthetic ? receiver.blocks() : -1, synthetic ? receiver.outOfOrder() : -1));
        return Outcome.SUCCESS.exitCode();
    }

    /** The shutdown hook's body: cancel, then let {@link #run()} clean up and report before the JVM exits. */
    private void onSignal(Session session) {
        interrupted = true;
        try {
            session.cancel();
        } catch (Throwable alreadyClosed) {
            // the session finished meanwhile: run() sees the interrupt flag while hashing or placing
        }
        try {
            reported.await(HOOK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Moves the verified staging file onto the output, replacing it only under --if-exists=overwrite. */
    private void place(Path staging, Path target) throws IOException {
        checkInterrupted();
        if (ifExists == IfExists.OVERWRITE) {
            Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            try {
                // no ATOMIC_MOVE: on Linux a rename would silently replace a file created meanwhile
                Files.move(staging, target);
            } catch (FileAlreadyExistsException e) {
                throw new Outcome.Problem(Outcome.TARGET_EXISTS, "output appeared during the transfer: " + target
                        + "; the received object was discarded (use --if-exists=overwrite)");
            }
        }
    }

    private String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                checkInterrupted();
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private void checkInterrupted() throws Outcome.Problem {
        if (interrupted) {
            throw new Outcome.Problem(Outcome.CANCELLED, "cancelled by signal; no output was written "
                    + Outcome.code(Win32Error.ERROR_CANCELLED.code()));
        }
    }

    /** The output and error streams, and whether standard output is a terminal. */
    record CliIo(PrintStream out, PrintStream err, boolean terminal, boolean verbose) {

        /** Prints {@code wdsget: <message>} (and the stack trace under --verbose); returns the exit code. */
        int fail(Outcome outcome, String message, Throwable t) {
            err.println("wdsget: " + message);
            if (verbose && t != null) {
                t.printStackTrace(err);
            }
            err.flush();
            return outcome.exitCode();
        }
    }
}
