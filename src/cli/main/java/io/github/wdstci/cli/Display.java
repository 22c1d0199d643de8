package io.github.wdstci.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.AuthLevel;
import io.github.wdstci.ProgressListener;
import io.github.wdstci.TransferRequest;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a transfer shows on standard output: a live bar on a terminal, plain
 * {@code key=value} lines otherwise, or nothing. {@link #onProgress} runs on
 * the transport's callback thread, so no implementation writes there: the bar
 * renders on the progress-bar library's thread, lines on a printer thread.
 */
abstract sealed class Display implements ProgressListener, AutoCloseable {

    /** How to show progress; {@code AUTO} picks {@code BAR} on a terminal, else {@code LINES}. */
    enum Mode { AUTO, BAR, LINES, NONE }

    /**
     * What a finished transfer reports. {@code verified} is {@code content}
     * (demo: every byte and block checked), {@code sha256} (matched the
     * expected hash) or null; null fields and negative counts are left out.
     */
    record Summary(long bytes, Duration elapsed, Path output, String sha256, String verified,
                   long blocks, long outOfOrder) {
        double rate() {
            double s = elapsed.toNanos() / 1e9;
            return s > 0 ? bytes / s : 0;
        }
    }

    static Display create(Mode mode, boolean terminal, PrintStream out) {
        return switch (mode == Mode.AUTO ? (terminal ? Mode.BAR : Mode.LINES) : mode) {
            case BAR -> new Bar(out);
            case LINES -> new Lines(out);
            default -> new Quiet();
        };
    }

    /** How often the transfer should call {@link #onProgress}, in ms. */
    abstract long intervalMillis();

    /** Before the session starts. */
    abstract void begin(TransferRequest request, Path output);

    /** After success. */
    abstract void end(Summary summary);

    /** A line that is neither progress nor the summary (e.g. "skipped"). */
    abstract void note(String key, Map<String, Object> fields);

    /** Stops rendering; idempotent. */
    @Override
    public abstract void close();

    static String eta(long received, long total, double rate) {
        if (total < 0 || rate <= 0) {
            return "-";
        }
        return Long.toString(Math.round((total - received) / rate));
    }

    /** Plain lines for logs and scripts: {@code progress bytes=.. total=.. percent=.. rate=.. eta=..}. */
    static final class Lines extends Display {
        private final PrintStream out;
        private final ExecutorService printer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wdsget-progress");
            t.setDaemon(true);
            return t;
        });

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        long intervalMillis() {
            return 1000;
        }

        @Override
        void begin(TransferRequest request, Path output) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("server", request.server());
            f.put("namespace", request.namespace());
            f.put("object", request.objectName());
            f.put("auth", request.authLevel() == AuthLevel.AUTH ? "on" : "off");
            f.put("output", output == null ? "-" : output);
            print("request", f);
        }

        @Override
        public void onProgress(long receivedBytes, long totalBytes, double bytesPerSecond) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("bytes", receivedBytes);
            f.put("total", totalBytes);
            f.put("percent", totalBytes > 0
                    ? String.format(Locale.ROOT, "%.1f", 100.0 * receivedBytes / totalBytes) : "100.0");
            f.put("rate", Math.round(bytesPerSecond));
            f.put("eta", eta(receivedBytes, totalBytes, bytesPerSecond));
            print("progress", f);
        }

        @Override
        void end(Summary s) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("bytes", s.bytes());
            f.put("seconds", String.format(Locale.ROOT, "%.3f", s.elapsed().toNanos() / 1e9));
            f.put("rate", Math.round(s.rate()));
            if (s.sha256() != null) {
                f.put("sha256", s.sha256());
            }
            if (s.verified() != null) {
                f.put("verified", s.verified());
            }
            if (s.blocks() >= 0) {
                f.put("blocks", s.blocks());
                f.put("out_of_order", s.outOfOrder());
            }
            f.put("output", s.output() == null ? "-" : s.output());
            print("done", f);
        }

        @Override
        void note(String key, Map<String, Object> fields) {
            print(key, fields);
        }

        private void print(String key, Map<String, Object> fields) {
            StringBuilder b = new StringBuilder(key);
            fields.forEach((k, v) -> b.append(' ').append(k).append('=').append(quote(String.valueOf(v))));
            String line = b.toString();
            try {
                printer.execute(() -> out.println(line));
            } catch (RejectedExecutionException closed) {
                // after close(): the transfer is over, nothing more to show
            }
        }

        /** Values with blanks, quotes or backslashes are double-quoted with backslash escapes. */
        static String quote(String v) {
            if (!v.isEmpty() && v.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '\\')) {
                return v;
            }
            return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }

        @Override
        public void close() {
            printer.shutdown();
            try {
                printer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
        }
    }

    /** A live bar (bytes, total, rate, ETA) redrawn in place, and a sentence at the end. */
    static final class Bar extends Display {
        private final PrintStream out;
        private volatile ProgressBar bar;      // from begin(): nothing is drawn for a run that fails before
        private boolean closed;

        Bar(PrintStream out) {
            this.out = out;
        }

        @Override
        long intervalMillis() {
            return 100;
        }

        @Override
        void begin(TransferRequest request, Path output) {
            out.printf("Receiving %s from %s (namespace %s)%s%n", request.objectName(), request.server(),
                    request.namespace(), output == null ? "" : " into " + output);
            bar = new ProgressBarBuilder()
                    .setTaskName("wdsget")
                    .setInitialMax(-1)                       // unknown until the session starts
                    .setUnit("MiB", 1 << 20)
                    .showSpeed(new DecimalFormat("#,##0.0"))
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(100)
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .build();
        }

        @Override
        public void onProgress(long receivedBytes, long totalBytes, double bytesPerSecond) {
            ProgressBar b = bar;
            if (b == null) {
                return;
            }
            if (totalBytes >= 0 && b.getMax() != totalBytes) {
                b.maxHint(totalBytes);
            }
            b.stepTo(receivedBytes);
        }

        @Override
        void end(Summary s) {
            close();
            out.printf(Locale.ROOT, "Received %s in %.2f s (%s)%s%n", ByteSize.format(s.bytes()),
                    s.elapsed().toNanos() / 1e9, ByteSize.rate(s.rate()),
                    s.output() == null ? "" : " -> " + s.output());
            if (s.sha256() != null) {
                out.println("SHA-256 " + s.sha256());
            }
            if ("content".equals(s.verified())) {
                out.printf("Verified every byte: %,d blocks, %,d of them out of order%n", s.blocks(), s.outOfOrder());
            } else if (s.verified() != null) {
                out.println("Verified: " + s.verified() + " matches");
            }
        }

        @Override
        void note(String key, Map<String, Object> fields) {
            close();
            out.println(key + ": " + fields);
        }

        @Override
        public synchronized void close() {
            if (!closed && bar != null) {
                closed = true;
                bar.close();
            }
        }
    }

    /** Shows nothing ({@code --progress=none} / {@code --quiet}); errors still go to standard error. */
    static final class Quiet extends Display {
        @Override
        long intervalMillis() {
            return 60_000;
        }

        @Override
        void begin(TransferRequest request, Path output) {
        }

        @Override
        public void onProgress(long receivedBytes, long totalBytes, double bytesPerSecond) {
        }

        @Override
        void end(Summary summary) {
        }

        @Override
        void note(String key, Map<String, Object> fields) {
        }

        @Override
        public void close() {
        }
    }
}
