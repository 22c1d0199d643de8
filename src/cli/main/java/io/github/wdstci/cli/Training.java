package io.github.wdstci.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run of the {@code ./wdsget} launcher's AOT cache (JDK 25's
 * {@code -XX:AOTCacheOutput}): the launcher runs this class once per jar and JDK, with the
 * JVM options wdsget runs with, and the JVM keeps what it loaded and linked in the cache
 * that later runs start from. It does, in one process and with its output going nowhere,
 * what wdsget is usually asked for: the help, the version (which loads the transport
 * library), a {@code get} of a small synthetic object from the stand-in into a file with
 * its SHA-256, one shuffled into {@code /dev/null}, and the demo. Nothing is contacted and
 * nothing is left behind (a temporary directory, removed).
 */
final class Training {

    private Training() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        WdsGet.Context context = new WdsGet.Context(nowhere, nowhere, () -> false, () -> false, () -> 80, () -> 80,
                () -> Channels.newChannel(nowhere), () -> true, name -> null, InputStream.nullInputStream());
        Path dir = Files.createTempDirectory("wdsget-training-");
        int failures = 0;
        try {
            for (String[] line : new String[][] {{"--help"}, {"help", "get"}, {"get", "--help"}, {"-V"}}) {
                String text = Shortcuts.answer(line);
                failures += text == null ? 1 : 0;
                nowhere.print(text);
            }
            String file = dir.resolve("object.bin").toString();
            for (String[] line : new String[][] {
                    {"get", "-s", "localhost", "-n", "synthetic", "4MiB", "-o", file, "--sha256", "-q"},
                    {"get", "-s", "localhost", "-n", "synthetic", "4MiB?order=shuffle", "-o", "-"},
                    {"demo", "--size", "4MiB", "--progress", "lines"}}) {
                failures += WdsGet.execute(line, context) == 0 ? 0 : 1;
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
