package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists of SHA-256 digests in the format of {@code sha256sum}: written by {@code --sha256-file}
 * (so that {@code sha256sum -c} checks the objects later) and read by {@code --check} (so that a
 * list published beside the images, or written by an earlier run, checks them as they arrive).
 *
 * <p>A line is 64 hex digits, a blank, a blank or {@code *} (text or binary mode, the same for
 * SHA-256) and the name; a name holding a backslash, newline or carriage return is written with
 * {@code \\}, {@code \n}, {@code \r} and the line starts with a backslash, as GNU sha256sum does.
 * Reading takes those lines and the BSD form {@code SHA256 (NAME) = HEX} ({@code sha256sum
 * --tag}); blank lines and lines starting with {@code #} are skipped.
 */
final class Checksums {

    private static final Pattern GNU = Pattern.compile("(\\\\?)([0-9A-Fa-f]{64}) [ *](.*)");
    private static final Pattern BSD = Pattern.compile("(\\\\?)SHA256 \\((.*)\\) = ([0-9A-Fa-f]{64})");

    private final String file;
    private final Map<String, String> byName;

    private Checksums(String file, Map<String, String> byName) {
        this.file = file;
        this.byName = byName;
    }

    /** One line for {@code name}, as {@code sha256sum} writes it. */
    static String line(String hex, String name) {
        boolean escape = name.indexOf('\\') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0;
        String n = escape ? name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") : name;
        return (escape ? "\\" : "") + hex + "  " + n + "\n";
    }

    /**
     * Reads {@code --check FILE}.
     *
     * @throws Outcome.Problem a usage problem naming the file (and the line) when it cannot be read
     *                         or a line is not a digest
     */
    static Checksums read(String file) throws Outcome.Problem {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(Files.readAllBytes(FileNames.of(file, "--check")))).toString();
        } catch (CharacterCodingException e) {
            throw new Outcome.Problem(Outcome.USAGE, "--check " + file + " is not UTF-8 text");
        } catch (Outcome.Problem e) {
            throw e;
        } catch (IOException e) {
            throw new Outcome.Problem(Outcome.USAGE, "cannot read --check " + file + ": " + Outcome.describe(e));
        }
        Map<String, String> byName = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher gnu = GNU.matcher(line);
            Matcher bsd = BSD.matcher(line);
            String hex;
            String name;
            boolean escaped;
            if (gnu.matches()) {
                escaped = !gnu.group(1).isEmpty();
                hex = gnu.group(2);
                name = gnu.group(3);
            } else if (bsd.matches()) {
                escaped = !bsd.group(1).isEmpty();
                name = bsd.group(2);
                hex = bsd.group(3);
            } else {
                throw new Outcome.Problem(Outcome.USAGE, "--check " + file + ":" + (i + 1) + ": not a SHA-256 line"
                        + " (64 hex digits, two blanks and a name, as sha256sum writes)");
            }
            if (escaped) {
                name = unescape(name);
            }
            String had = byName.put(name, hex.toLowerCase(Locale.ROOT));
            if (had != null && !had.equals(hex.toLowerCase(Locale.ROOT))) {
                throw new Outcome.Problem(Outcome.USAGE, "--check " + file + ":" + (i + 1) + ": a second, different"
                        + " SHA-256 for " + name);
            }
        }
        return new Checksums(file, byName);
    }

    private static String unescape(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 1 < name.length()) {
                char e = name.charAt(++i);
                b.append(e == 'n' ? '\n' : e == 'r' ? '\r' : e);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The digest expected for an output: the entry with its name as the user wrote it; else one
     * that names the same file another way ({@code ./x}, an absolute path); else the one entry
     * with its file name (a list published beside the images names them without directories).
     *
     * @param shown the output as the user named it
     * @param path  the output's path ({@code null} for standard output, {@code -} in the list)
     * @throws Outcome.Problem a usage problem when there is none, or several by file name
     */
    String expected(String shown, Path path) throws Outcome.Problem {
        String hex = byName.get(shown);
        if (hex != null) {
            return hex;
        }
        if (path != null) {
            Path want = path.toAbsolutePath().normalize();
            List<String> sameName = new ArrayList<>();
            for (Map.Entry<String, String> e : byName.entrySet()) {
                Path p;
                try {
                    p = Path.of(e.getKey());
                } catch (InvalidPathException ex) {
                    continue;
                }
                if (p.toAbsolutePath().normalize().equals(want)) {
                    return e.getValue();
                }
                if (p.getFileName() != null && p.getFileName().equals(want.getFileName())) {
                    sameName.add(e.getKey());
                }
            }
            if (sameName.size() == 1) {
                return byName.get(sameName.get(0));
            }
            if (sameName.size() > 1) {
                throw new Outcome.Problem(Outcome.USAGE, "--check " + file + " has several SHA-256 for the file name of "
                        + shown + " (" + String.join(", ", sameName) + ") and none for " + shown + " itself");
            }
        }
        throw new Outcome.Problem(Outcome.USAGE, "--check " + file + " has no SHA-256 for " + shown);
    }
}
