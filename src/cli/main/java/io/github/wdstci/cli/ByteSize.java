package io.github.wdstci.cli;

import java.util.Locale;

import picocli.CommandLine;

/**
 * Byte counts as people write them on the command line: {@code 100000},
 * {@code 64K}, {@code 64KiB}, {@code 1GiB}. Units are binary (K = 1024), as
 * in the stand-in's object names.
 */
final class ByteSize {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSize() {
    }

    /**
     * Parses a non-negative byte count with an optional unit B, K/KiB, M/MiB, G/GiB or T/TiB.
     *
     * @throws IllegalArgumentException naming the text, when it is not such a count or overflows
     */
    static long parse(String text) {
        String s = text == null ? "" : text.strip();
        int digits = 0;
        while (digits < s.length() && Character.isDigit(s.charAt(digits)) && s.charAt(digits) < 128) {
            digits++;
        }
        if (digits == 0) {
            throw new IllegalArgumentException("not a size: '" + text + "' (examples: 4096, 64KiB, 1GiB)");
        }
        int shift = switch (s.substring(digits).toUpperCase(Locale.ROOT)) {
            case "", "B" -> 0;
            case "K", "KIB" -> 10;
            case "M", "MIB" -> 20;
            case "G", "GIB" -> 30;
            case "T", "TIB" -> 40;
            default -> throw new IllegalArgumentException("unknown unit in size '" + text
                    + "' (use B, K or KiB, M or MiB, G or GiB, T or TiB)");
        };
        long value;
        try {
            value = Long.parseLong(s, 0, digits, 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        if (value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return value << shift;
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
