package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

import io.github.wdstci.Win32Error;

/**
 * A regular file: the object is written at its blocks' offsets into a hidden
 * temporary file beside the target ({@code .NAME.wdsget-PID.part}, see
 * {@link StaleParts}), forced to disk, verified, and moved onto the target in
 * one atomic rename. The target is therefore the complete object or
 * untouched. When the target is reached through a symbolic link, {@code path}
 * is the link's final target: the link stays. What is at the target when the
 * object is complete decides, under {@code --if-exists}, whether it is
 * replaced: see {@link #place}.
 */
final class FileSink implements Sink {

    private final Path path;              // absolute, no symbolic link as its last component
    private final String shown;
    private final Output.IfExists ifExists;

    private Path temp;
    private FileChannel channel;
    private long fileSize = -1;
    private long written;
    private boolean aborted;

    /**
     * @param path    the file to create or replace (its directory exists)
     * @param shown   the output as the user named it
     * @param ifExists {@code --if-exists}: what becomes of a regular file at the target
     */
    FileSink(Path path, String shown, Output.IfExists ifExists) {
        this.path = path;
        this.shown = shown;
        this.ifExists = ifExists;
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
        String there = place(temp, path, ifExists);
        if (there != null) {
            if (there.equals(REGULAR_FILE) && ifExists == Output.IfExists.SKIP) {
                throw new Kept("output appeared during the transfer: " + shown + "; it was kept and the received"
                        + " object discarded (--if-exists=skip)");
            }
            throw new Outcome.Problem(Outcome.TARGET_EXISTS, "output appeared during the transfer: " + shown
                    + (there.equals(REGULAR_FILE) ? "" : " (" + there + ")") + "; the received object was discarded"
                    + (there.equals(REGULAR_FILE) ? " (use --if-exists=overwrite)" : ", only a regular file is replaced"));
        }
        syncDirectory(path.getParent());
        return digest;
    }

    /**
     * A regular file appeared at the target while the object arrived, and {@code --if-exists=skip}
     * keeps it: the object is not received after all (exit 0), and the message says so.
     */
    static final class Kept extends IOException {
        Kept(String message) {
            super(message);
        }
    }

    static final String REGULAR_FILE = "a regular file";

    /**
     * Renames the complete temporary file {@code temp} onto {@code path}. What is there now
     * decides, whether it was there at the start or another process created it meanwhile:
     * nothing, or a regular file under {@code --if-exists=overwrite}, is replaced atomically;
     * a regular file under {@code fail} or {@code skip} is kept, and so is anything else
     * (a directory, a symbolic link, a device, a FIFO), whatever {@code --if-exists} says,
     * as none of them is replaced when it is there at the start either.
     *
     * @return null when {@code temp} is now at {@code path}; else what is there, kept
     *         ("a regular file", "a directory", ...), and {@code temp} is still in place
     */
    static String place(Path temp, Path path, Output.IfExists ifExists) throws IOException {
        if (ifExists == Output.IfExists.OVERWRITE) {
            String there = what(path);
            if (there != null && !there.equals(REGULAR_FILE)) {
                return there;
            }
            // A node put there in the instant between the look and the rename would still be
            // replaced: Java has no rename that refuses all but a regular file.
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            return null;
        }
        try {
            // no ATOMIC_MOVE: on Linux a rename would silently replace a file created meanwhile
            Files.move(temp, path);
            return null;
        } catch (FileAlreadyExistsException e) {
            String there = what(path);
            return there != null ? there : REGULAR_FILE;     // gone again since: say what was found
        }
    }

    /** What is at {@code p} (a link itself, not followed), in words; null when nothing is. */
    private static String what(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        return a.isRegularFile() ? REGULAR_FILE : a.isDirectory() ? "a directory"
                : a.isSymbolicLink() ? "a symbolic link" : "a device, FIFO or socket";
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
