package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
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
 * or written, under that wrong name.
 */
final class Arguments {

    private Arguments() {
    }

    /**
     * Compares the arguments with the bytes the kernel holds for them
     * ({@code /proc/self/cmdline}): null when every argument is representable in
     * the JVM's character set for names, else the sentence to show.
     */
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
        for (String v : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String value = System.getenv(v);
            if (value != null && !value.isEmpty()) {
                return value.toUpperCase(Locale.ROOT).replace("-", "").contains("UTF8")
                        ? v + "=" + value + " names a UTF-8 locale that is not installed here (see locale -a);"
                                + " install it or use C.UTF-8"
                        : v + "=" + value + " is not a UTF-8 locale: set " + v + " to one, such as C.UTF-8";
            }
        }
        return "set LC_ALL or LANG to a UTF-8 locale, such as C.UTF-8";
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
