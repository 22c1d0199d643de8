package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Runs wdsget in this JVM with standard output not a terminal. */
    static CliRun inProcess(String... args) {
        return inProcess(false, args);
    }

    static CliRun inProcess(boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = WdsGet.execute(args, o, e, terminal);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every standard-output line, each checked to be a {@code kind key=value...} line. */
    List<Map<String, String>> records() {
        return out.lines().map(CliRun::parse).toList();
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
                v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\");
            }
            fields.put(f.group(1), v);
        }
        return fields;
    }

    /** Asserts the error output is the one line of a classified failure with this Win32 name. */
    void assertOneLineError(int expectedExit, String fragment, String win32Name) {
        assertThat(exitCode).as("exit code; stderr: %s", err).isEqualTo(expectedExit);
        assertThat(err.lines().toList()).as("stderr").hasSize(1);
        assertThat(err).startsWith("wdsget: ").contains(fragment).contains("(" + win32Name + ", ")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }
}
