package io.github.wdstci.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Special files for the output tests, made with the system's own tools: a
 * FIFO (mkfifo), device nodes (mknod, which needs root or CAP_MKNOD), a loop
 * block device over a file (losetup, which needs root and the loop driver).
 * Where the system does not permit one, the test is skipped, saying why.
 */
final class Nodes {

    private Nodes() {
    }

    /** Runs a command; its standard output, or null when it failed or is not there to run. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;                      // not on PATH (or not executable)
        }
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        return p.exitValue() == 0 ? out : null;
    }

    /**
     * losetup: a system tool, in /usr/sbin, which a user's PATH (and 'env -i PATH=/usr/bin:/bin')
     * often leaves out.
     */
    private static final String LOSETUP = java.util.stream.Stream.of("/usr/sbin/losetup", "/sbin/losetup")
            .filter(f -> java.nio.file.Files.isExecutable(Path.of(f))).findFirst().orElse("losetup");

    static void mkfifo(Path p) throws Exception {
        assumeTrue(run("mkfifo", p.toString()) != null, "mkfifo is not available here");
    }

    /** A character device node with these numbers (1, 3 is /dev/null's). */
    static void mknodChar(Path p, int major, int minor) throws Exception {
        assumeTrue(run("mknod", p.toString(), "c", Integer.toString(major), Integer.toString(minor)) != null,
                "mknod is not permitted here (it needs root or CAP_MKNOD)");
    }

    static void mknodBlock(Path p, int major, int minor) throws Exception {
        assumeTrue(run("mknod", p.toString(), "b", Integer.toString(major), Integer.toString(minor)) != null,
                "mknod is not permitted here (it needs root or CAP_MKNOD)");
    }

    /** A loop block device over {@code file}; detach it with {@link #detach}. */
    static Path loop(Path file) throws Exception {
        String dev = run(LOSETUP, "--find", "--show", file.toString());
        assumeTrue(dev != null && dev.startsWith("/dev/"),
                "losetup is not permitted here (a loop block device needs root and the loop driver)");
        return Path.of(dev);
    }

    static void detach(Path loop) throws Exception {
        run(LOSETUP, "-d", loop.toString());
    }

    /** The major and minor numbers of a device node, as {@code stat} prints them. */
    static List<Integer> numbers(Path dev) throws Exception {
        String s = run("stat", "-L", "-c", "%t %T", dev.toString());
        assumeTrue(s != null, "stat cannot read " + dev);
        String[] hex = s.split(" ");
        return List.of(Integer.parseInt(hex[0], 16), Integer.parseInt(hex[1], 16));
    }
}
