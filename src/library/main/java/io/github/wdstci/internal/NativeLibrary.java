package io.github.wdstci.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads the WDS transport client library once per class loader, before any
 * generated stub is used.
 *
 * <p>The generated stubs ({@code internal.ffi}) find their symbols through
 * {@link SymbolLookup#loaderLookup()}, i.e. in libraries this class loader
 * has {@linkplain System#load loaded}; they name no library themselves. This
 * class picks the file, in this order:
 * <ol>
 *   <li>the system property {@value #PATH_PROPERTY}, a path to the library;</li>
 *   <li>on Windows, {@code WDSTPTC.dll} in the system directory
 *       ({@code %SystemRoot%\System32});</li>
 *   <li>on Linux x86-64, the stand-in shipped in the jar
 *       ({@value #STANDIN_RESOURCE}), used in place when it is a plain file
 *       and otherwise copied to a temporary file first.</li>
 * </ol>
 * When nothing loads, {@link #load()} throws an {@link UnsatisfiedLinkError}
 * that names every candidate tried and why it failed.
 */
public final class NativeLibrary {

    /** System property naming the library file to load instead of the default. */
    public static final String PATH_PROPERTY = "wdstci.library";

    /** Class-path resource of the Linux x86-64 stand-in. */
    public static final String STANDIN_RESOURCE = "/io/github/wdstci/native/linux-x86-64/libwdstptc.so";

    private static volatile NativeLibrary loaded;

    private final Path path;
    private final SymbolLookup lookup;

    private NativeLibrary(Path path, SymbolLookup lookup) {
        this.path = path;
        this.lookup = lookup;
    }

    /**
     * Loads the library unless this class loader already has; idempotent and
     * thread-safe.
     *
     * @return the loaded library
     * @throws UnsatisfiedLinkError naming every candidate tried, when none loads
     */
    public static NativeLibrary load() {
        NativeLibrary lib = loaded;
        if (lib == null) {
            synchronized (NativeLibrary.class) {
                lib = loaded;
                if (lib == null) {
                    lib = loadFirst();
                    loaded = lib;
                }
            }
        }
        return lib;
    }

    /** The file that was loaded. */
    public Path path() {
        return path;
    }

    /** Whether the library is the Linux stand-in (it exports its own diagnostics function). */
    public boolean isStandIn() {
        return find("WdsStandinQueryCounters").isPresent();
    }

    /**
     * Looks a symbol up in the loaded library only (not in other libraries of
     * the process), for exports that may be absent, such as
     * {@code WdsTransportClientNegotiateRequiredDataRange}.
     */
    public Optional<MemorySegment> find(String symbol) {
        return lookup.find(symbol);
    }

    private static NativeLibrary loadFirst() {
        List<String> tried = new ArrayList<>();
        String override = System.getProperty(PATH_PROPERTY);
        if (override != null && !override.isBlank()) {
            NativeLibrary lib = tryLoad(Path.of(override), "system property " + PATH_PROPERTY, tried);
            if (lib != null) {
                return lib;
            }
            // An explicit choice that fails is not silently replaced by another library.
            throw failure(tried);
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String root = System.getenv("SystemRoot");
            Path dll = Path.of(root != null ? root : "C:\\Windows", "System32", "WDSTPTC.dll");
            NativeLibrary lib = tryLoad(dll, "the Windows system directory", tried);
            if (lib != null) {
                return lib;
            }
        } else if (os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            NativeLibrary lib = loadStandIn(tried);
            if (lib != null) {
                return lib;
            }
        } else {
            tried.add("no library for " + os + "/" + arch + ": WDSTPTC.dll exists only on Windows,"
                    + " the stand-in is built for Linux x86-64 only");
        }
        throw failure(tried);
    }

    private static NativeLibrary loadStandIn(List<String> tried) {
        URL url = NativeLibrary.class.getResource(STANDIN_RESOURCE);
        if (url == null) {
            tried.add("stand-in resource " + STANDIN_RESOURCE + ": not on the class path");
            return null;
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return tryLoad(Path.of(url.toURI()), "the stand-in on the class path", tried);
            } catch (URISyntaxException | IllegalArgumentException e) {
                tried.add(url + ": " + e.getMessage());
                return null;
            }
        }
        Path copy;
        try (InputStream in = url.openStream()) {
            copy = Files.createTempFile("wdstptc-", ".so");
            copy.toFile().deleteOnExit();
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            tried.add("copying " + url + " to a temporary file: " + e);
            return null;
        }
        return tryLoad(copy, "the stand-in copied from " + url, tried);
    }

    private static NativeLibrary tryLoad(Path file, String origin, List<String> tried) {
        Path abs = file.toAbsolutePath();
        if (!Files.isRegularFile(abs)) {
            tried.add(abs + " (" + origin + "): no such file");
            return null;
        }
        try {
            System.load(abs.toString());
            return new NativeLibrary(abs, SymbolLookup.libraryLookup(abs, Arena.global()));
        } catch (UnsatisfiedLinkError | IllegalArgumentException e) {
            tried.add(abs + " (" + origin + "): " + e.getMessage());
            return null;
        }
    }

    private static UnsatisfiedLinkError failure(List<String> tried) {
        return new UnsatisfiedLinkError("Cannot load the WDS transport client library; tried:\n  "
                + String.join("\n  ", tried)
                + "\nSet -D" + PATH_PROPERTY + "=/path/to/library to choose one.");
    }
}
