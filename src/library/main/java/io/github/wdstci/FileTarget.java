package io.github.wdstci;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The file a {@link FileSink} writes, as it was decided when its session
 * started: the target, through its links with {@code followLinks}; the checks
 * of what is there, at the start and when the object is put in place; and the
 * rename that puts it there. Errors are about this file, never about the part
 * file, whose hidden name the caller never gave.
 */
final class FileTarget {

    private final Path destination;
    private final boolean replaceExisting;

    private FileTarget(Path destination, boolean replaceExisting) {
        this.destination = destination;
        this.replaceExisting = replaceExisting;
    }

    /**
     * The target as a session that starts now writes it: its directory exists, and what is
     * there may be replaced (see {@link FileSink}).
     *
     * @throws IOException a {@link FileSystemException} about the target
     */
    static FileTarget check(Path target, boolean followLinks, boolean replaceExisting) throws IOException {
        FileTarget t = new FileTarget(followLinks ? throughLinks(target) : target, replaceExisting);
        if (!Files.isDirectory(t.directory())) {
            throw new NoSuchFileException(t.destination.toString(), null, "its directory does not exist");
        }
        TargetExistsException.Found there = found(t.destination);  // a name too long for the file system fails here
        if (there != null && (there != TargetExistsException.Found.REGULAR_FILE || !replaceExisting)) {
            throw t.inTheWay(there, false);
        }
        return t;
    }

    Path directory() {
        return destination.getParent();
    }

    String name() {
        return destination.getFileName().toString();
    }

    /** Renames {@code part} onto the destination if what is there now may be replaced, and syncs the directory. */
    void place(Path part) throws IOException {
        try {
            if (replaceExisting) {
                TargetExistsException.Found there = found(destination);
                if (there != null && there != TargetExistsException.Found.REGULAR_FILE) {
                    throw inTheWay(there, true);
                }
                // A node put there between the look and the rename would still be replaced:
                // Java has no rename that refuses all but a regular file.
                try {
                    Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                // no ATOMIC_MOVE: on Linux a rename would silently replace a file created meanwhile
                Files.move(part, destination);
            }
        } catch (FileAlreadyExistsException e) {
            if (e instanceof TargetExistsException t) {
                throw t;
            }
            TargetExistsException.Found there = found(destination);
            // gone again since: say what was found
            throw inTheWay(there != null ? there : TargetExistsException.Found.REGULAR_FILE, true);
        } catch (FileSystemException e) {
            throw aboutTarget(e, "cannot rename the received object onto it");
        }
        syncDirectory(directory());
    }

    private TargetExistsException inTheWay(TargetExistsException.Found there, boolean duringTransfer) {
        return new TargetExistsException(destination.toString(), there, duringTransfer,
                there != TargetExistsException.Found.REGULAR_FILE ? "only a regular file is ever replaced"
                        : replaceExisting ? "it is replaced only when it was a regular file"
                        : "a regular file is replaced only with replaceExisting (REPLACE_EXISTING)");
    }

    /**
     * A failure about the part file, said about the target the caller named
     * (not about a hidden name they never saw), keeping its kind and reason.
     */
    FileSystemException aboutTarget(FileSystemException e, String what) {
        String why = what + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        String file = destination.toString();
        FileSystemException named = e instanceof AccessDeniedException ? new AccessDeniedException(file, null, why)
                : e instanceof NoSuchFileException ? new NoSuchFileException(file, null, why)
                : new FileSystemException(file, null, why);
        named.initCause(e);
        return named;
    }

    /** What is at {@code p} (a link itself, not followed); null when nothing is. */
    private static TargetExistsException.Found found(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        return a.isRegularFile() ? TargetExistsException.Found.REGULAR_FILE
                : a.isDirectory() ? TargetExistsException.Found.DIRECTORY
                : a.isSymbolicLink() ? TargetExistsException.Found.SYMBOLIC_LINK
                : TargetExistsException.Found.OTHER;
    }

    /** The file that {@code p}'s symbolic links finally name (it may not exist). */
    private static Path throughLinks(Path p) throws IOException {
        Path q = p;
        for (int hops = 0; Files.isSymbolicLink(q); hops++) {
            if (hops == 40) {
                throw new FileSystemException(p.toString(), null, "too many levels of symbolic links");
            }
            q = q.getParent().resolve(Files.readSymbolicLink(q));
        }
        return q;
    }

    /** Makes the names in {@code dir} durable (best effort: not every platform can open a directory). */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a file; NTFS journals the rename itself
        }
    }
}
