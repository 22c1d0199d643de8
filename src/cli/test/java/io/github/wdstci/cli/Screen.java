package io.github.wdstci.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A terminal screen, enough to see what a bar leaves behind: printable characters wrap at the
 * width; carriage return, newline, and the sequences ESC[nA (up), ESC[K (erase to the end of the
 * row) and ESC[J (erase to the end of the screen). {@link #reflow} resizes it as tmux, VTE and
 * kitty do: rows that wrapped are joined into their line again and split at the new width.
 */
final class Screen {

    private final int width;
    private final List<StringBuilder> rows = new ArrayList<>();
    private final List<Boolean> wrapped = new ArrayList<>();     // row i continues on row i + 1
    private int row;
    private int col;

    Screen(int width) {
        this.width = width;
        newRow();
    }

    private void newRow() {
        rows.add(new StringBuilder());
        wrapped.add(false);
    }

    private StringBuilder current() {
        while (rows.size() <= row) {
            newRow();
        }
        return rows.get(row);
    }

    /** What the program wrote. */
    Screen write(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u001b' && i + 1 < s.length() && s.charAt(i + 1) == '[') {
                int j = i + 2;
                while (Character.isDigit(s.charAt(j))) {
                    j++;
                }
                int n = j == i + 2 ? 1 : Integer.parseInt(s.substring(i + 2, j));
                switch (s.charAt(j)) {
                    case 'A' -> row = Math.max(0, row - n);
                    case 'K' -> current().setLength(Math.min(col, current().length()));
                    case 'J' -> {
                        current().setLength(Math.min(col, current().length()));
                        wrapped.set(row, false);
                        while (rows.size() > row + 1) {
                            rows.removeLast();
                            wrapped.removeLast();
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown sequence ESC[" + s.charAt(j));
                }
                i = j;
            } else if (c == '\r') {
                col = 0;
            } else if (c == '\n') {
                row++;
                col = 0;
                current();
            } else {
                if (col == width) {
                    wrapped.set(row, true);
                    row++;
                    col = 0;
                }
                StringBuilder r = current();
                while (r.length() < col) {
                    r.append(' ');
                }
                if (col < r.length()) {
                    r.setCharAt(col, c);
                } else {
                    r.append(c);
                }
                col++;
            }
        }
        return this;
    }

    /** This screen resized to {@code newWidth}: its lines rewrapped, the cursor at the same place in its line. */
    Screen reflow(int newWidth) {
        List<String> lines = new ArrayList<>();
        int cursorLine = 0;
        int cursorOffset = 0;
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            if (i == row) {
                cursorLine = lines.size();
                cursorOffset = line.length() + col;
            }
            StringBuilder r = rows.get(i);
            line.append(r);
            if (wrapped.get(i)) {
                while (line.length() % width != 0) {
                    line.append(' ');
                }
            } else {
                lines.add(line.toString());
                line = new StringBuilder();
            }
        }
        Screen s = new Screen(newWidth);
        for (int i = 0; i <= cursorLine; i++) {
            String l = lines.get(i);
            if (i < cursorLine) {
                s.write(l.stripTrailing() + "\n");
            } else {
                s.write((l + " ".repeat(Math.max(0, cursorOffset - l.length()))).substring(0, cursorOffset));
            }
        }
        return s;
    }

    /** The rows that are not blank, trailing blanks removed. */
    List<String> text() {
        return rows.stream().map(r -> r.toString().stripTrailing()).filter(r -> !r.isEmpty()).toList();
    }
}
