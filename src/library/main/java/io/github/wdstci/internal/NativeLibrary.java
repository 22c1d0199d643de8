package io.github.wdstci.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds and opens the WDS transport client library, once per class loader.
 *
 * <p>The library is opened with {@link SymbolLookup#libraryLookup(Path, Arena)}
 * (on Windows with {@code LoadLibraryExW}, see {@link WindowsSystemLibrary}),
 * never with {@code System.load}: a file opened that way is not tied to one
 * class loader, so a second class loader (an application server redeploying,
 * a plugin host) opens the same file again instead of failing with "already
 * loaded in another classloader". So jextract generates no function wrappers
 * (they would look symbols up in {@code System.load}ed libraries; see
 * {@code jextract/wdstci.args}): {@link Wdstptc} binds every function to the
 * lookup of this class.
 *
 * <p>The file, in this order:
 * <ol>
 *   <li>the system property {@value #PATH_PROPERTY}, a path to the library
 *       (a failure to open it is reported, never replaced by another library);</li>
 *   <li>on Windows, {@code WDSTPTC.dll} from the system directory, found by the
 *       loader itself ({@code LOAD_LIBRARY_SEARCH_SYSTEM32}), so that neither the
 *       environment nor the DLL's own dependency search can redirect it;</li>
 *   <li>on Linux x86-64, the stand-in shipped in the jar ({@value #STANDIN_RESOURCE}):
 *       in place when it is a plain file, otherwise from one content-addressed
 *       copy per user in the temporary directory, created atomically and kept
 *       (so a killed JVM leaves nothing new behind, and the next run reuses it).</li>
 * </ol>
 */
public final class NativeLibrary {

    /** System property naming the library file to open instead of the default. */
    public static final String PATH_PROPERTY = "wdstci.library";

    /** Class-path resource of the Linux x86-64 stand-in. */
    public static final String STANDIN_RESOURCE = "/io/github/wdstci/native/linux-x86-64/libwdstptc.so";

    /** The name of the Windows DLL. */
    public static final String WINDOWS_DLL = "WDSTPTC.dll";

    /** Where a library may come from. */
    enum Kind {
        /** A file named by the system property. */
        FILE,
        /** WDSTPTC.dll from the Windows system directory, found by the Windows loader. */
        WINDOWS_SYSTEM,
        /** The stand-in resource of this jar. */
        STANDIN
    }

    /** One place to open a library from; {@code location} is a path, a DLL name or a resource. */
    record Candidate(Kind kind, String location, String origin) {
    }

    private static volatile NativeLibrary loaded;

    private final Path path;
    private final SymbolLookup lookup;

    private NativeLibrary(Path path, SymbolLookup lookup) {
        this.path = path;
        this.lookup = lookup;
    }

    /**
     * Opens the library unless this class loader already has; idempotent and
     * thread-safe.
     *
     * @return the library
     * @throws UnsatisfiedLinkError naming every candidate tried, when none opens
     */
    public static NativeLibrary load() {
        NativeLibrary lib = loaded;
        if (lib == null) {
            synchronized (NativeLibrary.class) {
                lib = loaded;
                if (lib == null) {
                    lib = openFirst(candidates(System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                            System.getProperty(PATH_PROPERTY)));
                    loaded = lib;
                }
            }
        }
        return lib;
    }

    /** The file that was opened. */
    public Path path() {
        return path;
    }

    /**
     * Looks a symbol up in this library only (not in other libraries of the
     * process), for exports that may be absent.
     */
    public Optional<MemorySegment> find(String symbol) {
        return lookup.find(symbol);
    }

    /** Whether this is the Linux stand-in (it exports its own diagnostics function). */
    public boolean isStandIn() {
        return find("WdsStandinQueryCounters").isPresent();
    }

    /**
     * Where to look, in order, for a system with these properties. No
     * environment variable takes part: on Windows the loader finds the system
     * directory itself.
     */
    static List<Candidate> candidates(String osName, String osArch, String override) {
        if (override != null && !override.isBlank()) {
            return List.of(new Candidate(Kind.FILE, override, "system property " + PATH_PROPERTY));
        }
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return List.of(new Candidate(Kind.WINDOWS_SYSTEM, WINDOWS_DLL,
                    "the Windows system directory (LoadLibraryExW, LOAD_LIBRARY_SEARCH_SYSTEM32)"));
        }
        if (os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            return List.of(new Candidate(Kind.STANDIN, STANDIN_RESOURCE, "the stand-in in this jar"));
        }
        return List.of();
    }

    private static NativeLibrary openFirst(List<Candidate> candidates) {
        List<String> tried = new ArrayList<>();
        if (candidates.isEmpty()) {
            tried.add("no library for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + ": WDSTPTC.dll exists only on Windows, the stand-in is built for Linux x86-64 only");
        }
        for (Candidate c : candidates) {
            try {
                return open(c);
            } catch (UnsatisfiedLinkError | IllegalArgumentException | IOException | SecurityException e) {
                tried.add(c.location() + " (" + c.origin() + "): " + e.getMessage());
            }
        }
        throw new UnsatisfiedLinkError("Cannot open the WDS transport client library; tried:\n  "
                + String.join("\n  ", tried)
                + "\nSet -D" + PATH_PROPERTY + "=/path/to/library to choose one.");
    }

    private static NativeLibrary open(Candidate c) throws IOException {
        return switch (c.kind()) {
            case FILE -> openFile(Path.of(c.location()));
            case WINDOWS_SYSTEM -> {
                WindowsSystemLibrary dll = WindowsSystemLibrary.open(c.location());
                yield new NativeLibrary(dll.path(), dll);
            }
            case STANDIN -> openFile(standInFile());
        };
    }

    private static NativeLibrary openFile(Path file) {
        Path abs = file.toAbsolutePath();
        if (!Files.isRegularFile(abs)) {
            throw new IllegalArgumentException("no such file");
        }
        return new NativeLibrary(abs, SymbolLookup.libraryLookup(abs, Arena.global()));
    }

    private static Path standInFile() throws IOException {
        byte[] bytes = standInFromOwnJar();
        if (bytes == null) {
            URL url = NativeLibrary.class.getResource(STANDIN_RESOURCE);
            if (url == null) {
                throw new IOException("not on the class path");
            }
            if ("file".equals(url.getProtocol())) {
                try {
                    return Path.of(url.toURI());
                } catch (URISyntaxException e) {
                    throw new IOException(url + ": " + e.getMessage(), e);
                }
            }
            try (InputStream in = url.openStream()) {
                bytes = in.readAllBytes();
            }
        }
        return contentAddressedCopy(bytes, userTempDir(Path.of(System.getProperty("java.io.tmpdir"))));
    }

    /**
     * The stand-in's bytes read straight from the jar this class came from, or null
     * when this class is not in a plain jar file (a directory of classes, a jar in a
     * jar, a class loader of its own: then the resource's URL is used). Reading the
     * jar as a zip file skips the {@code jar:} URL connection, which opens the jar a
     * second time and loads its handler's classes: in a fresh JVM about 15 ms of the
     * time to the first block.
     */
    private static byte[] standInFromOwnJar() throws IOException {
        CodeSource source = NativeLibrary.class.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) {
            return null;
        }
        Path jar;
        try {
            jar = Path.of(location.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        if (!Files.isRegularFile(jar)) {
            return null;
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(STANDIN_RESOURCE.substring(1));
            if (entry == null) {
                return null;
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return in.readAllBytes();
            }
        }
    }

    /**
     * A directory of this user's under {@code tmp}, readable and writable by
     * this user only: a library loaded from a folder others can write to could
     * be swapped under us.
     */
    static Path userTempDir(Path tmp) throws IOException {
        Path dir = tmp.resolve("wdstci-" + fileNamePart(System.getProperty("user.name", "user")));
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        if (posix) {
            String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!owner.equals(System.getProperty("user.name"))
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException(dir + " is not private to user " + System.getProperty("user.name")
                        + " (owner " + owner + ", " + PosixFilePermissions.toString(perms) + ")");
            }
        }
        return dir;
    }

    /** {@code name} with every character but {@code A-Za-z0-9._-} replaced by {@code _} (no regex: start-up). */
    static String fileNamePart(String name) {
        char[] c = name.toCharArray();
        for (int i = 0; i < c.length; i++) {
            boolean keep = (c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9')
                    || c[i] == '.' || c[i] == '_' || c[i] == '-';
            if (!keep) {
                c[i] = '_';
            }
        }
        return new String(c);
    }

    /**
     * The file in {@code dir} named after the size and CRC-32 of {@code bytes},
     * created atomically (written beside it, then moved into place) unless a
     * file of that name with those very bytes is already there. The check is the
     * bytes themselves, read once and compared, not a digest: the name only tells
     * versions apart, so a checksum the JDK has already loaded (zlib's, native)
     * is enough for it, where a {@code MessageDigest} would cost this process its
     * security providers' start-up and a hash in the interpreter, twice.
     * Concurrent JVMs end up with the same file; nothing is deleted on exit.
     */
    static Path contentAddressedCopy(byte[] bytes, Path dir) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Path file = dir.resolve("libwdstptc-" + bytes.length + "-" + Long.toHexString(crc.getValue()) + ".so");
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == bytes.length
                && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return file;
        }
        Path temp = Files.createTempFile(dir, ".libwdstptc-", ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return file;
    }
}
