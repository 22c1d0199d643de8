package io.github.wdstci.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Text that came from the command line, the server or the file system (object names,
 * paths, reasons), made fit to print: every control character is shown as an escape.
 * A name holding ESC or BEL would otherwise reach the terminal raw and set its title,
 * recolour it or move the cursor, and one holding a newline would print a line of its
 * own that looks like wdsget's.
 *
 * <p>Control characters are C0 (U+0000 to U+001F), DEL (U+007F) and C1 (U+0080 to
 * U+009F, which some terminals obey as ESC sequences). They are shown as {@code \a \b \t
 * \n \v \f \r \e}, as {@code \xNN} for the other C0 characters and DEL, and as a backslash,
 * {@code u} and four hex digits for C1 (a C1 character is not the byte {@code \x9b}, which
 * is what {@link Arguments} shows for bytes that are not UTF-8). Everything else, a
 * backslash included, is left as it is: in messages a Windows path stays readable.
 * {@code key=value} records quote their values and escape backslashes too
 * ({@link LinesDisplay#quote}).
 */
final class Visible {

    private Visible() {
    }

    /** Whether {@code c} is a control character: C0, DEL or C1. */
    static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
    }

    /** {@code s} with its control characters escaped; "null" for null. */
    static String of(String s) {
        if (s == null) {
            return "null";
        }
        if (s.chars().noneMatch(Visible::isControl)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c)) {
                escape(b, c);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Appends the escape of the control character {@code c}. */
    static void escape(StringBuilder b, char c) {
        switch (c) {
            case 0x07 -> b.append("\\a");
            case '\b' -> b.append("\\b");
            case '\t' -> b.append("\\t");
            case '\n' -> b.append("\\n");
            case 0x0b -> b.append("\\v");
            case '\f' -> b.append("\\f");
            case '\r' -> b.append("\\r");
            case 0x1b -> b.append("\\e");
            default -> b.append(c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        }
    }

    /**
     * A stack trace ({@code --verbose}) with the messages in it escaped line by line; the
     * tab that starts each frame stays a tab.
     */
    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        StringBuilder b = new StringBuilder();
        for (String line : w.toString().split(System.lineSeparator(), -1)) {
            if (!b.isEmpty()) {
                b.append(System.lineSeparator());
            }
            b.append(line.startsWith("\t") ? "\t" + of(line.substring(1)) : of(line));
        }
        return b.toString();
    }
}
