package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream that keeps nothing ({@code /dev/null}, named or as standard output) gets blocks in
 * any order without putting them in order first: nothing is spooled to a temporary file.
 */
class NullSinkTest {

    @TempDir
    Path dir;

    /**
     * Shuffled blocks into /dev/null with a spool directory that cannot hold a file (/proc):
     * a stream would have to spool the early blocks there, and fail; nothing is spooled.
     */
    @Test
    void devNullSpoolsNothing() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")) && FileTypes.keepsNothing(Path.of("/dev/null")),
                "Linux: /proc, and /dev/null a memory device");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "4MiB?order=shuffle&block=16KiB",
                "-o", "/dev/null", "--spool-dir", "/proc", "--progress", "none");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.errors()).isEmpty();
    }

    /** With --sha256 the bytes are hashed in order, as a stream takes them: spooled, as before. */
    @Test
    void devNullWithAHashStillTakesTheBytesInOrder() throws Exception {
        assumeTrue(FileTypes.keepsNothing(Path.of("/dev/null")), "/dev/null a memory device");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?order=shuffle&seed=2",
                "-o", "/dev/null", "--sha256", "-q");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(WdsGetTest.syntheticSha256(1 << 20, 2));
    }

    /** Standard output that keeps nothing ({@code > /dev/null}) is a null sink; any other, a stream. */
    @Test
    void standardOutputThatKeepsNothingIsANullSink() {
        Output.Target stdout = new Output.Target(Output.Kind.STDOUT, null, "-", Output.IfExists.FAIL);
        var channel = Channels.newChannel(new ByteArrayOutputStream());
        assertThat(stdout.sink(channel, true, dir, false)).isInstanceOf(NullSink.class);
        assertThat(stdout.sink(channel, false, dir, false)).isInstanceOf(StreamSink.class);
        assertThat(stdout.sink(channel, true, dir, true)).as("hashed: in order").isInstanceOf(StreamSink.class);
    }

    /** Every block is still checked and counted: bytes missing at the end fail the object. */
    @Test
    void aNullSinkCountsWhatArrived() throws Exception {
        NullSink sink = new NullSink("/dev/null", false);
        sink.start(10);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            sink.write(arena.allocate(4), 0);
            org.assertj.core.api.Assertions.assertThatThrownBy(sink::finish).hasMessageContaining("4 of 10");
            sink.write(arena.allocate(6), 4);
        }
        sink.finish();
        assertThat(sink.abandoned()).contains("nothing was kept");
    }
}
