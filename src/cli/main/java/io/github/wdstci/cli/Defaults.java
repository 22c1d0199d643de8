package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The server and namespace {@code get} (and {@code doctor}) use when the command line gives
 * none: from the environment ({@code WDSGET_SERVER}, {@code WDSGET_NAMESPACE}), else from the
 * config file at the XDG location ({@code $XDG_CONFIG_HOME/wdsget/config}, by default
 * {@code ~/.config/wdsget/config}). Options win over the environment, the environment over the
 * file. An empty variable counts as unset.
 *
 * <p>The file has one setting per line, {@code name = value}; blank lines and lines starting
 * with {@code #} are skipped. The names are {@code server} and {@code namespace}. Anything else
 * (an unknown name, a line without {@code =}, an empty value, a name given twice, bytes that
 * are not UTF-8) is a usage error naming the file and the line, so that a typo is not silently
 * ignored.
 *
 * @param server        the default server, or null
 * @param serverFrom    where it comes from ({@code WDSGET_SERVER} or the file's path)
 * @param namespace     the default namespace, or null
 * @param namespaceFrom where it comes from
 * @param file          the config file looked at (it need not exist); null when there is no
 *                      home directory to look in
 */
record Defaults(String server, String serverFrom, String namespace, String namespaceFrom, Path file) {

    /** The settings the config file may hold. */
    static final List<String> NAMES = List.of("server", "namespace");

    /**
     * The defaults in this environment.
     *
     * @param env the process's environment ({@link System#getenv(String)})
     * @throws Outcome.Problem a usage problem when the config file is unusable
     */
    static Defaults load(Function<String, String> env) throws Outcome.Problem {
        Path file = file(env);
        Map<String, String> settings = file == null ? Map.of() : read(file);
        String server = set(env.apply("WDSGET_SERVER"));
        String namespace = set(env.apply("WDSGET_NAMESPACE"));
        String shown = file == null ? null : file.toString();
        return new Defaults(server != null ? server : settings.get("server"),
                server != null ? "WDSGET_SERVER" : shown,
                namespace != null ? namespace : settings.get("namespace"),
                namespace != null ? "WDSGET_NAMESPACE" : shown, file);
    }

    private static String set(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * {@code $XDG_CONFIG_HOME/wdsget/config}, or {@code $HOME/.config/wdsget/config} when that is
     * unset or not absolute (as the XDG Base Directory specification says); null without either.
     */
    static Path file(Function<String, String> env) throws Outcome.Problem {
        try {
            String xdg = set(env.apply("XDG_CONFIG_HOME"));
            if (xdg != null && Path.of(xdg).isAbsolute()) {
                return Path.of(xdg, "wdsget", "config");
            }
            String home = set(env.apply("HOME"));
            return home == null ? null : Path.of(home, ".config", "wdsget", "config");
        } catch (InvalidPathException e) {
            throw new Outcome.Problem(Outcome.USAGE, FileNames.unnamable(e.getInput(), "the config file", e));
        }
    }

    /** The file's settings; none when it does not exist. */
    private static Map<String, String> read(Path file) throws Outcome.Problem {
        List<String> lines;
        try {
            lines = List.of(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString().split("\r?\n", -1));
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (CharacterCodingException e) {
            throw bad(file, 0, "it is not UTF-8 text");
        } catch (IOException e) {
            throw new Outcome.Problem(Outcome.USAGE, "cannot read the config file " + file + ": " + Outcome.describe(e));
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw bad(file, i + 1, "expected 'name = value', found '" + line + "'");
            }
            String name = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!NAMES.contains(name)) {
                throw bad(file, i + 1, "unknown setting '" + name + "' (known: " + String.join(", ", NAMES) + ")");
            }
            if (value.isEmpty()) {
                throw bad(file, i + 1, "'" + name + "' has no value");
            }
            if (settings.put(name, value) != null) {
                throw bad(file, i + 1, "'" + name + "' is set a second time");
            }
        }
        return settings;
    }

    private static Outcome.Problem bad(Path file, int line, String why) {
        return new Outcome.Problem(Outcome.USAGE, "bad config file " + file + (line > 0 ? ":" + line : "") + ": " + why
                + " (settings: server = HOST, namespace = NAMESPACE; options and WDSGET_SERVER, WDSGET_NAMESPACE"
                + " take precedence)");
    }

    /** Where a missing setting could come from, for the usage error: {@code --server}, its variable, the file. */
    String whereToGive(String option, String variable, String name) {
        return option + " (or " + variable + ", or '" + name + " = ...' in " + (file == null ? "~/.config/wdsget/config"
                : file) + ")";
    }
}
