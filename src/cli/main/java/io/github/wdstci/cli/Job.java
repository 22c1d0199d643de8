package io.github.wdstci.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.wdstci.TransferRequest;

/**
 * One object of a run: what is requested, where it goes, and how far it got.
 * Created by {@link Transfer}; its session runs on a thread of its own.
 */
final class Job {

    /**
     * What to receive.
     *
     * @param request       what the transport is asked for
     * @param name          the object as the user named it, for records and messages (the
     *                      request's name may be spelt otherwise: {@link GetCommand#syntheticName})
     * @param defaultName   the object's own file name (without --output, or in an output directory)
     * @param syntheticSeed for the demo, the seed of the synthetic content to check; else null
     * @param header        what the bar's first line says about it; null for the usual sentence
     * @param output        its own output ({@code get -i}: relative to {@code -o DIR}), or null for
     *                      the run's
     */
    record Spec(TransferRequest request, String name, String defaultName, Long syntheticSeed, String header,
                String output) {

        /** An object of {@code get}, as the user named it, received as {@code request}, into {@code output}. */
        static Spec object(TransferRequest request, String name, String output) {
            return new Spec(request, name, GetCommand.defaultName(name), null, null, output);
        }
    }

    /** Counts for the display: written on the callback thread, read on the display's. */
    static final class Progress {
        private final Runnable poke;
        private final AtomicLong received = new AtomicLong();
        private volatile long held;
        private volatile long total = -1;
        private volatile long startedNanos;
        private volatile long completedNanos;
        private volatile boolean completed;
        private volatile boolean ended;
        private volatile boolean failed;

        Progress(Runnable poke) {
            this.poke = poke;
        }

        /** The session started: the object's size. */
        void started(long size) {
            startedNanos = System.nanoTime();
            total = size;
            if (size == 0) {
                complete();
            }
            poke.run();
        }

        /**
         * The attempt continues a part file that holds {@code bytes} of the object already:
         * they count as received (but not in {@link #fresh()}). Before the first block.
         */
        void resumed(long bytes) {
            held = bytes;
            if (received.addAndGet(bytes) == total) {
                complete();
            }
            poke.run();
        }

        /** A block arrived, with {@code bytes} of the object that were not on disk before. */
        void add(long bytes) {
            if (received.addAndGet(bytes) == total) {
                complete();
                poke.run();
            }
        }

        private void complete() {
            completedNanos = System.nanoTime();
            completed = true;
        }

        /**
         * From the session's start to its last byte (what the summary's time and rate are
         * over, without setting the session up or putting the object in place); null while
         * bytes are still to come.
         */
        Duration elapsed() {
            return completed ? Duration.ofNanos(completedNanos - startedNanos) : null;
        }

        /**
         * A new attempt starts ({@code --retries}): the counts go back to nothing received, size
         * unknown until its session starts (and what it continues, see {@link #resumed}).
         */
        void restart() {
            received.set(0);
            held = 0;
            total = -1;
            completed = false;
            poke.run();
        }

        /** The object's run is over; {@code failure}: it does not count towards the totals any more. */
        void end(boolean failure) {
            failed = failure;
            ended = true;
        }

        /** Bytes of the object on disk: those this attempt received, and those it continued. */
        long received() {
            return received.get();
        }

        /** Bytes this attempt received, without those of a part file it continued. */
        long fresh() {
            return received.get() - held;
        }

        /** {@link System#nanoTime()} when the session started (valid once {@link #total()} is known). */
        long startedNanos() {
            return startedNanos;
        }

        /** The object's size, or -1 before its session started. */
        long total() {
            return total;
        }

        boolean ended() {
            return ended;
        }

        boolean failed() {
            return failed;
        }
    }

    private final Spec spec;
    private final Output.Target target;
    private volatile Sink sink;
    private final Progress progress;
    private volatile String expected;
    private volatile String digest;
    private volatile String transport;
    private volatile Transport.Running running;
    private volatile Receiver receiver;

    Job(Spec spec, Output.Target target, Sink sink, Progress progress, String transport) {
        this.spec = spec;
        this.target = target;
        this.sink = sink;
        this.progress = progress;
        this.transport = transport;
    }

    Spec spec() {
        return spec;
    }

    TransferRequest request() {
        return spec.request();
    }

    Output.Target target() {
        return target;
    }

    /** The current attempt's sink. */
    Sink sink() {
        return sink;
    }

    /** The next attempt's sink ({@code --retries}). */
    void sink(Sink next) {
        sink = next;
    }

    /** The SHA-256 the object must have ({@code --check}), or null. */
    String expected() {
        return expected;
    }

    void expect(String hex) {
        expected = hex;
    }

    /** The object's SHA-256, once received and put in place (when computed), else null. */
    String digest() {
        return digest;
    }

    void digest(String hex) {
        digest = hex;
    }

    Progress progress() {
        return progress;
    }

    /** The transport library's identity, for the request record. */
    String transport() {
        return transport;
    }

    void transport(String identity) {
        transport = identity;
    }

    Transport.Running running() {
        return running;
    }

    void running(Transport.Running r) {
        running = r;
    }

    Receiver receiver() {
        return receiver;
    }

    void receiver(Receiver r) {
        receiver = r;
    }
}
