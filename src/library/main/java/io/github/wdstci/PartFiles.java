package io.github.wdstci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
     * {@code dir}, registered for deletion at exit until {@link #closed}. It
     * gets the permissions any new file gets (umask), not the owner-only ones
     * of {@code Files.createTempFile}: it becomes the target.
     */
    static Path create(Path dir, String targetName, String tag) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path part = dir.resolve(name(targetName, tag, pid, attempt));
            OPEN.add(part);          // before it exists: the JVM may exit at any moment
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

    /** The part file was moved onto its target or deleted: nothing to delete at exit. */
    static void closed(Path part) {
        OPEN.remove(part);
    }

    private static void deleteOpen() {
        for (Path p : OPEN) {
            try {
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
        Pattern p = pattern(tag);
        List<FileSink.Leftover> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*" + tag + "-*")) {
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
}
