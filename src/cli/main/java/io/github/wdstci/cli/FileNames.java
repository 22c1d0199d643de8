package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Paths from names the user gave (options, list files), where the locale decides what a name
 * can be. The JVM encodes file names in the locale's character set ({@code sun.jnu.encoding}):
 * under the C or POSIX locale (ASCII) a name with {@code é} cannot be a path at all, and the
 * current directory, whose name the JVM decoded at start-up, may be known to it under a wrong
 * name ({@code /srv/??}), where a relative path would then be created. Both are usage errors
 * that say which locale to set, instead of an {@link InvalidPathException} or a file written
 * somewhere else.
 */
final class FileNames {

    private FileNames() {
    }

    /**
     * The path {@code given} names.
     *
     * @param what what the name is, for the message ({@code --output}, {@code the object's name})
     * @throws Outcome.Problem a usage problem when this locale cannot name it, or a relative
     *                         path cannot be resolved in the current directory
     */
    static Path of(String given, String what) throws Outcome.Problem {
        Path p;
        try {
            p = Path.of(given);
        } catch (InvalidPathException e) {
            throw new Outcome.Problem(Outcome.USAGE, unnamable(given, what, e));
        }
        if (!p.isAbsolute()) {
            String problem = CurrentDirectory.PROBLEM;
            if (problem != null) {
                throw new Outcome.Problem(Outcome.USAGE, what + " " + given + " would be in the current directory, but "
                        + problem);
            }
        }
        return p;
    }

    /** Why {@code given} is no path here: its characters and this locale, or the JDK's reason. */
    static String unnamable(String given, String what, InvalidPathException e) {
        if (!StandardCharsets.UTF_8.equals(Arguments.namesCharset())) {
            return what + " '" + given + "' has characters this locale's character set ("
                    + Arguments.namesCharset().name() + ") cannot hold in a file name; " + Arguments.hint();
        }
        return what + " '" + given + "' is not a valid path here (" + e.getReason() + ")";
    }

    /** The longest file name (one path element) nearly every file system takes: NAME_MAX, or NTFS's limit. */
    private static final int MAX_NAME = 255;

    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    /**
     * How much longer than file systems take {@code name} (one path element) is, in words
     * ("300 bytes, where file systems take at most 255"), or null when it fits.
     */
    static String tooLong(Path name) {
        int length = nameLength(name);
        return length <= MAX_NAME ? null : length + (WINDOWS ? " characters" : " bytes")
                + ", where file systems take at most " + MAX_NAME;
    }

    /** A file name's length as file systems count it: bytes in the system's encoding, UTF-16 units on Windows. */
    private static int nameLength(Path name) {
        String s = name.toString();
        if (WINDOWS) {
            return s.length();
        }
        Charset cs;
        try {
            cs = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            cs = StandardCharsets.UTF_8;
        }
        return s.getBytes(cs).length;
    }

    /** Whether the JVM names the current directory rightly; looked at once (it does not change). */
    private static final class CurrentDirectory {
        static final String PROBLEM = problem();

        /**
         * Null when the current directory's absolute name leads to the current directory;
         * else why not. The JVM resolves relative paths against that name too (it is not the
         * process's own directory), so only {@code /proc/self/cwd} reaches the real one; where
         * there is no {@code /proc} (not Linux) nothing is checked.
         */
        private static String problem() {
            Object real = fileKey(Path.of("/proc/self/cwd"));
            if (real == null) {
                return null;
            }
            Path named = Path.of("").toAbsolutePath();
            if (real.equals(fileKey(named))) {
                return null;
            }
            if (System.getProperty("user.dir", "").indexOf('\uFFFD') < 0) {
                return "the current directory is no longer " + named + " (moved or deleted); cd into it again";
            }
            boolean utf8 = StandardCharsets.UTF_8.equals(Arguments.namesCharset());
            return "the current directory's name is not one this JVM can use: it knows it as " + named
                    + (utf8 ? ", as its name is not valid UTF-8; use absolute paths, or rename the directory"
                    : ", as this locale's character set (" + Arguments.namesCharset().name() + ") cannot hold"
                    + " the name; " + Arguments.hint());
        }

        private static Object fileKey(Path p) {
            try {
                return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
