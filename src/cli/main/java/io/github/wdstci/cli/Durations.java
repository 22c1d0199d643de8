package io.github.wdstci.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * Durations as people write them: {@code 90} (seconds), {@code 90s},
 * {@code 500ms}, {@code 5m}, {@code 1h30m}, {@code 1.5h}, or ISO-8601
 * ({@code PT5M}), in whole milliseconds, and shown exactly as they were
 * understood ({@link #format}).
 */
final class Durations {

    /** What {@code --help} says about durations. */
    static final String HELP = "DURATION is a number with a unit: ms, s, m, h or d, combined as in 1h30m%n"
            + "(a bare number is seconds; ISO-8601 such as PT5M also works), in whole%nmilliseconds.";

    /**
     * The longest duration, about 146 years: the timers count in nanoseconds ({@code toNanos()}),
     * and {@code --timeout} has 30 s added for the transport to stop.
     */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 2);

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");

    private Durations() {
    }

    /**
     * Parses a duration of whole milliseconds, at least one.
     *
     * @throws IllegalArgumentException naming the text, when it is not one, shorter than 1 ms, or
     *         finer than a millisecond
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
            BigDecimal total = BigDecimal.ZERO;        // nanoseconds, exact
            Matcher m = PART.matcher(s);
            int at = 0;
            int parts = 0;
            boolean bare = false;
            while (at < s.length() && m.find(at) && m.start() == at) {
                bare |= m.group(2) == null;
                parts++;
                // exact decimals: 1.0000001ms is finer than a millisecond, not 1ms after rounding
                BigDecimal v = new BigDecimal(m.group(1));
                long nanosPer = switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "h" -> 3_600_000_000_000L;
                    default -> 86_400_000_000_000L;
                };
                BigDecimal nanos = v.multiply(BigDecimal.valueOf(nanosPer));
                if (nanos.compareTo(BigDecimal.valueOf(LONGEST.toNanos())) > 0) {
                    throw new IllegalArgumentException("duration too long: '" + text + "'");
                }
                total = total.add(nanos);
                at = m.end();
            }
            if (s.isEmpty() || at != s.length()) {
                throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 90s, 5m, 1h30m)");
            }
            if (bare && parts > 1) {
                throw new IllegalArgumentException("not a duration: '" + text + "' (a number without a unit must be alone)");
            }
            // the same checks as below, in the same order, on the exact sum (0.0005s is shorter
            // than 1ms, as PT0.0005S is; 1.0005s is finer than a millisecond)
            BigDecimal ms = BigDecimal.valueOf(1_000_000L);
            if (total.signum() > 0 && total.compareTo(ms) < 0) {
                throw shorter(text);
            }
            if (total.remainder(ms).signum() != 0) {
                throw finer(text);
            }
            if (total.compareTo(BigDecimal.valueOf(LONGEST.toNanos())) > 0) {
                throw new IllegalArgumentException("duration too long: '" + text + "'");
            }
            d = Duration.ofNanos(total.longValueExact());
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be positive: '" + text + "'");
        }
        if (d.compareTo(LONGEST) > 0) {
            // each part is bounded above, but not their sum, nor ISO-8601's
            throw new IllegalArgumentException("duration too long: '" + text + "'");
        }
        // The transport counts in milliseconds, and so do the messages that repeat it ("0ms"):
        // a finer duration would be cut there, and shown cut ("1.5ms" as "1ms").
        if (d.compareTo(Duration.ofMillis(1)) < 0) {
            throw shorter(text);
        }
        if (d.getNano() % 1_000_000 != 0) {
            throw finer(text);
        }
        return d;
    }

    private static IllegalArgumentException shorter(String text) {
        return new IllegalArgumentException("duration shorter than 1ms: '" + text + "'");
    }

    private static IllegalArgumentException finer(String text) {
        return new IllegalArgumentException("duration finer than a millisecond: '" + text
                + "' (durations count whole milliseconds, e.g. 1500ms or 1.5s)");
    }

    /**
     * {@code 1h30m}, {@code 5m}, {@code 2.5s}, {@code 1m0.001s}, {@code 250ms}: exact to the
     * millisecond, and {@link #parse} reads it back as the same duration.
     */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            b.append(s % 3600 / 60).append('m');
        }
        long rest = ms % 60_000;          // the seconds and milliseconds within the last minute
        if (rest != 0) {
            b.append(rest / 1000);
            if (rest % 1000 != 0) {
                b.append('.').append(String.format(Locale.ROOT, "%03d", rest % 1000).replaceFirst("0+$", ""));
            }
            b.append('s');
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
