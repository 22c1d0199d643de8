package io.github.wdstci.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;

import picocli.CommandLine;

/**
 * Byte counts as people write them on the command line: {@code 100000},
 * {@code 64K}, {@code 64KiB}, {@code 1GB}, {@code 1.5GiB}.
 *
 * <p>SI units are powers of 1000 ({@code kB}, {@code MB}, {@code GB},
 * {@code TB}, {@code PB}); IEC units are powers of 1024 ({@code KiB},
 * {@code MiB}, {@code GiB}, {@code TiB}, {@code PiB}); a letter alone
 * ({@code K}, {@code M}, {@code G}, {@code T}, {@code P}) is the IEC unit, as
 * in the stand-in's object names. Units are case-insensitive. A decimal
 * fraction is allowed and the result is rounded to a whole byte.
 */
final class ByteSize {

    /**
     * What {@code --help} says about sizes: broken into lines here (picocli breaks a long one
     * after any dot, as in {@code 1.5} / {@code GiB}).
     */
    static final String HELP = "SIZE is a number with an optional unit: kB, MB, GB, TB are powers of 1000%n"
            + "(1GB = 1000000000), KiB, MiB, GiB, TiB are powers of 1024 (1GiB = 1073741824),%n"
            + "and K, M, G, T alone are the same as KiB, MiB, GiB, TiB. Decimals are allowed%n(1.5GiB).";

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSize() {
    }

    /**
     * Parses a non-negative byte count with an optional unit.
     *
     * @throws IllegalArgumentException naming the text, when it is not such a count or overflows
     */
    static long parse(String text) {
        String s = text == null ? "" : text.strip();
        int end = 0;
        while (end < s.length() && (isAsciiDigit(s.charAt(end)) || s.charAt(end) == '.')) {
            end++;
        }
        String number = s.substring(0, end);
        boolean whole = !number.isEmpty() && number.indexOf('.') < 0;
        if (number.isEmpty() || (!whole && !number.matches("\\d+(\\.\\d+)?|\\.\\d+|\\d+\\."))) {
            throw new IllegalArgumentException("not a size: '" + text + "' (examples: 4096, 64KiB, 1GB, 1.5GiB)");
        }
        BigInteger unit = unit(s.substring(end).strip(), text);
        if (whole && number.length() <= 18 && unit.bitLength() < 63) {
            // the usual case (every default, 64KiB, 1GiB), in long arithmetic: no regular
            // expression and no BigDecimal, whose first use costs a process milliseconds
            try {
                return Math.multiplyExact(Long.parseLong(number), unit.longValue());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("size too large: '" + text + "'");
            }
        }
        BigInteger bytes = new BigDecimal(number).multiply(new BigDecimal(unit))
                .setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
        if (bytes.bitLength() > 63) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return bytes.longValueExact();
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static BigInteger unit(String u, String text) {
        String up = u.toUpperCase(Locale.ROOT);
        int power = switch (up.isEmpty() ? ' ' : up.charAt(0)) {
            case ' ', 'B' -> 0;
            case 'K' -> 1;
            case 'M' -> 2;
            case 'G' -> 3;
            case 'T' -> 4;
            case 'P' -> 5;
            default -> -1;
        };
        int base;
        if (up.isEmpty() || up.equals("B")) {
            base = 1;
        } else if (power > 0 && (up.length() == 1 || up.substring(1).equals("IB"))) {
            base = 1024;
        } else if (power > 0 && up.substring(1).equals("B")) {
            base = 1000;
        } else {
            throw new IllegalArgumentException("unknown unit '" + u + "' in size '" + text
                    + "' (use B; kB, MB, GB, TB for powers of 1000; KiB, MiB, GiB, TiB or K, M, G, T for powers of 1024)");
        }
        return BigInteger.valueOf(base).pow(Math.max(power, 0));
    }

    /** {@code 512 B}, {@code 1.50 KiB}, {@code 1.00 GiB}. */
    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double v = bytes;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, UNITS[unit]);
    }

    /** {@code 812.40 MiB/s}. */
    static String rate(double bytesPerSecond) {
        return format(Math.round(bytesPerSecond)) + "/s";
    }

    /** picocli's converter: a parse failure becomes a usage error naming the option. */
    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
