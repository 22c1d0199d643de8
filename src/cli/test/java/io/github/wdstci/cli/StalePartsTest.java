package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary files of killed runs: recognised by the PID in their name, removed when that process is gone
 * (by the library's file sink, whose own tests check the names).
 */
class StalePartsTest {

    @TempDir
    Path dir;

    /** The PID of a process that has ended. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long pid = p.pid();
        assertThat(ProcessHandle.of(pid)).as("ended").isEmpty();
        return pid;
    }

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aDeadProcessesPartIsRemovedAndSaidUnderVerbose() throws Exception {
        long dead = deadPid();
        long alive = ProcessHandle.current().pid();
        Path stale = Files.writeString(dir.resolve(".image.bin.wdsget-" + dead + ".part"), "old");
        Path staleOld = Files.writeString(dir.resolve(".image.bin.wdsget-" + dead), "old");
        Path live = Files.writeString(dir.resolve(".other.bin.wdsget-" + alive + ".part"), "busy");
        Path unrelated = Files.writeString(dir.resolve(".notes.part"), "mine");

        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o",
                dir.resolve("new.bin").toString(), "-v");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(stale).doesNotExist();
        assertThat(staleOld).doesNotExist();
        assertThat(live).as("its process runs").exists();
        assertThat(unrelated).exists();
        assertThat(r.err()).contains("wdsget: removed " + stale + ", a partial file left by process " + dead
                + ", which no longer runs");
        assertThat(files()).containsExactly(".notes.part", ".other.bin.wdsget-" + alive + ".part", "new.bin");
    }

    @Test
    void withoutVerboseTheRemovalIsSilent() throws Exception {
        long dead = deadPid();
        Path stale = Files.writeString(dir.resolve(".image.bin.wdsget-" + dead + ".part"), "old");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o",
                dir.resolve("new.bin").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(stale).doesNotExist();
        assertThat(r.errors()).isEmpty();
    }
}
