package io.github.wdstci.cli;

import static io.github.wdstci.cli.WdsGetTest.sha256;
import static io.github.wdstci.cli.WdsGetTest.syntheticSha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** get -i FILE: objects listed one per line, each with an output of its own or not. */
class InputFileTest {

    @TempDir
    Path dir;

    @Test
    void theListedObjectsAreReceivedEachIntoItsOutput() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), "# boot images\n1MiB?seed=1\n\n"
                + "2MiB?seed=2\tsecond.bin\r\n  3MiB?seed=3 \t sub/third.bin\n");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "-i", list.toString(), "64KiB",
                "-o", dir.resolve("out") + "/", "--create-dirs");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path out = dir.resolve("out");
        assertThat(sha256(Files.readAllBytes(out.resolve("64KiB")))).isEqualTo(syntheticSha256(64 << 10, 0));
        assertThat(sha256(Files.readAllBytes(out.resolve("1MiB")))).isEqualTo(syntheticSha256(1 << 20, 1));
        assertThat(sha256(Files.readAllBytes(out.resolve("second.bin")))).isEqualTo(syntheticSha256(2 << 20, 2));
        assertThat(sha256(Files.readAllBytes(out.resolve("sub/third.bin")))).isEqualTo(syntheticSha256(3 << 20, 3));
        assertThat(r.record("summary")).containsEntry("objects", "4").containsEntry("received", "4");
    }

    /** Names with blanks need no quoting: the tab separates (objects served from files by the stand-in). */
    @Test
    void namesWithBlanksFromStandardInput() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("images"));
        Files.writeString(root.resolve("images/Windows 11 Pro.wim"), "the image");
        CliRun r = CliRun.inProcess(CliRun.Setup.PLAIN.stdin("Windows 11 Pro.wim\tmy copy.wim\n"), "get",
                "-s", root.toString(), "-n", "images", "-i", "-", "-o", dir + "/");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(dir.resolve("my copy.wim"))).isEqualTo("the image");
        assertThat(r.record("done")).containsEntry("object", "Windows 11 Pro.wim");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "two tabs | 1MiB\\ta\\tb | list.txt:1: more than one tab",
            "no object | \\tout.bin | list.txt:1: no object before the tab",
            "no output | 1MiB\\t | list.txt:1: no output after the tab",
            "standard output | 1MiB\\t- | list.txt:1: an object of a list cannot go to standard output",
            "empty | # nothing\\n | missing OBJECT: give at least one (-i"})
    void aListThatCannotBeUnderstoodIsAUsageError(String name, String text, String expected) throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), text.replace("\\t", "\t").replace("\\n", "\n"));
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "-i", list.toString(), "-o", dir + "/");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.errors()).singleElement().asString().contains(expected).doesNotContain("Exception");
        assertThat(dir.toFile().list()).containsExactly("list.txt");
    }

    @Test
    void aListThatCannotBeReadIsAUsageError() {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "-i", dir.resolve("none.txt").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errors()).singleElement().asString().contains("cannot read the object list -i " + dir.resolve("none.txt"))
                .contains("no such file");
    }

    /** Two lines that name one output: the whole list is refused, as for objects given twice. */
    @Test
    void twoObjectsIntoOneOutputAreRefused() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), "1MiB\tsame.bin\n2MiB\tsame.bin\n");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "-i", list.toString(), "-o", dir + "/");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("another object of this call is written to");
        assertThat(dir.toFile().list()).containsExactly("list.txt");
    }
}
