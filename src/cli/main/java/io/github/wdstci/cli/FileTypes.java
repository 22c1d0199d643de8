package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What kind of node a path is (the type bits of {@code st_mode}) and, for a device, its
 * numbers, where the "unix" attribute view tells (Linux, macOS; not Windows). Symbolic links
 * are followed, and so are the links of {@code /proc/self/fd}, which name what a file
 * descriptor is open on (a pipe too).
 */
final class FileTypes {

    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFBLK = 0060000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    /** What standard output is open on, where /proc tells (Linux). */
    static final Path STANDARD_OUTPUT = Path.of("/proc/self/fd/1");

    /** Linux's memory devices' major number: /dev/null (1, 3), /dev/zero (1, 5), /dev/full, /dev/random... */
    private static final long MEMORY = 1;

    private FileTypes() {
    }

    /** The file type bits of st_mode, or 0 where the "unix" attribute view does not exist (Windows). */
    static int of(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:mode")).intValue() & S_IFMT;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    /** The major number in a device number (Linux's dev_t encoding). */
    static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    }

    /** The minor number in a device number (Linux's dev_t encoding). */
    static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
    }

    /**
     * Whether {@code p} is a character device that keeps nothing written to it and never says
     * no: Linux's {@code /dev/null} (1, 3) or {@code /dev/zero} (1, 5), under any name. False
     * where that cannot be told.
     */
    static boolean keepsNothing(Path p) {
        long[] dev = characterDevice(p);
        return dev != null && dev[0] == MEMORY && (dev[1] == 3 || dev[1] == 5);
    }

    /**
     * Whether {@code p} may be a terminal: false when it is no character device, or a memory
     * device; true when it cannot be told (no "unix" view, no such path).
     */
    static boolean mayBeTerminal(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev");
            return (((Number) a.get("mode")).intValue() & S_IFMT) == S_IFCHR
                    && major(((Number) a.get("rdev")).longValue()) != MEMORY;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** A character device's major and minor numbers; null for anything else, or when unknown. */
    private static long[] characterDevice(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev");
            if ((((Number) a.get("mode")).intValue() & S_IFMT) != S_IFCHR) {
                return null;
            }
            long rdev = ((Number) a.get("rdev")).longValue();
            return new long[] {major(rdev), minor(rdev)};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
