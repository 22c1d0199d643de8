package io.github.wdstci.cli;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The entry point of {@code wdsget.jar} ({@code java -jar}): compiled for Java 8
 * (its own source directory and compiler run, see the POM), so that a Java too
 * old for wdsget still runs it and hears why, in one line, instead of the
 * JVM's {@code UnsupportedClassVersionError} about {@code WdsGet}'s class file
 * version. On Java 22 or newer it runs {@code WdsGet.main}, which it names
 * only as a string: loading it is what an older Java cannot do.
 */
public final class Main {

    /** The oldest Java that runs wdsget: the FFM API is final in 22. */
    static final int MINIMUM = 22;

    private Main() {
    }

    public static void main(String[] args) throws Throwable {
        if (feature(System.getProperty("java.specification.version")) < MINIMUM) {
            System.err.println("wdsget: needs Java " + MINIMUM + " or newer, but runs on Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.home")
                    + "); run the jar with the java of a JDK " + MINIMUM + "+, or use ./wdsget, which finds one");
            System.exit(1);
        }
        MethodHandle main = MethodHandles.publicLookup().findStatic(Class.forName("io.github.wdstci.cli.WdsGet"),
                "main", MethodType.methodType(void.class, String[].class));
        main.invokeExact(args);
    }

    /** The feature version in java.specification.version: 8 for "1.8", 17 for "17"; 0 when unreadable. */
    static int feature(String spec) {
        if (spec == null) {
            return 0;
        }
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        try {
            return Integer.parseInt(s.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
