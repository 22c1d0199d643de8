package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server and namespace get takes from WDSGET_SERVER and WDSGET_NAMESPACE, and from the config
 * file at the XDG location, when the command line gives none: options first, then the
 * environment, then the file; a file that cannot be understood is a usage error.
 */
class DefaultsTest {

    @TempDir
    Path dir;

    Path home() {
        return dir.resolve("home");
    }

    /** Writes the config file under {@code $HOME/.config}; the environment to find it. */
    Map<String, String> config(String text) throws Exception {
        Path file = home().resolve(".config/wdsget/config");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return new HashMap<>(Map.of("HOME", home().toString()));
    }

    CliRun get(Map<String, String> env, String... more) {
        String[] args = new String[more.length + 4];
        args[0] = "get";
        args[1] = "64KiB";
        args[2] = "-o";
        args[3] = dir.resolve("out-" + System.nanoTime() + ".bin").toString();
        System.arraycopy(more, 0, args, 4, more.length);
        return CliRun.inProcess(CliRun.Setup.PLAIN.env(env), args);
    }

    @Test
    void theEnvironmentGivesTheServerAndTheNamespace() {
        CliRun r = get(Map.of("WDSGET_SERVER", "wds-env", "WDSGET_NAMESPACE", "synthetic"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.record("request")).containsEntry("server", "wds-env").containsEntry("namespace", "synthetic");
    }

    @Test
    void theConfigFileGivesThemAtItsXdgLocation() throws Exception {
        Map<String, String> env = config("# wdsget's defaults\n\nserver = wds-file\r\n  namespace=synthetic  \n");
        CliRun home = get(env);
        assertThat(home.exitCode()).as(home.err()).isZero();
        assertThat(home.record("request")).containsEntry("server", "wds-file").containsEntry("namespace", "synthetic");

        Path xdg = dir.resolve("xdg");
        Files.createDirectories(xdg.resolve("wdsget"));
        Files.writeString(xdg.resolve("wdsget/config"), "server = wds-xdg\nnamespace = synthetic\n");
        env.put("XDG_CONFIG_HOME", xdg.toString());
        CliRun r = get(env);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.record("request")).containsEntry("server", "wds-xdg");

        env.put("XDG_CONFIG_HOME", "relative/dir");         // ignored, as the specification says
        assertThat(get(env).record("request")).containsEntry("server", "wds-file");
    }

    /** Options win over the environment, the environment over the file; an empty variable is unset. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"option, wds-option", "environment, wds-env", "file, wds-file", "empty variable, wds-file"})
    void optionsWinOverTheEnvironmentWhichWinsOverTheFile(String given, String expected) throws Exception {
        Map<String, String> env = config("server = wds-file\nnamespace = synthetic\n");
        if (!given.equals("file")) {
            env.put("WDSGET_SERVER", given.equals("empty variable") ? "" : "wds-env");
        }
        CliRun r = given.equals("option") ? get(env, "-s", "wds-option") : get(env);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.record("request")).containsEntry("server", expected).containsEntry("namespace", "synthetic");
    }

    @Test
    void withoutAnyTheServerIsMissingAndWhereToGiveItIsSaid() {
        CliRun r = get(Map.of("HOME", home().toString(), "WDSGET_NAMESPACE", "synthetic"));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errors()).singleElement().asString().isEqualTo("wdsget: missing --server (or WDSGET_SERVER, or"
                + " 'server = ...' in " + home().resolve(".config/wdsget/config") + ")");
        CliRun ns = get(Map.of("WDSGET_SERVER", "wds01"));
        assertThat(ns.exitCode()).isEqualTo(2);
        assertThat(ns.err()).contains("missing --namespace (or WDSGET_NAMESPACE, or 'namespace = ...' in");
    }

    /** A config file that cannot be understood is a usage error naming it and the line, even when not needed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown setting | server = a\\nsrever = b | :2: unknown setting 'srever' (known: server, namespace)",
            "no equals sign | server wds01 | :1: expected 'name = value', found 'server wds01'",
            "empty value | namespace = | :1: 'namespace' has no value",
            "set twice | server = a\\nserver = b | :2: 'server' is set a second time"})
    void aBadConfigFileIsAUsageError(String name, String text, String expected) throws Exception {
        Map<String, String> env = config(text.replace("\\n", "\n"));
        for (CliRun r : new CliRun[] {get(env), get(env, "-s", "wds01", "-n", "synthetic")}) {
            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.errors()).singleElement().asString().startsWith("wdsget: bad config file "
                    + home().resolve(".config/wdsget/config") + expected).doesNotContain("Exception");
        }
        assertThat(dir.toFile().list()).containsExactly("home");
    }

    @Test
    void aConfigFileThatIsNotUtf8IsAUsageError() throws Exception {
        Map<String, String> env = config("");
        Files.write(home().resolve(".config/wdsget/config"), "server = \u00e9".getBytes(StandardCharsets.ISO_8859_1));
        CliRun r = get(env, "-s", "wds01", "-n", "synthetic");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("bad config file").contains("it is not UTF-8 text");
    }

    @Test
    void doctorSaysWhereTheDefaultsComeFromAndChecksThem() throws Exception {
        Map<String, String> env = config("namespace = synthetic\n");
        env.put("WDSGET_SERVER", "wds01");
        CliRun r = CliRun.inProcess(CliRun.Setup.PLAIN.env(env), "doctor");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("defaults: server wds01 (from WDSGET_SERVER), namespace synthetic (from "
                + home().resolve(".config/wdsget/config") + ")").contains("server wds01: answers")
                .contains("namespace synthetic: found");

        CliRun none = CliRun.inProcess("doctor");
        assertThat(none.out()).contains("defaults: none (WDSGET_SERVER, WDSGET_NAMESPACE)")
                .contains("server: not checked");
    }
}
