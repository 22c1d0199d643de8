package io.github.wdstci.bench;

import java.nio.file.Path;

import io.github.wdstci.internal.NativeLibrary;

/**
 * Which library a benchmark fork runs against. The Maven build passes both
 * paths as system properties:
 * <ul>
 *   <li>{@value #STANDIN_PROPERTY}: the stand-in (the library's own
 *       {@code libwdstptc.so}, with the harness exports); without it, the
 *       stand-in the library finds on the class path;</li>
 *   <li>{@value #NULL_TRANSPORT_PROPERTY}: the null transport
 *       ({@code src/bench/main/c/nulltransport.c}), the same ABI with no
 *       transport behind it.</li>
 * </ul>
 * A JVM loads one of them (the generated stubs find their symbols in the
 * library this class loader loaded), so benchmarks on the null transport need
 * a fork of their own, which JMH gives every benchmark unless run with -f 0.
 */
final class Libraries {

    static final String STANDIN_PROPERTY = "bench.standin";
    static final String NULL_TRANSPORT_PROPERTY = "bench.nulltransport";

    private Libraries() {
    }

    /** Loads the stand-in (once per JVM). */
    static NativeLibrary standin() {
        return load(System.getProperty(STANDIN_PROPERTY));
    }

    /**
     * The stand-in's path without loading it through FFM, for consumers that
     * must not touch FFM (JNA's cold start).
     */
    static String standinPath() {
        String p = System.getProperty(STANDIN_PROPERTY);
        return p != null ? Path.of(p).toAbsolutePath().toString() : standin().path().toString();
    }

    /** Loads the null transport (once per JVM; nothing else may have been loaded). */
    static NativeLibrary nullTransport() {
        String p = System.getProperty(NULL_TRANSPORT_PROPERTY);
        if (p == null || p.isBlank()) {
            throw new IllegalStateException("-D" + NULL_TRANSPORT_PROPERTY + " must name the null transport"
                    + " (built by src/bench/main/c: make ... all)");
        }
        return load(p);
    }

    private static synchronized NativeLibrary load(String path) {
        if (path != null) {
            System.setProperty(NativeLibrary.PATH_PROPERTY, path);
        }
        NativeLibrary lib = NativeLibrary.load();
        if (path != null && !lib.path().equals(Path.of(path).toAbsolutePath())) {
            throw new IllegalStateException("this JVM already loaded " + lib.path() + ", not " + path
                    + "; each benchmark needs a JVM of its own (do not run JMH with -f 0)");
        }
        return lib;
    }
}
