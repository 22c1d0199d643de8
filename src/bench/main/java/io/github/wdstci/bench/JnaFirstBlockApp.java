package io.github.wdstci.bench;

import io.github.wdstci.bench.jna.JnaDirect;

/**
 * {@link FirstBlockApp} through JNA: the same object from the stand-in, with the
 * consumer the JNA benchmarks use ({@link JnaSession}: direct mapping, callbacks
 * held, the delivery thread kept attached). The stand-in is the file named by
 * {@code -Dbench.standin} (JNA opens a file; the Session API extracts its own
 * from the library's jar). Touches no FFM.
 */
public final class JnaFirstBlockApp {

    private JnaFirstBlockApp() {
    }

    public static void main(String[] args) throws Exception {
        StartupClock clock = StartupClock.atMain();
        String library = System.getProperty(Libraries.STANDIN_PROPERTY);
        if (library == null || library.isBlank()) {
            throw new IllegalArgumentException("-D" + Libraries.STANDIN_PROPERTY + " must name the stand-in's file");
        }
        long[] first = new long[1];
        JnaDirect.register(library);
        Standin.check("Initialize", JnaDirect.WdsTransportClientInitialize());
        JnaSession session = new JnaSession(false, () -> {
            if (first[0] == 0) {
                first[0] = System.nanoTime();
            }
        });
        session.start(args.length > 0 ? args[0] : FirstBlockApp.OBJECT, Standin.CACHE_SIZE);
        session.finish(true);
        JnaDirect.WdsTransportClientShutdown();
        clock.report(first[0]);
    }
}
