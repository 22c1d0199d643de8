package io.github.wdstci;

import java.nio.file.FileAlreadyExistsException;

/**
 * A {@link FileSink} did not put the object at its target because something
 * is there that it may not replace: a regular file without
 * {@link FileSink.Builder#replaceExisting(boolean) replaceExisting}, or
 * anything but a regular file (a directory, a symbolic link, a device, a FIFO
 * or a socket), which is never replaced. Thrown when the session starts, before
 * the first block, if it is there then; and when the object is complete, if it
 * appeared meanwhile (then the received object is discarded). The thing found
 * is left as it was.
 */
public class TargetExistsException extends FileAlreadyExistsException {

    private static final long serialVersionUID = 1L;

    /** What a {@link FileSink} found at its target. */
    public enum Found {
        /** A regular file: replaced only with {@code replaceExisting}. */
        REGULAR_FILE("a regular file"),
        /** A directory: never replaced. */
        DIRECTORY("a directory"),
        /** A symbolic link (not followed): never replaced. */
        SYMBOLIC_LINK("a symbolic link"),
        /** A device, a FIFO or a socket: never replaced. */
        OTHER("a device, FIFO or socket");

        private final String words;

        Found(String words) {
            this.words = words;
        }

        /**
         * What was found, in words ("a regular file", "a directory", ...).
         *
         * @return the words, with an article
         */
        public String words() {
            return words;
        }
    }

    /** What is at the target. */
    private final Found found;
    /** Whether it appeared while the object arrived. */
    private final boolean duringTransfer;

    /**
     * An exception about {@code file}.
     *
     * @param file           the target, as the sink resolved it
     * @param found          what is there
     * @param duringTransfer whether it appeared while the object arrived (else it was there
     *                       when the session started)
     * @param reason         why it is not replaced, for the message (may be null)
     * @throws IllegalArgumentException if found is null
     */
    public TargetExistsException(String file, Found found, boolean duringTransfer, String reason) {
        super(file, null, reason(found, duringTransfer, reason));
        this.found = found;
        this.duringTransfer = duringTransfer;
    }

    private static String reason(Found found, boolean duringTransfer, String reason) {
        if (found == null) {
            throw new IllegalArgumentException("found must not be null");
        }
        return (duringTransfer ? "appeared during the transfer: " : "exists: ") + found.words()
                + (reason == null || reason.isEmpty() ? "" : "; " + reason);
    }

    /**
     * What is at the target.
     *
     * @return what the sink found there
     */
    public Found found() {
        return found;
    }

    /**
     * Whether it appeared while the object arrived: the object was received
     * and then discarded. False when it was there as the session started,
     * before the first block.
     *
     * @return true when found at the end of the transfer
     */
    public boolean duringTransfer() {
        return duringTransfer;
    }
}
