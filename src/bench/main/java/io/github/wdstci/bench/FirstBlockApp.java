package io.github.wdstci.bench;

import java.lang.foreign.MemorySegment;

import io.github.wdstci.ContentHandler;
import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsClient;

/**
 * A small application that embeds the library as a user would: it receives one
 * object (by default {@value #OBJECT}: 64 KiB in 4 KiB blocks) from the stand-in
 * in the library's jar through the Session API, prints when its first block came
 * ({@link StartupClock}) and exits. The whole-process start-up family
 * ({@link ProcessStartup}) runs it in fresh JVMs, with and without an AOT cache,
 * beside {@link JnaFirstBlockApp} and {@code java -version}; docs/benchmarks.md
 * gives the commands to run it by hand.
 */
public final class FirstBlockApp {

    static final String OBJECT = "65536?block=4096";

    private FirstBlockApp() {
    }

    public static void main(String[] args) throws Exception {
        StartupClock clock = StartupClock.atMain();
        TransferRequest request = TransferRequest.newBuilder().server("bench").namespace("synthetic")
                .objectName(args.length > 0 ? args[0] : OBJECT).build();
        FirstBlock handler = new FirstBlock();
        try (WdsClient client = WdsClient.open()) {
            client.receive(request, handler).join();
        }
        clock.report(handler.at);
    }

    /** Notes when the first block came; nothing else. */
    private static final class FirstBlock implements ContentHandler {
        long at;

        @Override
        public void onContent(MemorySegment block, long offset) {
            if (at == 0) {
                at = System.nanoTime();
            }
        }
    }
}
