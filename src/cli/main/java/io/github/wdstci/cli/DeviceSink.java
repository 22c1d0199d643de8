package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

import io.github.wdstci.ContentHandlers;
import io.github.wdstci.Win32Error;

/**
 * An existing block device (a disk, a partition): the object is written in
 * place, each block at its offset, after checking that the device is large
 * enough; the device node is never replaced. The device is opened before
 * the session starts, so a missing permission shows at once.
 *
 * <p>There is no going back on a device: a failed or cancelled transfer
 * leaves what was already written, and the message says how much.
 */
final class DeviceSink implements Sink {

    private final Path path;
    private final String shown;
    private final boolean hash;

    private FileChannel channel;
    private volatile Alongside along;         // early forces and the hash, once started
    private long deviceSize = -1;
    private long fileSize = -1;
    private volatile long written;

    /**
     * @param path  the device
     * @param shown the output as the user named it
     * @param hash  whether the object's SHA-256 is computed (as it arrives: {@link LiveHash})
     */
    DeviceSink(Path path, String shown, boolean hash) {
        this.path = path;
        this.shown = shown;
        this.hash = hash;
    }

    @Override
    public synchronized void prepare() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
        deviceSize = size(channel, path);
    }

    /** The device's size: the JDK asks the kernel (BLKGETSIZE64 on Linux); sysfs when it says 0. */
    static long size(FileChannel channel, Path path) throws IOException {
        long size = channel.size();
        if (size > 0) {
            return size;
        }
        try {
            long rdev = ((Number) Files.getAttribute(path, "unix:rdev")).longValue();   // Linux's dev_t encoding
            String sectors = Files.readString(Path.of("/sys/dev/block/" + FileTypes.major(rdev) + ":"
                    + FileTypes.minor(rdev) + "/size")).strip();
            return Long.parseLong(sectors) * 512;
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot tell the size of the block device " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void start(long size) throws IOException {
        if (size > deviceSize) {
            throw new Outcome.Problem(Outcome.DISK_FULL, String.format(Locale.ROOT,
                    "the object (%s, %d bytes) does not fit the device %s (%s, %d bytes) %s; nothing was written to it",
                    ByteSize.format(size), size, shown, ByteSize.format(deviceSize), deviceSize,
                    Outcome.code(Win32Error.ERROR_DISK_FULL.code())));
        }
        fileSize = size;
        along = Alongside.start(path, size, hash, List.of());
    }

    @Override
    public void write(MemorySegment block, long offset) throws IOException {
        ContentHandlers.checkBlock(offset, block.byteSize(), fileSize);
        Sink.writeAt(channel, block, offset);
        written += block.byteSize();
        along.written(offset, block.byteSize());
    }

    @Override
    public void finish() throws IOException {
        Alongside a = along;
        if (a != null) {
            a.writesEnded();
        }
        channel.force(true);
    }

    @Override
    public String commit(String sha256, Check stop) throws IOException {
        try {
            if (sha256 == null) {
                return null;
            }
            // what the device holds (read back through the page cache as the blocks were written)
            Alongside a = along;
            String digest = a == null ? null : a.digest(stop);
            if (digest == null) {
                digest = Sink.sha256(channel, fileSize, stop);
            }
            Sink.verify(digest, sha256, "the device " + shown + " holds the received bytes");
            return digest;
        } finally {
            Alongside a = along;
            if (a != null) {
                a.cancel();           // done by now, unless stopped
            }
            channel.close();
        }
    }

    @Override
    public synchronized void abort() {
        Alongside a = along;
        if (a != null) {
            a.cancel();
        }
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    @Override
    public String abandoned() {
        long w = written;
        return w == 0 ? "nothing was written to " + shown
                : "the device " + shown + " was partly written (" + ByteSize.format(w) + ")";
    }

    @Override
    public String shown() {
        return shown;
    }
}
