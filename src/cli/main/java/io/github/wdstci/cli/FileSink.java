package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

import io.github.wdstci.Negotiation;
import io.github.wdstci.Resumable;
import io.github.wdstci.StartInfo;
import io.github.wdstci.TargetExistsException;
import io.github.wdstci.TransferRequest;
import io.github.wdstci.WdsTransportException;
import io.github.wdstci.Win32Error;

/**
 * A regular file, written by the library's file sink ({@link io.github.wdstci.FileSink}):
 * the object goes at its blocks' offsets into a hidden part file beside the target
 * ({@code .NAME.wdsget-PID.part}), which is forced to disk, verified here, and renamed onto
 * the target in one step. The target is therefore the complete object or untouched. When the
 * target is reached through a symbolic link, {@code path} is the link's final target: the link
 * stays. What is at the target when the object is complete decides, under {@code --if-exists},
 * whether it is replaced: a regular file under {@code overwrite} is, anything else is kept
 * ({@link #inTheWay}).
 *
 * <p>For {@code get}, the part file is resumable: a ranges file beside it says which bytes are
 * on disk, so that a retry, or a later {@code get -c}, continues it ({@link #from}); a failed
 * attempt keeps it ({@link #kept()}) until {@link #release} deletes it, unless {@code -c} keeps
 * it for a later run.
 */
final class FileSink implements Sink {

    /** The tag in wdsget's part files' names, {@code .NAME.wdsget-PID.part}. */
    static final String PART_TAG = "wdsget";

    private final Path path;
    private final String shown;
    private final Output.IfExists ifExists;
    private final io.github.wdstci.FileSink file;          // null: a directory is at the path
    private final Resumable from;                          // the part file to continue, or null
    private final boolean keepForLater;                    // -c: a failed attempt's part file stays
    private final boolean hash;
    private volatile List<Resumable.Range> held = List.of();   // on disk before this attempt
    private long fileSize = -1;
    private volatile boolean released;
    private volatile Alongside along;                      // early forces and the hash, once started

    /**
     * @param path     the file to create or replace (its directory exists)
     * @param shown    the output as the user named it
     * @param ifExists {@code --if-exists}: what becomes of a regular file at the target
     * @param hash     whether the object's SHA-256 is computed (as it arrives: {@link LiveHash})
     */
    FileSink(Path path, String shown, Output.IfExists ifExists, boolean hash) {
        this(path, shown, ifExists, null, null, false, hash);
    }

    /**
     * A resumable file ({@code get}).
     *
     * @param object       what the object is, for the ranges file ({@link #object}); null: not resumable
     * @param from         the part file to continue, or null
     * @param keepForLater {@code -c}: the part file of a failed attempt stays for a later run
     */
    FileSink(Path path, String shown, Output.IfExists ifExists, String object, Resumable from, boolean keepForLater,
             boolean hash) {
        this.path = path;
        this.shown = shown;
        this.ifExists = ifExists;
        this.from = from;
        this.keepForLater = keepForLater;
        this.hash = hash;
        this.file = library(path, ifExists, object, from);
    }

    /** What a part file must hold to be continued: the request's server, namespace and object. */
    static String object(TransferRequest r) {
        return "server " + r.server() + ", namespace " + r.namespace() + ", object " + r.objectName();
    }

    /**
     * The library's sink for one of wdsget's files: committed here, after the checks. Null when
     * a directory is at {@code path}, which the library's builder refuses: one that appeared
     * after the output was decided (while a retry waited, say). It is then found in the way
     * when the session starts, as the library's sink finds one there ({@link #directoryAt}).
     */
    private static io.github.wdstci.FileSink library(Path path, Output.IfExists ifExists, String object,
                                                     Resumable from) {
        try {
            io.github.wdstci.FileSink.Builder b = io.github.wdstci.FileSink.newBuilder(path)
                    .replaceExisting(ifExists == Output.IfExists.OVERWRITE).followLinks(true).partFileTag(PART_TAG)
                    .commitOnSuccess(false);
            return object == null ? b.build() : b.resumable(object).keepOnFailure(true).resume(from).build();
        } catch (IllegalArgumentException e) {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            throw e;
        }
    }

    /** What the library's sink says of a directory at the target when its session starts. */
    private static TargetExistsException directoryAt(Path path) {
        return new TargetExistsException(path.toString(), TargetExistsException.Found.DIRECTORY, false,
                "only a regular file is ever replaced");
    }

    @Override
    public void start(long size) throws IOException {
        if (file == null) {
            throw inTheWay(directoryAt(path), shown, ifExists);
        }
        Path dir = file.target().getParent();
        FileStore store = Files.getFileStore(dir);
        long free = store.getUsableSpace();
        long needed = size - (from != null && from.size() == size ? from.bytes() : 0);
        // A file system that reports no size at all (procfs, sysfs) says nothing about room.
        if (needed > free && store.getTotalSpace() > 0) {
            throw new Outcome.Problem(Outcome.DISK_FULL, "disk full: the object needs " + ByteSize.format(needed)
                    + (needed < size ? " more" : "") + ", " + dir + " has " + ByteSize.format(free) + " free "
                    + Outcome.code(Win32Error.ERROR_DISK_FULL.code()) + "; the output was not written");
        }
        try {
            file.onStart(new StartInfo(size, 0));
        } catch (TargetExistsException e) {
            throw inTheWay(e, shown, ifExists);
        }
        if (from != null && file.notResumed() == null) {
            held = from.received();
        }
        fileSize = size;
        along = Alongside.start(file.partFile(), size, hash, held);   // held: in the part file already
    }

    /** Whether the session is to be negotiated: when a part file is to be continued. */
    boolean negotiates() {
        return file != null && file.negotiates();
    }

    /** Asks the transport for what the part file lacks ({@link io.github.wdstci.FileSink#onNegotiate}). */
    void negotiate(StartInfo info, Negotiation negotiation) throws WdsTransportException {
        file.onNegotiate(info, negotiation);
    }

    /** The part file this attempt was to continue; null when it started a new one. */
    Resumable from() {
        return from;
    }

    /** Once started: why the part file given was not continued (started over), or null. */
    String notResumed() {
        return file == null ? null : file.notResumed();
    }

    /** Once negotiated: the ranges asked for, or null (the whole object). */
    List<Resumable.Range> requested() {
        return file == null ? null : file.requested();
    }

    /** Bytes on disk before this attempt, in the part file it continues. */
    long heldBytes() {
        return held.stream().mapToLong(Resumable.Range::length).sum();
    }

    @Override
    public void write(MemorySegment block, long offset) throws IOException {
        file.onContent(block, offset);
        along.written(offset, block.byteSize());
    }

    /**
     * Of the block {@code [offset, offset + length)}, the bytes that were not on disk before
     * this attempt: what it adds to the object (the transport sends whole blocks, so a block may
     * hold bytes of a range on disk, which are not written again).
     */
    long fresh(long offset, long length) {
        List<Resumable.Range> h = held;
        long end = offset + length;
        long fresh = length;
        int lo = 0;
        int hi = h.size();
        while (lo < hi) {                  // the first range that ends after offset
            int mid = (lo + hi) >>> 1;
            if (h.get(mid).end() <= offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (int i = lo; i < h.size() && h.get(i).start() < end; i++) {
            fresh -= Math.min(end, h.get(i).end()) - Math.max(offset, h.get(i).start());
        }
        return fresh;
    }

    @Override
    public void finish() throws IOException {
        Alongside a = along;
        if (a != null) {
            a.writesEnded();
        }
        file.onSuccess();
    }

    @Override
    public String commit(String sha256, Check stop) throws IOException {
        String digest = null;
        if (sha256 != null) {
            Alongside a = along;
            digest = a == null ? null : a.digest(stop);
            if (digest == null) {
                try (FileChannel channel = FileChannel.open(file.partFile(), StandardOpenOption.READ)) {
                    digest = Sink.sha256(channel, fileSize, stop);
                }
            }
            Sink.verify(digest, sha256, "the output was not written");
        }
        stop.check();
        try {
            file.commit();
        } catch (TargetExistsException e) {
            throw inTheWay(e, shown, ifExists);
        }
        return digest;
    }

    /**
     * A file written whole from bytes as the object's file is written (a part file, renamed
     * into place), for {@code --metadata} and {@code --sha256-file}; made with the other
     * outputs, before the transfer.
     */
    static final class Whole {
        private final Path path;
        private final io.github.wdstci.FileSink file;      // null: a directory is at the path

        Whole(Path path, Output.IfExists ifExists) {
            this.path = path;
            this.file = library(path, ifExists, null, null);
        }

        /**
         * Writes the file, once.
         *
         * @throws TargetExistsException when something that {@code --if-exists} keeps is there
         */
        void write(byte[] bytes) throws IOException {
            if (file == null) {
                throw directoryAt(path);
            }
            try {
                file.onStart(new StartInfo(bytes.length, 0));
                file.onContent(MemorySegment.ofArray(bytes), 0);
                file.onSuccess();
                file.commit();
            } finally {
                file.discard();              // after a failure; nothing to do after the commit
            }
        }
    }

    /**
     * Something is at the output that {@code --if-exists} does not let wdsget replace: a
     * regular file that another process created meanwhile (or, in a race, before the session
     * started), or anything but a regular file. Under {@code --if-exists=skip} a regular file
     * is kept and the object is not received after all ({@link Kept}, exit 0); else exit 8.
     */
    private static IOException inTheWay(TargetExistsException e, String shown, Output.IfExists ifExists) {
        boolean regular = e.found() == TargetExistsException.Found.REGULAR_FILE;
        String appeared = "output " + (e.duringTransfer() ? "appeared during the transfer: " : "appeared meanwhile: ")
                + shown;
        if (regular && ifExists == Output.IfExists.SKIP) {
            return new Kept(appeared + "; it was kept and the received object discarded (--if-exists=skip)");
        }
        return new Outcome.Problem(Outcome.TARGET_EXISTS, appeared + (regular ? "" : " (" + e.found().words() + ")")
                + "; the received object was discarded"
                + (regular ? " (use --if-exists=overwrite)" : ", only a regular file is replaced"));
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

    /**
     * Removes the part files of wdsget processes that no longer run (killed, or the machine
     * lost power) from {@code dir}; says what it removed, and what it could not, to
     * {@code report}. An unreadable directory is passed over: the transfer reports what
     * matters about it.
     */
    static void removeStaleParts(Path dir, Consumer<String> report) {
        try {
            for (io.github.wdstci.FileSink.Leftover l : io.github.wdstci.FileSink.removeLeftovers(dir, PART_TAG,
                    (l, e) -> report.accept("could not remove the stale partial file " + l.file() + ": "
                            + e.getMessage()))) {
                report.accept("removed " + l.file() + ", a partial file left by process " + l.pid()
                        + ", which no longer runs");
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable directory: the transfer reports what matters about it
        }
    }

    /**
     * Gives up this attempt: a resumable part file is kept, forced to disk with its ranges file,
     * for a retry or {@code -c} ({@link #kept()}), until {@link #release}; any other is deleted.
     */
    @Override
    public void abort() {
        Alongside a = along;
        if (a != null) {
            a.cancel();
        }
        if (file == null) {
            return;
        }
        IOException why = new IOException("the attempt ended");
        file.onFailure(why);
        for (Throwable t : why.getSuppressed()) {
            System.err.println(Visible.of("wdsget: warning: " + t.getMessage()));
        }
    }

    /**
     * The part file a failed attempt kept, with what it holds (the one it was to continue, when
     * it never started); null when none was kept.
     */
    Resumable kept() {
        return file == null ? from : file.kept();
    }

    /**
     * The object's transfer is over (no retry follows): a part file kept for a retry goes, unless
     * {@code -c} keeps it for a later run; returns what stays, or null.
     */
    Resumable release() {
        released = true;
        if (keepForLater) {
            return kept();
        }
        try {
            if (file != null) {
                file.discard();
            } else if (from != null) {
                from.delete();               // a directory appeared at the target: no sink to do it
            }
        } catch (IOException e) {
            Throwable[] why = e.getSuppressed();
            System.err.println(Visible.of("wdsget: warning: " + e.getMessage()
                    + (why.length > 0 ? ": " + why[0].getMessage() : "")));
        }
        return null;
    }

    @Override
    public String abandoned() {
        Resumable k = released && keepForLater ? kept() : null;
        return k == null ? "the output was not written" : "the output was not written; " + ByteSize.format(k.bytes())
                + " of " + ByteSize.format(k.size()) + " stay in " + k.partFile() + " for 'wdsget get -c' to continue";
    }

    @Override
    public String shown() {
        return shown;
    }
}
