package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bash completion script and the man pages the build generates beside the jar with
 * picocli's tools, and how they, {@code wdsget help COMMAND} (the jar, as a process) and
 * docs/wdsget.md agree.
 */
class DocsIT {

    static Path completion() {
        return Path.of(System.getProperty("wdsget.completion", "target/wdsget_completion"));
    }

    static Path man() {
        return Path.of(System.getProperty("wdsget.man", "target/man/man1"));
    }

    @Test
    void theCompletionScriptCompletesCommandsAndOptions() throws Exception {
        Path script = completion();
        assertThat(script).isRegularFile();
        assertThat(Nodes.run("bash", "-n", script.toString())).as("valid bash").isNotNull();
        // compopt complains outside a real completion; its message is not a candidate
        String words = Nodes.run("bash", "-c", "exec 2>/dev/null; source '" + script + "'; "
                + "COMP_WORDS=(wdsget d); COMP_CWORD=1; COMP_LINE='wdsget d'; COMP_POINT=8; _complete_wdsget; "
                + "echo \"${COMPREPLY[*]}\"; "
                + "COMP_WORDS=(wdsget get --if-); COMP_CWORD=2; COMP_LINE='wdsget get --if-'; COMP_POINT=16; "
                + "_complete_wdsget; echo \"${COMPREPLY[*]}\"; "
                + "COMP_WORDS=(wdsget get --if-exists ''); COMP_CWORD=3; COMP_LINE='wdsget get --if-exists '; "
                + "COMP_POINT=23; _complete_wdsget; echo \"${COMPREPLY[*]}\"");
        assertThat(words).isNotNull();
        assertThat(words.lines().toList()).containsExactly("demo doctor", "--if-exists", "fail overwrite skip");
    }

    @Test
    void everyCommandHasAManPage() throws Exception {
        for (String page : new String[] {"wdsget", "wdsget-get", "wdsget-demo", "wdsget-doctor", "wdsget-help"}) {
            Path p = man().resolve(page + ".1");
            assertThat(p).isRegularFile();
            assertThat(Files.readString(p)).contains(".TH \"" + page.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-") + "\" \"1\"");
        }
        assertThat(Files.readString(man().resolve("wdsget-get.1"))).contains("timeout").contains("metadata")
                .contains("device");
        assertThat(Files.readString(man().resolve("wdsget.1"))).contains("143");
    }

    /** What {@code wdsget help COMMAND} prints, from the jar. */
    static String help(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", WdsGetIT.jar().toString(), "help"));
        cmd.addAll(List.of(command));
        String out = Nodes.run(cmd.toArray(String[]::new));
        assertThat(out).as(String.join(" ", cmd)).isNotNull();
        return out;
    }

    /** A man page as text: troff's escapes of hyphens and quotes undone, font changes dropped. */
    static String manText(String page) throws Exception {
        return Files.readString(man().resolve(page + ".1")).replace("\\-", "-").replace("\\*(Aq", "'")
                .replace("\\(cq", "'").replaceAll("\\\\f[BIRP]", "");
    }

    /** docs/wdsget.md's tables under these headings (## or ###): each first cell's options, with their values. */
    static Map<String, List<String>> docsOptions(String... headings) throws Exception {
        List<String> lines = Files.readAllLines(Repository.file("docs/wdsget.md"));
        Map<String, List<String>> options = new TreeMap<>();
        for (String heading : headings) {
            int at = lines.indexOf(heading);
            assertThat(at).as("docs/wdsget.md has the heading '%s'", heading).isNotNegative();
            int i = at + 1;
            while (i < lines.size() && !lines.get(i).startsWith("|")) {
                i++;
            }
            for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
                String cell = lines.get(i).split("(?<!\\\\)\\|")[1];
                Matcher code = Pattern.compile("`([^`]*)`").matcher(cell);
                while (code.find()) {
                    addOptions(code.group(1).replace("\\|", "|"), options);
                }
            }
        }
        return options;
    }

    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[A-Za-z0-9][\\w-]*)(?:[ =\\[]+([a-z0-9]+(?:\\|[a-z0-9]+)+))?");

    /** The options in a fragment like {@code -o, --output PATH} or {@code --if-exists fail|overwrite|skip}. */
    static void addOptions(String text, Map<String, List<String>> into) {
        Matcher m = OPTION.matcher(text);
        while (m.find()) {
            into.put(m.group(1), m.group(2) == null ? List.of() : List.of(m.group(2).split("\\|")));
        }
    }

    /**
     * The options a help text lists (its option lines, each description with its continuation
     * lines), with the values ${COMPLETION-CANDIDATES} gave them.
     */
    static Map<String, List<String>> helpOptions(String help) {
        Map<String, List<String>> options = new TreeMap<>();
        Pattern head = Pattern.compile("^(?:  (-\\w), |      )(--[\\w-]+)(?:[=\\[]\\S*)?(?: +(.*))?$");
        List<String> names = List.of();
        StringBuilder description = new StringBuilder();
        List<String> lines = new ArrayList<>(help.lines().toList());
        lines.add("");                                   // ends the last option's description
        for (String line : lines) {
            Matcher m = head.matcher(line);
            boolean continues = !m.matches() && line.startsWith("        ");
            if (continues) {
                description.append(' ').append(line.strip());
                continue;
            }
            for (String n : names) {
                options.put(n, candidates(description.toString().strip()));
            }
            names = List.of();
            description.setLength(0);
            if (m.matches()) {
                names = m.group(1) == null ? List.of(m.group(2)) : List.of(m.group(1), m.group(2));
                description.append(m.group(3) == null ? "" : m.group(3));
            }
        }
        return options;
    }

    /** "fail, overwrite, skip: ..." or "... exists: fail, overwrite, skip (default ...)": the values listed. */
    static List<String> candidates(String description) {
        Matcher m = Pattern.compile("(?:^|: )([A-Za-z]+(?:, [A-Za-z]+)+)(?=[:. (]|$)").matcher(description);
        return m.find() ? List.of(m.group(1).split(", ")) : List.of();
    }

    /** The options of one command in the completion script ({@code flag_opts} and {@code arg_opts}), with values. */
    static Map<String, List<String>> completionOptions(String command) throws Exception {
        String script = Files.readString(completion());
        int start = script.indexOf("function _picocli_wdsget_" + command + "() {");
        assertThat(start).as("a completion function for %s", command).isNotNegative();
        String body = script.substring(start, script.indexOf("\n}", start));
        Map<String, List<String>> options = new TreeMap<>();
        Matcher lists = Pattern.compile("local (?:flag|arg)_opts=\"([^\"]*)\"").matcher(body);
        while (lists.find()) {
            for (String o : lists.group(1).split(" ")) {
                if (!o.isBlank()) {
                    options.put(o.replace("'", ""), List.of());
                }
            }
        }
        // local POLICY_option_args=("fail" "overwrite" "skip") # --if-exists values
        Matcher values = Pattern.compile("local \\w+_option_args=\\(([^)]*)\\) # (--[\\w-]+) values").matcher(body);
        while (values.find()) {
            options.put(values.group(2), List.of(values.group(1).replace("\"", "").split(" ")));
        }
        return options;
    }

    /** The options of a man page's OPTIONS section, with the values its descriptions list. */
    static Map<String, List<String>> manOptions(String page) throws Exception {
        String text = manText(page);
        String section = text.substring(text.indexOf(".SH \"OPTIONS\""));
        section = section.substring(0, section.indexOf(".SH ", 4));
        StringBuilder help = new StringBuilder();
        String[] lines = section.split("\n");
        for (int i = 0; i + 2 < lines.length; i++) {
            // .sp / -s, --server=HOST / .RS 4 / description
            if (lines[i].equals(".sp") && lines[i + 1].startsWith("-") && lines[i + 2].startsWith(".RS")) {
                Matcher m = Pattern.compile("^(?:(-\\w), )?(--[\\w-]+)").matcher(lines[i + 1]);
                assertThat(m.find()).as(lines[i + 1]).isTrue();
                help.append(m.group(1) != null ? "  " + m.group(1) + ", " : "      ").append(m.group(2))
                        .append("  ").append(lines[i + 3]).append('\n');
            }
        }
        return helpOptions(help.toString());
    }

    /**
     * docs/wdsget.md, {@code wdsget help COMMAND}, the man page and the completion script list the
     * same options for each command, and the same values where an option takes one of a few.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"get", "demo", "doctor"})
    void theOptionListsAgree(String command) throws Exception {
        Map<String, List<String>> docs = switch (command) {
            case "get" -> docsOptions("## Options of get and demo", "### Options of get only");
            case "demo" -> docsOptions("## Options of get and demo", "### Options of demo only");
            default -> docsOptions("### Options of doctor");
        };
        Map<String, List<String>> help = helpOptions(help(command));
        Map<String, List<String>> man = manOptions("wdsget-" + command);
        Map<String, List<String>> completion = completionOptions(command);

        assertThat(new TreeSet<>(help.keySet())).as("help %s lists options", command).isNotEmpty()
                .isEqualTo(new TreeSet<>(docs.keySet()));
        assertThat(help).as("help %s and docs/wdsget.md", command).isEqualTo(docs);
        assertThat(man).as("the man page and help %s", command).isEqualTo(help);
        assertThat(completion).as("the completion script and help %s", command).isEqualTo(help);
    }

    /**
     * The values are written in lower case everywhere (picocli would list an enum's names), the
     * man page has the SIZE and DURATION rules and the examples help shows, the exit codes list
     * 129, and no example is broken across lines.
     */
    @Test
    void helpAndManPagesSayTheSame() throws Exception {
        String get = help("get");
        assertThat(get).contains("fail, overwrite, skip").doesNotContain("FAIL").doesNotContain("OVERWRITE")
                .doesNotContain("LINES");
        assertThat(help("demo")).contains("seq, wrap, shuffle").doesNotContain("SHUFFLE");
        String man = manText("wdsget-get").replaceAll("\\s+", " ");
        assertThat(man).contains("fail, overwrite, skip").doesNotContain("FAIL, OVERWRITE")
                .contains("SIZE is a number").contains("DURATION is a number").contains("wdsget get -s wds01");
        for (String example : get.substring(get.indexOf("Examples:")).lines().skip(1).toList()) {
            assertThat(example).as("an example on a line of its own").startsWith("  wdsget ")
                    .satisfies(l -> assertThat(l.chars().filter(c -> c == '\'').count() % 2).isZero());
        }
        assertThat(help()).contains(" 129").contains("SIGHUP");
        // --timeout keeps the objects of several that had arrived; it said "nothing kept"
        String docs = Files.readString(Repository.file("docs/wdsget.md"));
        assertThat(docs.lines().filter(l -> l.startsWith("| `--timeout DURATION`")).findFirst().orElseThrow())
                .contains("objects already received (of several) stay").doesNotContain("nothing kept");
        assertThat(get.replaceAll("\\s+", " ")).contains("objects already received stay");
        assertThat(manText("wdsget")).contains("129");
    }
}
