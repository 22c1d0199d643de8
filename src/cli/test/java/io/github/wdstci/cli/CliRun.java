package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one wdsget run printed and returned, in-process or as a process, with
 * the parser for its {@code key=value} lines.
 */
record CliRun(int exitCode, String out, String err) {

    /** One output line: {@code <kind> key=value key="quoted value" ...}. */
    private static final Pattern LINE = Pattern.compile("([a-z]+)((?: [a-z_0-9]+=(?:\"(?:[^\"\\\\]|\\\\.)*\"|\\S+))*)");
    private static final Pattern FIELD = Pattern.compile(" ([a-z_0-9]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");

    /**
     * What an in-process run gets besides its arguments: whether standard output and error are
     * terminals (80 columns), its environment (empty unless given: no WDSGET_* variable, no home
     * with a config file, whatever the machine running the tests has), and standard input.
     */
    record Setup(boolean outTerminal, boolean errTerminal, Map<String, String> env, byte[] stdin) {
        static final Setup PLAIN = new Setup(false, false, Map.of(), new byte[0]);

        Setup terminals(boolean out, boolean err) {
            return new Setup(out, err, env, stdin);
        }

        Setup env(Map<String, String> variables) {
            return new Setup(outTerminal, errTerminal, variables, stdin);
        }

        Setup stdin(String text) {
            return new Setup(outTerminal, errTerminal, env, text.getBytes(StandardCharsets.UTF_8));
        }

        WdsGet.Context context(PrintStream o, PrintStream e, WritableByteChannel data) {
            return new WdsGet.Context(o, e, () -> outTerminal, () -> errTerminal, () -> 80, () -> 80, () -> data,
                    () -> false, env::get, new java.io.ByteArrayInputStream(stdin));
        }
    }

    /** Runs wdsget in this JVM with standard output not a terminal. */
    static CliRun inProcess(String... args) {
        return inProcess(Setup.PLAIN, args);
    }

    /** Runs wdsget in this JVM; {@code terminal}: standard output and error count as an 80-column terminal. */
    static CliRun inProcess(boolean terminal, String... args) {
        return inProcess(Setup.PLAIN.terminals(terminal, terminal), args);
    }

    /** Runs wdsget in this JVM, with standard output and error each a terminal (80 columns) or not. */
    static CliRun inProcess(boolean outTerminal, boolean errTerminal, String... args) {
        return inProcess(Setup.PLAIN.terminals(outTerminal, errTerminal), args);
    }

    /** Runs wdsget in this JVM as {@code setup} says. */
    static CliRun inProcess(Setup setup, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = WdsGet.execute(args, setup.context(o, e, Channels.newChannel(o)));
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A run of wdsget in this JVM on a thread of its own (standard output not a terminal), whose
     * standard error can be read while it runs.
     */
    record Live(CompletableFuture<CliRun> result, ByteArrayOutputStream err) {

        /** Waits (bounded) until standard error contains {@code text}; fails if the run ends first. */
        void awaitErr(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!err.toString(StandardCharsets.UTF_8).contains(text)) {
                assertThat(result).as("wdsget ended before it said '%s': %s", text, result.getNow(null)).isNotDone();
                assertThat(System.nanoTime() - deadline).as("waiting for '%s'", text).isNegative();
                Thread.sleep(10);
            }
        }

        /** The run's result (bounded wait). */
        CliRun get() throws Exception {
            return result.get(60, TimeUnit.SECONDS);
        }
    }

    /** Starts wdsget in this JVM (see {@link Live}). */
    static Live start(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<CliRun> result = CompletableFuture.supplyAsync(() -> {
            int code;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                code = WdsGet.execute(args, Setup.PLAIN.context(o, e, Channels.newChannel(o)));
            }
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        });
        return new Live(result, err);
    }

    /** Runs wdsget in this JVM, its standard output binary (for {@code -o -}): the bytes written there. */
    static byte[] inProcessBytes(List<String> args, ByteArrayOutputStream err, int[] exit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit[0] = WdsGet.execute(args.toArray(String[]::new), Setup.PLAIN.context(o, e, Channels.newChannel(out)));
        }
        return out.toByteArray();
    }

    /**
     * The records ({@code kind key=value...} lines) on standard error, where the lines display
     * writes them among the messages ({@code wdsget: ...}); each checked to be one.
     */
    List<Map<String, String>> records() {
        return errLines().filter(l -> !l.startsWith("wdsget: ")).map(CliRun::parse).toList();
    }

    /** Every message on standard error ({@code wdsget: ...}): errors, warnings and notes. */
    List<String> messages() {
        return errLines().filter(l -> l.startsWith("wdsget: ")).toList();
    }

    /** The fields of the one line of this kind. */
    Map<String, String> record(String kind) {
        List<Map<String, String>> r = records().stream().filter(m -> kind.equals(m.get("kind"))).toList();
        assertThat(r).as("'%s' lines in:%n%s", kind, out).hasSize(1);
        return r.get(0);
    }

    static Map<String, String> parse(String line) {
        Matcher m = LINE.matcher(line);
        assertThat(m.matches()).as("a key=value line: '%s'", line).isTrue();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("kind", m.group(1));
        Matcher f = FIELD.matcher(m.group(2));
        while (f.find()) {
            String v = f.group(2);
            if (v.startsWith("\"")) {
                v = unescape(v.substring(1, v.length() - 1));
            }
            fields.put(f.group(1), v);
        }
        return fields;
    }

    /**
     * A quoted value's text: a backslash escapes a quote or a backslash, {@code \a \b \t \n \v \f \r \e}
     * are control characters, {@code \xNN} one of two hex digits, a backslash, u and four hex digits one of four.
     */
    static String unescape(String q) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = q.charAt(++i);
            switch (e) {
                case 'a' -> b.append((char) 7);
                case 'b' -> b.append('\b');
                case 't' -> b.append('\t');
                case 'n' -> b.append('\n');
                case 'v' -> b.append((char) 11);
                case 'f' -> b.append('\f');
                case 'r' -> b.append('\r');
                case 'e' -> b.append((char) 27);
                case 'x' -> {
                    b.append((char) Integer.parseInt(q.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    b.append((char) Integer.parseInt(q.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
        return b.toString();
    }

    /**
     * Control characters (C0 but newline and carriage return, DEL, C1) in {@code s}, as code points;
     * the escape sequences the bar itself writes (ESC[K, ESC[J, ESC[nA) left out.
     */
    static List<Integer> rawControls(String s) {
        return s.replaceAll("\u001b\\[(K|J|\\d+A)", "").chars().filter(c -> c != '\n' && c != '\r' && (c < 0x20 || (c >= 0x7f && c <= 0x9f))).boxed()
                .toList();
    }

    /** The messages on standard error but notes ({@code wdsget: note: ...}, e.g. the stand-in's). */
    List<String> errors() {
        return messages().stream().filter(l -> !l.startsWith("wdsget: note: ")).toList();
    }

    /**
     * Standard error's lines as a terminal leaves them: of a line redrawn in place (the bar, then
     * what erased it) only what follows its last carriage return, without the escape sequences
     * that moved the cursor or erased; blank lines left out.
     */
    private java.util.stream.Stream<String> errLines() {
        // split at \n only: String.lines() would also split at each \r
        return java.util.regex.Pattern.compile("\n").splitAsStream(err)
                .map(l -> l.substring(l.lastIndexOf('\r') + 1).replaceAll("\u001b\\[[0-9;]*[A-Za-z]", ""))
                .filter(l -> !l.isBlank());
    }

    /** Asserts the error output is the one line of a classified failure with this Win32 name. */
    void assertOneLineError(int expectedExit, String fragment, String win32Name) {
        assertThat(exitCode).as("exit code; stderr: %s", err).isEqualTo(expectedExit);
        assertThat(errors()).as("stderr").hasSize(1);
        assertThat(errors().get(0)).startsWith("wdsget: ").contains(fragment).contains("(" + win32Name + ", ")
                .doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("WdsTransportClient");
        assertThat(errLines().filter(l -> l.startsWith("wdsget: note: "))).as("notes").hasSizeLessThanOrEqualTo(1);
    }
}
