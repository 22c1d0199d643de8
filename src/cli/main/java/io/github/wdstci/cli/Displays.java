package io.github.wdstci.cli;

import java.io.PrintStream;
import java.util.function.IntSupplier;

/** The {@link Display} for a run, by {@code --progress} and where standard error goes. */
final class Displays {

    private Displays() {
    }

    /** The display shown for {@code mode}: the bar only where standard error is a terminal. */
    static Display.Mode effective(Display.Mode mode, boolean errTerminal) {
        return switch (mode) {
            case AUTO, BAR -> errTerminal ? Display.Mode.BAR : Display.Mode.LINES;
            default -> mode;
        };
    }

    /**
     * The display for this mode (see {@link #effective}).
     *
     * @param err         standard error, where the bar, records and messages go
     * @param errTerminal whether it is a terminal
     * @param hashes      where the quiet display prints the hash: standard output, unless an
     *                    object goes there
     * @param width       the terminal's width in columns, asked at every redraw
     */
    static Display create(Display.Mode mode, boolean errTerminal, PrintStream err, PrintStream hashes,
                          IntSupplier width) {
        Display d = switch (effective(mode, errTerminal)) {
            case BAR -> new BarDisplay(err, err, width);
            case LINES -> new LinesDisplay(err, err);
            default -> new QuietDisplay(hashes, err);
        };
        d.errTerminal = errTerminal;
        return d;
    }
}
