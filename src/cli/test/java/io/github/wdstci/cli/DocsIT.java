package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The bash completion script and the man pages the build generates beside the jar with picocli's tools. */
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
                + "_complete_wdsget; echo \"${COMPREPLY[*]}\"");
        assertThat(words).isNotNull();
        assertThat(words.lines().toList()).containsExactly("demo doctor", "--if-exists");
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
}
