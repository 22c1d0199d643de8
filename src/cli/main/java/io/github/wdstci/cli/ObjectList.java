package io.github.wdstci.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code get -i FILE}: the objects to receive, one per line, each optionally followed by a tab
 * and the name of its output. Blank lines and lines starting with {@code #} are skipped, a
 * carriage return before the newline is dropped (a list written on Windows), and so is white
 * space around each field. The file is UTF-8, whatever the locale; {@code -} is standard input.
 * A tab, which no object or file name on Windows can hold, separates the fields so that names
 * with blanks (an image group's) need no quoting.
 */
final class ObjectList {

    /** One line: the object, and its output as given (relative to {@code -o DIR}), or null. */
    record Entry(String object, String output) {
    }

    private ObjectList() {
    }

    /**
     * The entries of the list {@code name} ({@code -} for {@code stdin}).
     *
     * @throws Outcome.Problem a usage problem naming the file (and the line) when it cannot be read
     *                         or a line is not an entry
     */
    static List<Entry> read(String name, InputStream stdin) throws Outcome.Problem {
        byte[] bytes;
        try {
            bytes = name.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(FileNames.of(name, "-i"));
        } catch (IOException e) {
            throw new Outcome.Problem(Outcome.USAGE, "cannot read the object list -i " + name + ": "
                    + Outcome.describe(e));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Outcome.Problem(Outcome.USAGE, "the object list -i " + name + " is not UTF-8 text");
        }
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            String where = "the object list -i " + name + ":" + (i + 1) + ": ";
            if (fields.length > 2) {
                throw new Outcome.Problem(Outcome.USAGE, where + "more than one tab; a line is OBJECT, or OBJECT,"
                        + " a tab and OUTPUT");
            }
            String object = fields[0].strip();
            String output = fields.length == 2 ? fields[1].strip() : null;
            if (object.isEmpty()) {
                throw new Outcome.Problem(Outcome.USAGE, where + "no object before the tab");
            }
            if (output != null && output.isEmpty()) {
                throw new Outcome.Problem(Outcome.USAGE, where + "no output after the tab");
            }
            if ("-".equals(output)) {
                throw new Outcome.Problem(Outcome.USAGE, where + "an object of a list cannot go to standard output");
            }
            entries.add(new Entry(object, output));
        }
        return entries;
    }
}
