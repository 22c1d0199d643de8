package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the command line reached wdsget as typed. On Linux the JVM decodes its
 * arguments in the locale's character set: under the C or POSIX locale (ASCII), or a
 * locale that is not installed (the C library falls back to C), a name such as
 * {@code uni✓é} arrives as {@code uni?????}, which would then be asked of the server,
 * or written, under that wrong name. Under a UTF-8 locale, an argument whose bytes are
 * not UTF-8 (a name in Latin-1, a stray {@code \xff}) arrives with U+FFFD in their place.
 */
final class Arguments {

    private Arguments() {
    }

    /**
     * Compares the arguments with the bytes the kernel holds for them
     * ({@code /proc/self/cmdline}): null when every argument is representable in
     * the JVM's character set for names, else the sentence to show (its control
     * characters not yet escaped).
     */
    /**
     * Whether {@link #unreadable} can compare the arguments with the bytes the process
     * was given (Linux): then a U+FFFD in an argument is one the user typed.
     */
    static boolean checkedExactly() {
        return Files.isReadable(Path.of("/proc/self/cmdline"));
    }

    static String unreadable(String[] args) {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (args.length == 0 || !Files.isReadable(cmdline)) {
            return null;                      // not Linux: arguments arrive as UTF-16 (Windows)
        }
        List<byte[]> raw;
        try {
            raw = split(Files.readAllBytes(cmdline));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (raw.size() < args.length) {
            return null;
        }
        Charset cs = namesCharset();
        List<byte[]> mine = raw.subList(raw.size() - args.length, raw.size());
        for (int i = 0; i < args.length; i++) {
            byte[] b = mine.get(i);
            if (ascii(b)) {
                continue;
            }
            try {
                cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            } catch (CharacterCodingException e) {
                if (cs.equals(StandardCharsets.UTF_8)) {
                    // the locale is right; the bytes are not: no locale setting would help
                    String setting = localeSetting();
                    return "the argument '" + escapeInvalid(b) + "' is not valid UTF-8 (the bytes shown as \\xNN are"
                            + " not part of any character), and UTF-8 is this locale's character set"
                            + (setting == null ? "" : " (" + setting + ")")
                            + ", so it would not be the name you typed; give the name in UTF-8";
                }
                return "the argument '" + args[i] + "' has characters this locale's character set (" + cs.name()
                        + ") cannot represent, so it would not be the name you typed; " + hint();
            }
        }
        return null;
    }

    /** The character set the JVM decodes arguments and file names in. */
    static Charset namesCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** What to do: a UTF-8 locale, or the named one is not installed. */
    static String hint() {
        String setting = localeSetting();
        if (setting != null) {
            String v = setting.substring(0, setting.indexOf('='));
            return setting.toUpperCase(Locale.ROOT).replace("-", "").contains("UTF8")
                    ? setting + " names a UTF-8 locale that is not installed here (see locale -a);"
                            + " install it or use C.UTF-8"
                    : setting + " is not a UTF-8 locale: set " + v + " to one, such as C.UTF-8";
        }
        return "set LC_ALL or LANG to a UTF-8 locale, such as C.UTF-8";
    }

    /** The variable that chooses the locale's character set, as {@code NAME=value}; null when none is set. */
    private static String localeSetting() {
        for (String v : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String value = System.getenv(v);
            if (value != null && !value.isEmpty()) {
                return v + "=" + value;
            }
        }
        return null;
    }

    /** The bytes as UTF-8 text, each byte that is not part of a UTF-8 character shown as {@code \xNN}. */
    static String escapeInvalid(byte[] b) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        CharBuffer text = CharBuffer.allocate(b.length);
        StringBuilder shown = new StringBuilder();
        while (true) {
            CoderResult r = decoder.decode(in, text, true);
            shown.append(text.flip());
            text.clear();
            if (r.isUnderflow()) {
                return shown.toString();
            }
            for (int i = 0; i < r.length(); i++) {           // malformed: the bytes that are not a character
                shown.append(String.format("\\x%02x", in.get() & 0xff));
            }
        }
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    /** The NUL-terminated strings of /proc/self/cmdline, empty ones included. */
    private static List<byte[]> split(byte[] all) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                byte[] p = new byte[i - start];
                System.arraycopy(all, start, p, 0, p.length);
                parts.add(p);
                start = i + 1;
            }
        }
        return parts;
    }
}
