package io.github.wdstci.cli;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import picocli.CommandLine;

/**
 * An enum option's values in lower case, as the docs write them and as the parser takes them
 * (case-insensitively): picocli's help, man pages and completion script would list the enum's
 * constants ({@code FAIL, OVERWRITE, SKIP}), and so would its error for a value it does not
 * know. One subclass per enum, named as the option's {@code completionCandidates} and
 * {@code converter}.
 */
abstract class LowerCase<E extends Enum<E>> implements Iterable<String>, CommandLine.ITypeConverter<E> {

    private final Class<E> type;

    LowerCase(Class<E> type) {
        this.type = type;
    }

    @Override
    public Iterator<String> iterator() {
        return Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).iterator();
    }

    @Override
    public E convert(String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.strip())) {
                return e;
            }
        }
        throw new CommandLine.TypeConversionException("expected one of "
                + StreamSupport.stream(spliterator(), false).collect(Collectors.joining(", ")) + " but was '" + value + "'");
    }

    /** {@code --if-exists}. */
    static final class IfExists extends LowerCase<Output.IfExists> {
        IfExists() {
            super(Output.IfExists.class);
        }
    }

    /** {@code --progress}. */
    static final class Progress extends LowerCase<Display.Mode> {
        Progress() {
            super(Display.Mode.class);
        }
    }

    /** The demo's {@code --order}. */
    static final class Order extends LowerCase<DemoCommand.Order> {
        Order() {
            super(DemoCommand.Order.class);
        }
    }
}
