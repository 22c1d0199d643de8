package io.github.wdstci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part files of {@link FileSink}: their names, their creation, the
 * recognition of those whose process is gone, and their deletion when the JVM
 * exits before their session ended.
 *
 * <p>A part file is {@code .NAME.TAG-PID.part} in the target's directory: NAME
 * is the target's name cut to {@value #NAME_BYTES} bytes of UTF-8 (so that the
 * whole name stays far below the 255-byte limit of common file systems, however
 * long the target's name), TAG says which program wrote it ({@code wdstci}, or
 * the one given to {@link FileSink.Builder#partFileTag}), and PID is the writing
 * process; a second part file of the same process for the same name gets
 * {@code -1}, {@code -2}, ... after the PID. The names of earlier wdsget
 * versions ({@code .NAME.TAG-PID} and {@code ..NAME.TAG-PID.RANDOM.part}) are
 * recognised as part files too.
 */
final class PartFiles {

    /** The most bytes of the target's name kept in a part file's name. */
    static final int NAME_BYTES = 100;

    /** The tag of part files whose sink was given none. */
    static final String DEFAULT_TAG = "wdstci";

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_]{1,32}");

    /** Part files whose session has not ended: deleted if the JVM exits first. */
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(PartFiles::deleteOpen, "wdstci-part-files"));
        } catch (IllegalStateException | SecurityException e) {
            // the JVM is already exiting (or hooks are not allowed): the files stay, as after a kill
        }
    }

    private PartFiles() {
    }

    /** Checks a tag: letters, digits and '_', 1 to 32 of them (a '-' or '.' would make names ambiguous). */
    static String checkTag(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("a part file tag is 1 to 32 letters, digits or '_': " + tag);
        }
        return tag;
    }

    /** {@code .NAME.TAG-PID.part}, NAME cut to {@value #NAME_BYTES} bytes; {@code attempt} > 0 adds {@code -attempt}. */
    static String name(String targetName, String tag, long pid, int attempt) {
        return "." + cut(targetName, NAME_BYTES) + "." + tag + "-" + pid + (attempt == 0 ? "" : "-" + attempt) + ".part";
    }

    /** The longest prefix of {@code s} of at most {@code max} UTF-8 bytes, not splitting a character. */
    static String cut(String s, int max) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > max) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /**
     * Creates this process's new, empty part file for {@code targetName} in
     * {@code dir}, registered for deletion at exit until {@link #closed} when
     * {@code deleteAtExit}. It gets the permissions any new file gets (umask),
     * not the owner-only ones of {@code Files.createTempFile}: it becomes the
     * target.
     */
    static Path create(Path dir, String targetName, String tag, boolean deleteAtExit) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path part = dir.resolve(name(targetName, tag, pid, attempt));
            if (deleteAtExit) {
                OPEN.add(part);      // before it exists: the JVM may exit at any moment
            }
            try {
                return Files.createFile(part);
            } catch (IOException e) {
                OPEN.remove(part);
                if (!(e instanceof FileAlreadyExistsException) || attempt == 1000) {
                    throw e;
                }
            }
        }
    }

    /** Registers an existing part file for deletion (with its ranges file) if the JVM exits before {@link #closed}. */
    static void deleteAtExit(Path part) {
        OPEN.add(part);
    }

    /** The part file was moved onto its target, deleted or kept: nothing to delete at exit. */
    static void closed(Path part) {
        OPEN.remove(part);
    }

    private static void deleteOpen() {
        for (Path p : OPEN) {
            try {
                Files.deleteIfExists(RangesFile.of(p));
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // best effort at exit: nobody is left to tell
            }
        }
    }

    /** The pattern of the part files of {@code tag}: group 1 is the PID. */
    private static Pattern pattern(String tag) {
        return Pattern.compile("\\..*\\." + Pattern.quote(tag)
                + "-(\\d{1,10})(?:-\\d{1,4})?(?:\\.part|\\.[0-9a-z]{1,16}\\.part)?");
    }

    /** The PID in the name of a part file of {@code tag}, or -1 when the name is not one. */
    static long pidOf(String fileName, String tag) {
        Matcher m = pattern(tag).matcher(fileName);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * The part files of {@code tag} in {@code dir} whose process no longer
     * runs on this machine (regular files only; links are not followed).
     */
    static List<FileSink.Leftover> leftovers(Path dir, String tag) throws IOException {
        return leftovers(dir, pattern(tag), ".*" + tag + "-*");
    }

    /**
     * The part files of {@code targetName} (named as {@link #name} names them) in {@code dir}
     * whose process no longer runs, the last written first.
     */
    static List<FileSink.Leftover> leftovers(Path dir, String targetName, String tag) throws IOException {
        String cut = cut(targetName, NAME_BYTES);
        List<FileSink.Leftover> found = new ArrayList<>(leftovers(dir, Pattern.compile(Pattern.quote("." + cut + "."
                + tag + "-") + "(\\d{1,10})(?:-\\d{1,4})?\\.part"), ".*" + tag + "-*"));
        found.sort(Comparator.comparing((FileSink.Leftover l) -> modified(l.file())).reversed());
        return found;
    }

    /** Those files of {@code glob} that match {@code p} (group 1: the PID) and whose process no longer runs. */
    private static List<FileSink.Leftover> leftovers(Path dir, Pattern p, String glob) throws IOException {
        List<FileSink.Leftover> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path f : files) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (pid > 0 && ProcessHandle.of(pid).isEmpty() && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    found.add(new FileSink.Leftover(f, pid));
                }
            }
        }
        return found;
    }

    /**
     * The ranges files of {@code tag} in {@code dir} whose part file is gone and whose process
     * no longer runs (a crash between deleting the one and the other), and their unfinished
     * replacements ({@code .ranges.new}).
     */
    static List<Path> strayRanges(Path dir, String tag) throws IOException {
        Pattern p = Pattern.compile("(\\..*\\." + Pattern.quote(tag) + "-(\\d{1,10})(?:-\\d{1,4})?\\.part)\\.ranges(\\.new)?");
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*" + tag + "-*.ranges*")) {
            for (Path f : files) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()
                        && (m.group(3) != null || !Files.exists(dir.resolve(m.group(1)), LinkOption.NOFOLLOW_LINKS))) {
                    found.add(f);
                }
            }
        }
        return found;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * Deletes the part files of {@code tag} in {@code dir} whose process no longer runs, with
     * their ranges files, and the ranges files left without their part file: see
     * {@link FileSink#removeLeftovers}.
     */
    static List<FileSink.Leftover> removeLeftovers(Path dir, String tag,
            BiConsumer<? super FileSink.Leftover, ? super IOException> notDeleted) throws IOException {
        List<FileSink.Leftover> removed = new ArrayList<>();
        for (FileSink.Leftover l : leftovers(dir, tag)) {
            try {
                Files.deleteIfExists(l.rangesFile());        // first: a part file without one is never continued
                if (Files.deleteIfExists(l.file())) {
                    removed.add(l);
                }
            } catch (IOException e) {
                notDeleted.accept(l, e);
            }
        }
        for (Path stray : strayRanges(dir, tag)) {
            try {
                Files.deleteIfExists(stray);
            } catch (IOException e) {
                // a file of no use to anyone, tried again next time
            }
        }
        return removed;
    }

    /**
     * Takes over the part file of {@code target} that a process which no longer runs left,
     * with its ranges file: see {@link Resumable#takeOver}.
     */
    static Resumable takeOver(Path target, String tag, String object) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        List<FileSink.Leftover> found = leftovers(dir, name, checkTag(tag));
        if (found.isEmpty()) {
            return null;
        }
        FileSink.Leftover l = found.stream().filter(f -> Files.exists(f.rangesFile())).findFirst()
                .orElseThrow(() -> new FileSystemException(found.get(0).file().toString(), null,
                        "it has no ranges file, which would say what it holds"));
        RangesFile.Contents c;
        try {
            c = RangesFile.read(l.rangesFile());
        } catch (IOException e) {
            throw new FileSystemException(l.file().toString(), null, e.getMessage());
        }
        if (!c.target().equals(name)) {
            throw new FileSystemException(l.file().toString(), null, "it is the part file of another target, '"
                    + c.target() + "'");
        }
        if (!c.object().equals(object)) {
            throw new FileSystemException(l.file().toString(), null, "it holds another object, '" + c.object() + "'");
        }
        Path mine = claim(l.file(), dir, name, tag);
        try {
            Files.move(l.rangesFile(), RangesFile.of(mine));
        } catch (IOException e) {
            Files.move(mine, l.file());
            throw new FileSystemException(l.file().toString(), null, "its ranges file went away while it was taken over"
                    + " (another process took it?)");
        }
        FileTarget.syncDirectory(dir);
        return new Resumable(mine, c.object(), c.size(), c.received());
    }

    /** Renames a part file to a name of this process: no other process takes it for a dead one's then. */
    private static Path claim(Path part, Path dir, String name, String tag) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path mine = dir.resolve(name(name, tag, pid, attempt));
            try {
                return Files.move(part, mine);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 1000) {
                    throw e;
                }
            } catch (NoSuchFileException e) {
                throw new FileSystemException(part.toString(), null, "it went away while it was taken over"
                        + " (another process took it?)");
            }
        }
    }
}
