package io.github.wdstci.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * Durations as people write them: {@code 90} (seconds), {@code 90s},
 * {@code 500ms}, {@code 5m}, {@code 1h30m}, {@code 1.5h}, or ISO-8601
 * ({@code PT5M}).
 */
final class Durations {

    /** What {@code --help} says about durations. */
    static final String HELP = "DURATION is a number with a unit: ms, s, m, h or d, combined as in 1h30m"
            + " (a bare number is seconds; ISO-8601 such as PT5M also works).";

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");

    private Durations() {
    }

    /**
     * Parses a duration of at least a millisecond.
     *
     * @throws IllegalArgumentException naming the text, when it is not one or shorter than 1 ms
     */
    static Duration parse(String text) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        Duration d;
        if (s.startsWith("p")) {
            try {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 90s, 5m, 1h30m)");
            }
        } else {
            d = Duration.ZERO;
            Matcher m = PART.matcher(s);
            int at = 0;
            int parts = 0;
            boolean bare = false;
            while (at < s.length() && m.find(at) && m.start() == at) {
                bare |= m.group(2) == null;
                parts++;
                double v = Double.parseDouble(m.group(1));
                double nanosPer = switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "ms" -> 1e6;
                    case "s" -> 1e9;
                    case "m" -> 60e9;
                    case "h" -> 3600e9;
                    default -> 86400e9;
                };
                double nanos = v * nanosPer;
                if (nanos > Long.MAX_VALUE / 2.0) {
                    throw new IllegalArgumentException("duration too long: '" + text + "'");
                }
                d = d.plusNanos(Math.round(nanos));
                at = m.end();
            }
            if (s.isEmpty() || at != s.length()) {
                throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 90s, 5m, 1h30m)");
            }
            if (bare && parts > 1) {
                throw new IllegalArgumentException("not a duration: '" + text + "' (a number without a unit must be alone)");
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be positive: '" + text + "'");
        }
        // The transport counts in milliseconds, and so do the messages that repeat it ("0ms").
        if (d.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("duration shorter than 1ms: '" + text + "'");
        }
        return d;
    }

    /** {@code 1h30m}, {@code 5m}, {@code 2.5s}: short and exact enough for messages. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 1000 != 0 && ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = d.toSeconds();
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            b.append(s % 3600 / 60).append('m');
        }
        if (s % 60 != 0) {
            b.append(s % 60).append('s');
        }
        return b.toString();
    }

    /** picocli's converter: a parse failure becomes a usage error naming the option. */
    static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
