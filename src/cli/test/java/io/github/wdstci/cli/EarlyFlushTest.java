package io.github.wdstci.cli;

import static io.github.wdstci.cli.WdsGetTest.sha256;
import static io.github.wdstci.cli.WdsGetTest.syntheticSha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An output forced while its blocks arrive ({@link EarlyFlush}) is still the object, whole. */
class EarlyFlushTest {

    @TempDir
    Path dir;

    /** An object larger than one early force's worth, in any order, arrives whole. */
    @Test
    void aLargeObjectForcedOnTheWayIsWhole() throws Exception {
        long size = EarlyFlush.EVERY + (EarlyFlush.EVERY >> 1);
        Path out = dir.resolve("object.bin");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", size + "?order=shuffle&seed=9&block=1MiB",
                "-o", out.toString(), "--progress", "none");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.size(out)).isEqualTo(size);
        assertThat(sha256(Files.readAllBytes(out))).isEqualTo(syntheticSha256(size, 9));
    }

    /** Closing ends its thread, which closes its channel, whether or not a force was due. */
    @Test
    void closingEndsItsThread() throws Exception {
        Path file = Files.write(dir.resolve("data"), new byte[4096]);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        EarlyFlush flush = new EarlyFlush(channel);
        flush.written(EarlyFlush.EVERY);              // a force on a channel open for reading: fsync takes any
        flush.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (channel.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(channel.isOpen()).isFalse();
    }
}
