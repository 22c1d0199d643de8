package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wdsget's temporary files, named after the process that writes them, and the
 * removal of those whose process is gone (killed, or the machine lost power).
 *
 * <p>A temporary file is {@code .NAME.wdsget-PID.part} beside the target,
 * with NAME cut to {@value #NAME_BYTES} bytes of UTF-8 so that the whole name
 * stays far below the 255-byte limit of common file systems. Files of
 * earlier wdsget versions ({@code .NAME.wdsget-PID} and
 * {@code ..NAME.wdsget-PID.RANDOM.part}) are recognised as well.
 *
 * <p>A file is stale when no process with its PID runs on this machine. A
 * directory shared between machines could hold another machine's live file
 * under a PID that is free here; wdsget cannot tell, so do not point two
 * machines' wdsget at the same directory at once.
 */
final class StaleParts {

    /** The most bytes of the target's name kept in a temporary file's name. */
    static final int NAME_BYTES = 100;

    private static final Pattern PART = Pattern.compile(
            "\\..*\\.wdsget-(\\d{1,10})(?:-\\d{1,4})?(?:\\.part|\\.[0-9a-z]{1,16}\\.part)?");

    private StaleParts() {
    }

    /** {@code .NAME.wdsget-PID.part} for this process, NAME cut to {@value #NAME_BYTES} bytes. */
    static String tempName(String targetName, long pid, int attempt) {
        return "." + cut(targetName, NAME_BYTES) + ".wdsget-" + pid + (attempt == 0 ? "" : "-" + attempt) + ".part";
    }

    /** Creates this process's new, empty temporary file for {@code targetName} in {@code dir}. */
    static Path createTemp(Path dir, String targetName) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            try {
                // the permissions any new file gets (umask): the file becomes the target
                return Files.createFile(dir.resolve(tempName(targetName, pid, attempt)));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 1000) {
                    throw e;
                }
            }
        }
    }

    /** The longest prefix of {@code s} of at most {@code max} UTF-8 bytes, not splitting a character. */
    static String cut(String s, int max) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > max) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /** The PID in a wdsget temporary file's name, or -1 when the name is not one. */
    static long pidOf(String fileName) {
        Matcher m = PART.matcher(fileName);
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Removes the temporary files in {@code dir} whose process no longer runs.
     *
     * @param report told of each removal (and of failures to remove)
     * @return the files removed
     */
    static List<Path> clean(Path dir, Consumer<String> report) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*wdsget-*")) {
            for (Path f : files) {
                long pid = pidOf(f.getFileName().toString());
                if (pid <= 0 || ProcessHandle.of(pid).isPresent()
                        || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    if (Files.deleteIfExists(f)) {
                        removed.add(f);
                        report.accept("removed " + f + ", a partial file left by process " + pid
                                + ", which no longer runs");
                    }
                } catch (IOException e) {
                    report.accept("could not remove the stale partial file " + f + ": " + e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable directory: the transfer reports what matters about it
        }
        return removed;
    }
}
