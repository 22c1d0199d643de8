package io.github.wdstci.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import picocli.CommandLine;

/**
 * wdsget's help texts, rendered by picocli at build time into resources of the jar
 * ({@link #main}, run by the build after compiling), so that {@code --help},
 * {@code help} and {@code help COMMAND} print them without building the command model
 * ({@link Shortcuts}). Each text exists twice, plain and with picocli's ANSI styles,
 * since picocli styles its help where standard output is a terminal. A test renders
 * them again and compares, so that they cannot go stale.
 */
final class HelpText {

    /** The commands with a help text: "" is wdsget itself. */
    static List<String> commands() {
        List<String> c = new ArrayList<>();
        c.add("");
        c.addAll(Subcommands.ALL.keySet());
        return List.copyOf(c);
    }

    private HelpText() {
    }

    /** The resource holding a command's help ({@code help/wdsget-get.txt}, {@code help/wdsget.ansi.txt}). */
    static String resource(String command, boolean ansi) {
        return "help/wdsget" + (command.isEmpty() ? "" : "-" + command) + (ansi ? ".ansi" : "") + ".txt";
    }

    /** A command's help as picocli renders it now, from the model wdsget runs with. */
    static String render(String command, boolean ansi) {
        CommandLine root = WdsGet.model(null, null);
        CommandLine cmd = command.isEmpty() ? root : root.getSubcommands().get(command);
        if (cmd == null) {
            throw new IllegalArgumentException("no command " + command);
        }
        StringWriter text = new StringWriter();
        PrintWriter w = new PrintWriter(text);
        cmd.usage(w, CommandLine.Help.defaultColorScheme(ansi ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        w.flush();
        return text.toString();
    }

    /**
     * A command's help as the build rendered it, or null when there is none (an IDE's build).
     * Read from the jar (or class directory) this class came from, as a file: the class
     * loader's way, through a {@code jar:} URL and its connection, loads more classes than
     * printing the help takes otherwise.
     */
    static String prerendered(String command, boolean ansi) {
        String name = HelpText.class.getPackageName().replace('.', '/') + "/" + resource(command, ansi);
        try {
            CodeSource source = HelpText.class.getProtectionDomain().getCodeSource();
            Path where = source == null ? null : Path.of(source.getLocation().toURI());
            if (where != null && Files.isRegularFile(where)) {
                try (ZipFile jar = new ZipFile(where.toFile())) {
                    ZipEntry entry = jar.getEntry(name);
                    return entry == null ? null : new String(jar.getInputStream(entry).readAllBytes(),
                            StandardCharsets.UTF_8);
                }
            }
            if (where != null && Files.isRegularFile(where.resolve(name))) {
                return Files.readString(where.resolve(name), StandardCharsets.UTF_8);
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // as from the class loader
        }
        try (InputStream in = HelpText.class.getResourceAsStream(resource(command, ansi))) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes every help text under the class output directory {@code args[0]} (the build). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]).resolve(HelpText.class.getPackageName().replace('.', '/'));
        for (String command : commands()) {
            for (boolean ansi : new boolean[] {false, true}) {
                Path file = dir.resolve(resource(command, ansi));
                Files.createDirectories(file.getParent());
                Files.writeString(file, render(command, ansi), StandardCharsets.UTF_8);
            }
        }
    }
}
