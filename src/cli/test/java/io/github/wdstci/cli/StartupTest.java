package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * What wdsget does to start leaner: the help texts rendered at build time are picocli's,
 * the shortcuts print what picocli prints for the same command line, and a command line
 * that names its command builds that command alone.
 */
class StartupTest {

    static List<String> commands() {
        return HelpText.commands();
    }

    /** The build's help texts are what picocli renders now, plain and styled: they cannot go stale. */
    @ParameterizedTest
    @MethodSource("commands")
    void thePrerenderedHelpIsPicocliS(String command) {
        for (boolean ansi : new boolean[] {false, true}) {
            String prerendered = HelpText.prerendered(command, ansi);
            assertThat(prerendered).as("%s (ansi %s): the build renders it (mvn process-classes)", command, ansi)
                    .isNotNull();
            assertThat(prerendered).as("%s, ansi %s", command, ansi).isEqualTo(HelpText.render(command, ansi));
        }
        assertThat(HelpText.prerendered(command, true)).as("styled").contains("\u001b[");
        assertThat(HelpText.prerendered(command, false)).as("plain").doesNotContain("\u001b");
    }

    /** Each way of asking for help prints, through the shortcut, what picocli prints for it. */
    @ParameterizedTest
    @MethodSource("commands")
    void eachHelpCommandLinePrintsWhatPicocliPrints(String command) {
        List<List<String>> lines = command.isEmpty()
                ? List.of(List.of("--help"), List.of("-h"), List.of("help"))
                : List.of(List.of("help", command), List.of(command, "--help"), List.of(command, "-h"));
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            assertThat(Shortcuts.helpTopic(args)).as(String.join(" ", line)).isEqualTo(command);
            CliRun picocli = CliRun.inProcess(args);          // the whole model, as without the shortcut
            assertThat(picocli.exitCode()).isZero();
            assertThat(Shortcuts.answer(args)).as(String.join(" ", line)).isEqualTo(picocli.out());
        }
    }

    @Test
    void theVersionShortcutPrintsWhatPicocliPrints() {
        String picocli = CliRun.inProcess("--version").out();
        for (List<String> line : List.of(List.of("-V"), List.of("--version"), List.of("get", "-V"),
                List.of("help", "--version"))) {
            assertThat(Shortcuts.answer(line.toArray(String[]::new))).as(String.join(" ", line)).isEqualTo(picocli);
        }
    }

    @Test
    void anythingElseGoesToPicocli() {
        for (List<String> line : List.<List<String>>of(List.of(), List.of("get"), List.of("help", "nosuch"),
                List.of("-hV"), List.of("get", "--help", "x"), List.of("get", "-s", "x", "--help"), List.of("@args"),
                List.of("nosuch", "--help"))) {
            assertThat(Shortcuts.answer(line.toArray(String[]::new))).as(String.join(" ", line)).isNull();
        }
    }

    @Test
    void theShortcutsKnowEveryCommand() {
        assertThat(Shortcuts.COMMANDS).containsExactlyInAnyOrderElementsOf(Subcommands.ALL.keySet());
    }

    /** A command line that names its command builds that command alone; anything else builds every one. */
    @Test
    void onlyTheInvokedCommandIsBuilt() {
        assertThat(Subcommands.needed(new String[] {"get", "-s", "x", "help"})).isEqualTo("get");
        assertThat(Subcommands.needed(new String[] {"-V", "demo"})).isEqualTo("demo");
        for (String[] all : new String[][] {{}, {"help", "get"}, {"generate-completion"}, {"@args"}, {"gte"},
                {"--", "get"}}) {
            assertThat(Subcommands.needed(all)).as(String.join(" ", all)).isNull();
        }
        assertThat(WdsGet.model(null, "get").getSubcommands()).containsOnlyKeys("get");
        assertThat(WdsGet.model(null, null).getSubcommands())
                .containsOnlyKeys("get", "demo", "doctor", "help", "generate-completion");
        assertThat(WdsGet.model(null, null).getSubcommands().get("help").getCommandSpec().findOption("-V"))
                .as("help has -V too").isNotNull();
    }

    /** A mistyped command still gets picocli's suggestion, which needs every command's name. */
    @Test
    void aMistypedCommandIsStillSuggested() {
        CliRun r = CliRun.inProcess("gte", "-s", "x");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("get");
    }
}
