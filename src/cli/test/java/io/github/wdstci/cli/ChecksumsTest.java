package io.github.wdstci.cli;

import static io.github.wdstci.cli.WdsGetTest.syntheticSha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --sha256-file and --check: lists of digests in sha256sum's format, written and read. */
class ChecksumsTest {

    @TempDir
    Path dir;

    CliRun get(String... more) {
        String[] args = new String[more.length + 5];
        System.arraycopy(new String[] {"get", "-s", "wds01", "-n", "synthetic"}, 0, args, 0, 5);
        System.arraycopy(more, 0, args, 5, more.length);
        return CliRun.inProcess(args);
    }

    @Test
    void theListWrittenIsOneThatSha256sumChecks() throws Exception {
        Path out = dir.resolve("images");
        Path sums = dir.resolve("SHA256SUMS");
        CliRun r = get("1MiB?seed=1", "2MiB?seed=2", "no-such-object", "-o", out + "/", "--create-dirs",
                "--sha256-file", sums.toString());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(Files.readString(sums)).isEqualTo(syntheticSha256(1 << 20, 1) + "  " + out.resolve("1MiB") + "\n"
                + syntheticSha256(2 << 20, 2) + "  " + out.resolve("2MiB") + "\n");
        assertThat(Nodes.run("sha256sum", "--check", "--strict", sums.toString())).as("sha256sum -c").isNotNull();
        assertThat(r.out()).as("not printed without --sha256").isEmpty();
    }

    /** A name with a backslash is escaped as sha256sum escapes it, and read back by both. */
    @Test
    void namesWithABackslashAreEscaped() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), "64KiB\tback\\slash.bin\n");
        Path sums = dir.resolve("sums");
        CliRun r = get("-i", list.toString(), "-o", dir + "/", "--sha256-file", sums.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(sums)).isEqualTo("\\" + syntheticSha256(64 << 10, 0) + "  "
                + (dir + "/back\\slash.bin").replace("\\", "\\\\") + "\n");
        assertThat(Nodes.run("sha256sum", "--check", "--strict", sums.toString())).isNotNull();

        Files.delete(dir.resolve("back\\slash.bin"));
        CliRun check = get("-i", list.toString(), "-o", dir + "/", "--check", sums.toString());
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.record("done")).containsEntry("verified", "sha256");
    }

    /** Objects checked against a list written elsewhere: by their file name, in sha256sum's text and BSD forms. */
    @Test
    void objectsAreCheckedAgainstAListByTheirNames() throws Exception {
        Path sums = Files.writeString(dir.resolve("SHA256SUMS"), "# published with the images\n"
                + syntheticSha256(1 << 20, 1).toUpperCase() + " *1MiB\n"
                + "SHA256 (elsewhere/2MiB) = " + syntheticSha256(2 << 20, 2) + "\n");
        CliRun r = get("1MiB?seed=1", "2MiB?seed=2", "-o", dir.resolve("out") + "/", "--create-dirs", "--check",
                sums.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.records().stream().filter(m -> m.get("kind").equals("done")))
                .hasSize(2).allSatisfy(m -> assertThat(m).containsEntry("verified", "sha256"));
    }

    /** A mismatch keeps no file (exit 7); the objects that match stay. */
    @Test
    void aMismatchKeepsNoFile() throws Exception {
        Path out = dir.resolve("out");
        Path sums = Files.writeString(dir.resolve("sums"), syntheticSha256(1 << 20, 1) + "  " + out.resolve("1MiB") + "\n"
                + "0".repeat(64) + "  " + out.resolve("2MiB") + "\n");
        CliRun r = get("1MiB?seed=1", "2MiB?seed=2", "-o", out + "/", "--create-dirs", "--check", sums.toString());
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.errors()).singleElement().asString().startsWith("wdsget: 2MiB?seed=2: verification failed: SHA-256 is "
                + syntheticSha256(2 << 20, 2));
        assertThat(out.toFile().list()).containsExactly("1MiB");
    }

    @Test
    void anObjectTheListDoesNotHaveIsRefusedBeforeAnythingIsReceived() throws Exception {
        Path sums = Files.writeString(dir.resolve("sums"), syntheticSha256(1 << 20, 1) + "  1MiB\n");
        CliRun r = get("1MiB?seed=1", "2MiB", "-o", dir.resolve("out") + "/", "--create-dirs", "--check", sums.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errors()).singleElement().asString().isEqualTo("wdsget: 2MiB: --check " + sums
                + " has no SHA-256 for " + dir.resolve("out") + "/2MiB");
        assertThat(dir.toFile().list()).containsExactly("sums");
    }

    @Test
    void aListThatIsNotOneIsAUsageError() throws Exception {
        Path sums = Files.writeString(dir.resolve("sums"), syntheticSha256(1 << 20, 1) + "  1MiB\nnot a digest\n");
        CliRun r = get("1MiB", "-o", dir.resolve("x").toString(), "--check", sums.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errors()).singleElement().asString().contains("--check " + sums + ":2: not a SHA-256 line");
        CliRun both = get("1MiB", "-o", dir.resolve("x").toString(), "--check", sums.toString(), "--sha256=" + "0".repeat(64));
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--check and --sha256=HEX");
        assertThat(dir.toFile().list()).containsExactly("sums");
    }

    /** An existing list follows --if-exists: kept (exit 8, nothing received) unless overwrite. */
    @Test
    void anExistingListFollowsIfExists() throws Exception {
        Path sums = Files.writeString(dir.resolve("sums"), "old\n");
        CliRun r = get("64KiB", "-o", dir.resolve("x.bin").toString(), "--sha256-file", sums.toString());
        assertThat(r.exitCode()).isEqualTo(8);
        assertThat(dir.toFile().list()).containsExactly("sums");
        CliRun over = get("64KiB", "-o", dir.resolve("x.bin").toString(), "--sha256-file", sums.toString(),
                "--if-exists", "overwrite");
        assertThat(over.exitCode()).as(over.err()).isZero();
        assertThat(Files.readAllLines(sums)).isEqualTo(List.of(syntheticSha256(64 << 10, 0) + "  " + dir.resolve("x.bin")));
    }

    @Test
    void theListToStandardOutput() throws Exception {
        CliRun r = get("64KiB", "128KiB", "-o", dir + "/", "--sha256-file", "-");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(syntheticSha256(64 << 10, 0) + "  " + dir + "/64KiB\n"
                + syntheticSha256(128 << 10, 0) + "  " + dir + "/128KiB\n");
    }
}
