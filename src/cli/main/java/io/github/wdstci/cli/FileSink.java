package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import io.github.wdstci.Win32Error;

/**
 * A regular file: the object is written at its blocks' offsets into a hidden
 * temporary file beside the target ({@code .NAME.wdsget-PID.part}, see
 * {@link StaleParts}), forced to disk, verified, and moved onto the target in
 * one atomic rename. The target is therefore the complete object or
 * untouched. When the target is reached through a symbolic link, {@code path}
 * is the link's final target: the link stays.
 */
final class FileSink implements Sink {

    private final Path path;              // absolute, no symbolic link as its last component
    private final String shown;
    private final boolean replace;        // --if-exists=overwrite

    private Path temp;
    private FileChannel channel;
    private long fileSize = -1;
    private long written;
    private boolean aborted;

    /**
     * @param path    the file to create or replace (its directory exists)
     * @param shown   the output as the user named it
     * @param replace whether an existing file may be replaced
     */
    FileSink(Path path, String shown, boolean replace) {
        this.path = path;
        this.shown = shown;
        this.replace = replace;
    }

    /** The file the object becomes. */
    Path path() {
        return path;
    }

    @Override
    public synchronized void start(long size) throws IOException {
        if (aborted) {
            throw new IOException("output abandoned");
        }
        Path dir = path.getParent();
        FileStore store = Files.getFileStore(dir);
        long free = store.getUsableSpace();
        // A file system that reports no size at all (procfs, sysfs) says nothing about room.
        if (size > free && store.getTotalSpace() > 0) {
            throw new Outcome.Problem(Outcome.DISK_FULL, "disk full: the object needs " + ByteSize.format(size)
                    + ", " + dir + " has " + ByteSize.format(free) + " free "
                    + Outcome.code(Win32Error.ERROR_DISK_FULL.code()) + "; the output was not written");
        }
        fileSize = size;
        temp = StaleParts.createTemp(dir, path.getFileName().toString());
        channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Override
    public void write(MemorySegment block, long offset) throws IOException {
        Sink.checkBounds(offset, block.byteSize(), fileSize);
        Sink.writeAt(channel, block, offset);
        written += block.byteSize();
    }

    @Override
    public synchronized void finish() throws IOException {
        if (channel == null) {
            throw new IOException("the session succeeded without starting");
        }
        if (written != fileSize) {
            throw new IOException("received " + written + " of " + fileSize + " bytes");
        }
        channel.force(true);
    }

    @Override
    public String commit(String sha256, Check stop) throws IOException {
        String digest = null;
        if (sha256 != null) {
            digest = Sink.sha256(channel, fileSize, stop);
            Sink.verify(digest, sha256, "the output was not written");
        }
        stop.check();
        channel.close();
        if (replace) {
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } else {
            try {
                // no ATOMIC_MOVE: on Linux a rename would silently replace a file created meanwhile
                Files.move(temp, path);
            } catch (FileAlreadyExistsException e) {
                throw new Outcome.Problem(Outcome.TARGET_EXISTS, "output appeared during the transfer: " + shown
                        + "; the received object was discarded (use --if-exists=overwrite)");
            }
        }
        syncDirectory(path.getParent());
        return digest;
    }

    /** Makes the rename durable (best effort: not every platform can open a directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a file; NTFS journals the rename itself
        }
    }

    @Override
    public synchronized void abort() {
        aborted = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // nothing more to do with it
        }
        try {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            System.err.println(Visible.of("wdsget: warning: could not delete " + temp + ": " + e.getMessage()));
        }
    }

    @Override
    public String abandoned() {
        return "the output was not written";
    }

    @Override
    public String shown() {
        return shown;
    }
}
