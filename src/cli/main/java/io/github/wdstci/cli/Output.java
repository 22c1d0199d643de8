package io.github.wdstci.cli;

import java.io.File;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where an object goes, decided from {@code --output} and from what is at
 * that path before the transfer starts:
 * <ul>
 *   <li>nothing there: a new regular file (its directory must exist, or
 *       {@code --create-dirs});</li>
 *   <li>a regular file: replaced atomically under {@code --if-exists=overwrite};</li>
 *   <li>a symbolic link: followed to its final target, which is then
 *       treated as here; the link itself is never replaced;</li>
 *   <li>a block device: written in place, confirmed by {@code --device} or
 *       {@code --if-exists=overwrite};</li>
 *   <li>a character device or FIFO, or {@code -} (standard output): streamed;</li>
 *   <li>a directory, or a path ending in {@code /}: the object under its own
 *       name inside (created with {@code --create-dirs}, else an error).</li>
 * </ul>
 */
final class Output {

    /** What to do when the output exists. */
    enum IfExists { FAIL, OVERWRITE, SKIP }

    /** What is at an output path. */
    enum Kind {
        /** Received and checked, not kept (demo without {@code --output}). */
        NONE,
        /** A regular file, new or replaced. */
        FILE,
        /** A block device, written in place. */
        DEVICE,
        /** A FIFO or a character device, streamed. */
        STREAM,
        /** Standard output, streamed. */
        STDOUT,
        /** Exists, and {@code --if-exists=skip}. */
        SKIP
    }

    /**
     * The decision for one object: the kind, the path to open (links resolved), the name to
     * show, and {@code --if-exists}, which also decides about a file that appears at the path
     * while the object arrives (see {@link FileSink#commit}); {@code create}, a directory that
     * {@code --create-dirs} is to create first (see {@link #withDirectories}), or null.
     */
    record Target(Kind kind, Path path, String shown, IfExists ifExists, Path create) {

        Target(Kind kind, Path path, String shown, IfExists ifExists) {
            this(kind, path, shown, ifExists, null);
        }

        /**
         * This target once its directory exists: {@link #resolve} only decides, so that a command
         * line refused as a whole (a later object, the metadata) leaves no directory behind.
         */
        Target withDirectories() throws IOException {
            if (create == null) {
                return this;
            }
            Files.createDirectories(create);
            return new Target(kind, create.toRealPath().resolve(path.getFileName()), shown, ifExists);
        }

        /**
         * The sink that writes this target. A stream that keeps nothing ({@code /dev/null},
         * named or as standard output) gets a {@link NullSink}, unless the bytes are hashed,
         * which takes them in order, as a stream does.
         *
         * @param stdout        standard output, for {@link Kind#STDOUT}
         * @param stdoutDropped whether standard output keeps nothing ({@code > /dev/null})
         * @param hash          whether the object's SHA-256 is computed
         */
        Sink sink(WritableByteChannel stdout, boolean stdoutDropped, Path spoolDir, boolean hash) {
            return switch (kind) {
                case NONE, SKIP -> new Sink.Discard();
                case FILE -> new FileSink(path, shown, ifExists, hash);
                case DEVICE -> new DeviceSink(path, shown, hash);
                case STREAM -> !hash && FileTypes.keepsNothing(path) ? new NullSink(shown, false)
                        : new StreamSink(path, null, shown, spoolDir, hash);
                case STDOUT -> !hash && stdoutDropped ? new NullSink(shown, true)
                        : new StreamSink(null, stdout, shown, spoolDir, hash);
            };
        }

        /** The directory that receives a file, where stale temporary files are looked for; else null. */
        Path directory() {
            return kind == Kind.FILE ? path.getParent() : null;
        }
    }

    private static final int MAX_LINKS = 40;

    private final String output;          // --output as given, or null
    private final IfExists ifExists;
    private final boolean device;
    private final boolean createDirs;

    /**
     * @param output     {@code --output} as given (a trailing {@code /} matters), or null
     * @param ifExists   {@code --if-exists}
     * @param device     {@code --device}: writing a block device is intended
     * @param createDirs {@code --create-dirs}
     */
    Output(String output, IfExists ifExists, boolean device, boolean createDirs) {
        this.output = output;
        this.ifExists = ifExists;
        this.device = device;
        this.createDirs = createDirs;
    }

    /** {@code --output} as given, or null. */
    String given() {
        return output;
    }

    IfExists ifExists() {
        return ifExists;
    }

    /**
     * Where an object with an output of its own ({@code get -i}) goes: {@code name} inside the
     * directory {@code --output} names, when it names one and {@code name} is relative; else
     * {@code name} itself. The same {@code --if-exists} and {@code --create-dirs}; a block device
     * there needs {@code --if-exists=overwrite}, as {@code --device} confirms {@code --output} only.
     */
    Output forObject(String name) {
        boolean relative;
        try {
            relative = !Path.of(name).isAbsolute();
        } catch (InvalidPathException e) {
            relative = false;              // resolve() says what is wrong with it
        }
        String dir = output;
        boolean inside = relative && dir != null && !isStdout()
                && (dir.endsWith("/") || dir.endsWith(File.separator) || isDirectory(dir));
        return new Output(inside ? dir + (dir.endsWith("/") || dir.endsWith(File.separator) ? "" : "/") + name : name,
                ifExists, false, createDirs);
    }

    private static boolean isDirectory(String path) {
        try {
            return Files.isDirectory(Path.of(path));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    boolean createDirs() {
        return createDirs;
    }

    /**
     * Whether {@code --output} names standard output: {@code -}, or a path that leads to this
     * process's standard output ({@code /dev/stdout}, {@code /proc/self/fd/1}, whatever it was
     * redirected to), so that the display keeps off the object's bytes.
     */
    boolean isStdout() {
        if ("-".equals(output)) {
            return true;
        }
        if (output == null || output.isBlank()) {
            return false;
        }
        try {
            Path p = Path.of(output);
            return !Files.isDirectory(p) && isStandardOutput(p);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /**
     * With {@code --device}, why {@code --output} is not a block device to write, or null (also
     * without {@code --device}). {@code --device} confirms overwriting a disk: a mistyped
     * {@code /dev/sdzz} must not quietly become a new regular file in {@code /dev}, nor a
     * file or a directory be written as if it were the disk meant.
     */
    String deviceProblem() {
        if (!device) {
            return null;
        }
        if (output == null || output.isBlank()) {
            return "--device needs --output naming the block device to write";
        }
        if (isStdout()) {
            return "--device: --output " + output + " is standard output, not a block device";
        }
        Path p;
        try {
            p = Path.of(output);
        } catch (InvalidPathException e) {
            return "--device: --output is not a valid path (" + e.getReason() + ")";
        }
        if (!Files.exists(p)) {
            return "--device: " + output + (Files.isSymbolicLink(p) ? " is a symbolic link to nothing" : " does not exist")
                    + "; --device writes onto an existing block device (lsblk lists them)";
        }
        String what;
        if (output.endsWith("/") || output.endsWith(File.separator) || Files.isDirectory(p)) {
            what = "a directory";
        } else if (Files.isRegularFile(p)) {
            what = "a regular file";
        } else {
            what = switch (FileTypes.of(p)) {
                case FileTypes.S_IFCHR -> "a character device";
                case FileTypes.S_IFIFO -> "a FIFO";
                case FileTypes.S_IFSOCK -> "a socket";
                default -> null;       // a block device; or no "unix" view (Windows): cannot tell, as without --device
            };
        }
        return what == null ? null : "--device: " + output + " is " + what + ", not a block device";
    }

    /**
     * Decides where one object goes.
     *
     * @param defaultName the object's own file name, used without {@code --output} or inside a directory
     * @param several     whether this call receives several objects ({@code --output} must then be a directory)
     * @param keepless    without {@code --output}, keep nothing (demo) instead of writing {@code defaultName}
     * @throws Outcome.Problem when the output cannot be used, with the message to show
     */
    Target resolve(String defaultName, boolean several, boolean keepless) throws Outcome.Problem {
        try {
            if (output == null) {
                return keepless ? new Target(Kind.NONE, null, "-", ifExists)
                        : classify(FileNames.of(defaultName, "the object's file name"), defaultName);
            }
            if (isStdout()) {
                if (several) {
                    throw new Outcome.Problem(Outcome.USAGE, "--output - (standard output) takes one object;"
                            + " give a directory (ending in /) for several");
                }
                return new Target(Kind.STDOUT, null, output, ifExists);
            }
            if (output.indexOf('\uFFFD') >= 0 && !Arguments.checkedExactly()) {
                // what the JVM makes of bytes that are not valid in the locale's character set:
                // writing a file with U+FFFD in its name would not be the file asked for (where
                // the arguments' bytes can be read, main has told those apart from a U+FFFD typed)
                throw new Outcome.Problem(Outcome.USAGE, "--output has bytes that are not valid in this locale's"
                        + " character set (" + System.getProperty("sun.jnu.encoding", "?") + "): " + output);
            }
            Path p = FileNames.of(output, "--output");
            if (output.endsWith("/") || output.endsWith(File.separator) || Files.isDirectory(p)) {
                Path inside = directory(p).resolve(FileNames.of(defaultName, "the object's file name"));
                return classify(inside, inside.toString());
            }
            if (several) {
                throw new Outcome.Problem(Outcome.USAGE, "with several objects, --output must be a directory:"
                        + " end it with / to have it created (with --create-dirs) or use an existing one: " + output);
            }
            return classify(p, output);
        } catch (InvalidPathException e) {
            // a name that FileNames took, but not joined to another (a directory's)
            throw new Outcome.Problem(Outcome.USAGE, FileNames.unnamable(output == null ? defaultName : output,
                    output == null ? "the object's file name" : "--output", e));
        } catch (Outcome.Problem e) {
            throw e;
        } catch (IOException e) {
            throw Outcome.ioProblem("cannot use the output " + (output == null ? defaultName : output), e);
        }
    }

    /** An existing directory, or one --create-dirs is to create. */
    private Path directory(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            return p;
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new Outcome.Problem(Outcome.FAILURE, "output is not a directory: " + output);
        }
        if (!createDirs) {
            throw new Outcome.Problem(Outcome.FAILURE, "output directory does not exist: " + output
                    + " (add --create-dirs to create it)");
        }
        return p;                            // created by Target.withDirectories
    }

    /** What {@code p} is, following symbolic links (a dangling one to where it points). */
    private Target classify(Path p, String shown) throws IOException {
        Path q = p.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(q); hops++) {
            if (hops == MAX_LINKS) {
                throw new Outcome.Problem(Outcome.FAILURE, "too many levels of symbolic links: " + shown);
            }
            Path link = Files.readSymbolicLink(q);
            q = q.getParent().resolve(link);
        }
        if (!Files.exists(q, LinkOption.NOFOLLOW_LINKS) && Files.exists(p)) {
            // The system follows a link to something that has no path: /dev/stdout or
            // /proc/self/fd/N naming a pipe or socket ("pipe:[N]"). Open it as given.
            return opened(p.toAbsolutePath(), shown);
        }
        if (!Files.exists(q, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = q.getParent();
            if (parent == null || q.getFileName() == null) {
                throw new Outcome.Problem(Outcome.FAILURE, "output has no file name: " + shown);
            }
            String tooLong = FileNames.tooLong(q.getFileName());
            if (tooLong != null) {
                // else found only when the received object is renamed into place, at the end
                throw new Outcome.Problem(Outcome.FAILURE, "output file name is too long: " + tooLong + ": " + shown);
            }
            if (!Files.isDirectory(parent)) {
                if (Files.exists(parent)) {
                    throw new Outcome.Problem(Outcome.FAILURE, "output directory is not a directory: " + parent);
                }
                if (!createDirs) {
                    throw new Outcome.Problem(Outcome.FAILURE, "output directory does not exist: " + parent
                            + " (add --create-dirs to create it)");
                }
                Path missing = parent.normalize();
                return new Target(Kind.FILE, missing.resolve(q.getFileName()), shown, ifExists, missing);
            }
            return new Target(Kind.FILE, parent.toRealPath().resolve(q.getFileName()), shown, ifExists);
        }
        Path real = q.toRealPath();
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        if (a.isDirectory()) {
            throw new Outcome.Problem(Outcome.FAILURE, "output is a directory: " + shown);
        }
        if (a.isRegularFile()) {
            return switch (ifExists) {
                case FAIL -> throw new Outcome.Problem(Outcome.TARGET_EXISTS, "output exists: " + shown
                        + "; use --if-exists=overwrite to replace it or --if-exists=skip");
                case SKIP -> new Target(Kind.SKIP, real, shown, ifExists);
                case OVERWRITE -> new Target(Kind.FILE, real, shown, ifExists);
            };
        }
        int type = FileTypes.of(real);
        if (type == FileTypes.S_IFBLK) {
            if (ifExists == IfExists.SKIP && !device) {
                return new Target(Kind.SKIP, real, shown, ifExists);
            }
            if (!device && ifExists != IfExists.OVERWRITE) {
                throw new Outcome.Problem(Outcome.TARGET_EXISTS, "output is a block device: " + shown
                        + "; writing the object there overwrites the device's content: add --device to confirm");
            }
            return new Target(Kind.DEVICE, real, shown, ifExists);
        }
        if (type == FileTypes.S_IFSOCK) {
            throw new Outcome.Problem(Outcome.FAILURE, "cannot write to " + shown + ": it is a socket");
        }
        return new Target(Kind.STREAM, real, shown, ifExists);   // FIFO, character device, or unknown (Windows)
    }

    /** Whether the stream {@code p} is this process's standard output (where /proc tells). */
    private static boolean isStandardOutput(Path p) {
        try {
            return Files.exists(FileTypes.STANDARD_OUTPUT) && Files.isSameFile(p, FileTypes.STANDARD_OUTPUT);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** An existing output reachable only through the link {@code p}: streamed when it can be, else refused. */
    private static Target opened(Path p, String shown) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        int type = FileTypes.of(p);
        if (type == FileTypes.S_IFSOCK) {
            throw new Outcome.Problem(Outcome.FAILURE, "cannot write to " + shown + ": it is a socket");
        }
        if (a.isDirectory() || a.isRegularFile() || type == FileTypes.S_IFBLK) {
            throw new Outcome.Problem(Outcome.FAILURE, "cannot write to " + shown
                    + ": it leads to a file without a name (name the file itself)");
        }
        return new Target(Kind.STREAM, p, shown, IfExists.FAIL);
    }

    /** Whether {@code p} is a FIFO (a named pipe); false where that cannot be told (Windows). */
    static boolean isFifo(Path p) {
        return p != null && FileTypes.of(p) == FileTypes.S_IFIFO;
    }
}
