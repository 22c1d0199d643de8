package io.github.wdstci;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A part file that a {@link FileSink} kept for a later session to continue,
 * and which bytes of the object are on disk in it. A sink hands one over with
 * {@link FileSink#kept()} when it was built to
 * {@link FileSink.Builder#keepOnFailure keep} its part file and its session
 * failed; {@link #takeOver} finds one that a process which no longer runs left
 * (killed, say); {@link FileSink.Builder#resume} continues it:
 *
 * <pre>{@code
 * String object = server + "|" + namespace + "|" + name;   // what the part file must hold
 * Resumable left = Resumable.takeOver(target, "wdstci", object);
 * FileSink sink = FileSink.newBuilder(target).resumable(object).keepOnFailure(true).resume(left).build();
 * }</pre>
 *
 * <p><b>What is trusted.</b> A resumable sink's part file has a ranges file
 * beside it ({@code PART.ranges}: the target's name, the object, its size,
 * the ranges on disk, and a CRC-32C of all that). It is replaced whole, never
 * edited: written under another name, forced and renamed over the old one,
 * so that a crash leaves the old or the new one; and the part file is forced
 * before the ranges it lists are written. So every byte in
 * {@link #received()} is in the part file as it arrived, whenever the
 * process died. A ranges file that is missing, damaged or cut short is
 * trusted for nothing: such a part file is never continued.
 *
 * <p><b>Asking for the rest.</b> A sink that continues one asks the
 * transport, in its negotiation ({@link SessionListener#onNegotiate},
 * NegotiateRequiredDataRange), for the {@link #missing()} ranges only:
 * {@link #toAsk} of at most {@link FileSink#MAX_NEGOTIATED_RANGES}. The
 * transport sends whole blocks, so some bytes on disk arrive again; they are
 * not written again. Where the library has no NegotiateRequiredDataRange, the
 * object's size differs, or the part file lacks bytes its ranges list, the
 * sink starts over from the first byte ({@link FileSink#notResumed()}).
 *
 * @param partFile the part file
 * @param object   how the sink that wrote it named the object
 *                 ({@link FileSink.Builder#resumable(String)})
 * @param size     the object's size in bytes
 * @param received the ranges of the object on disk in the part file, in
 *                 ascending order, neither overlapping nor touching
 */
public record Resumable(Path partFile, String object, long size, List<Range> received) {

    /**
     * The bytes {@code [start, end)} of an object.
     *
     * @param start the first byte
     * @param end   the byte after the last
     */
    public record Range(long start, long end) {

        /**
         * A range of at least one byte.
         *
         * @throws IllegalArgumentException if start is negative or end is not after start
         */
        public Range {
            if (start < 0 || end <= start) {
                throw new IllegalArgumentException("a range is [start, end) with 0 <= start < end: [" + start + ", "
                        + end + ")");
            }
        }

        /**
         * How many bytes the range holds.
         *
         * @return {@code end - start}
         */
        public long length() {
            return end - start;
        }

        @Override
        public String toString() {
            return "[" + start + ", " + end + ")";
        }
    }

    /**
     * Checks the arguments and copies the list.
     *
     * @throws IllegalArgumentException if an argument is null, the size negative, or a range
     *                                  outside the object, out of order, overlapping or touching
     *                                  the one before
     */
    public Resumable {
        if (partFile == null || object == null || received == null) {
            throw new IllegalArgumentException("partFile, object and received must not be null");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        received = List.copyOf(received);
        long after = -1;
        for (Range r : received) {
            if (r.start() <= after || r.end() > size) {
                throw new IllegalArgumentException("the ranges must lie inside [0, " + size + "), in order, apart: "
                        + received);
            }
            after = r.end();
        }
    }

    /**
     * How many bytes of the object are in the part file.
     *
     * @return the sum of the received ranges' lengths
     */
    public long bytes() {
        long n = 0;
        for (Range r : received) {
            n += r.length();
        }
        return n;
    }

    /**
     * The ranges to ask a transport for, which takes at most {@code max} in one negotiation,
     * so that every missing byte arrives: the {@link #missing()} ranges when there are
     * {@code max} or fewer; else the closest gaps are joined (the bytes between them asked for
     * again), the shortest runs of received bytes first, until {@code max} remain. That
     * receives as few bytes again as {@code max} ranges allow.
     *
     * @param max the most ranges, at least 1
     * @return the ranges in ascending order, apart; empty when nothing is missing
     * @throws IllegalArgumentException if max is less than 1
     */
    public List<Range> toAsk(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
        return RangeSet.toAsk(missing(), max);
    }

    /**
     * Takes over the part file of {@code target} that a process which no longer runs on this
     * machine left, with its ranges file: the most recently written one of that target (named
     * with {@code tag}), if its ranges file names this target and {@code object}. It is renamed
     * to a name of this process first, so that no other process takes it too.
     *
     * @param target the file the object becomes (with {@code followLinks}, the file its links name)
     * @param tag    the part files' tag ({@code wdstci}, or the one given to
     *               {@link FileSink.Builder#partFileTag})
     * @param object the object, as given to {@link FileSink.Builder#resumable}
     * @return what the part file holds, or null when no such process left one
     * @throws java.nio.file.FileSystemException about the part file found, saying why it cannot
     *         be continued (no ranges file, a damaged one, another target or object, taken by
     *         another process meanwhile); it is left as it was, for
     *         {@link FileSink#removeLeftovers} to remove
     * @throws java.io.IOException      if the directory cannot be read
     * @throws IllegalArgumentException if an argument is null, target has no file name, or the
     *                                  tag is not one
     */
    public static Resumable takeOver(Path target, String tag, String object) throws java.io.IOException {
        if (target == null || object == null || target.getFileName() == null) {
            throw new IllegalArgumentException("target (with a file name) and object must not be null");
        }
        return PartFiles.takeOver(target, tag, object);
    }

    /**
     * Deletes the part file and its ranges file (the ranges file first: a part file without
     * one is never continued), for a caller that will not continue it after all.
     *
     * @throws java.io.IOException if either cannot be deleted
     */
    public void delete() throws java.io.IOException {
        java.nio.file.Files.deleteIfExists(RangesFile.of(partFile));
        java.nio.file.Files.deleteIfExists(partFile);
        PartFiles.closed(partFile);
    }

    /**
     * The ranges of the object that are not in the part file.
     *
     * @return the gaps between the received ranges, in ascending order (empty when complete)
     */
    public List<Range> missing() {
        List<Range> gaps = new ArrayList<>();
        long at = 0;
        for (Range r : received) {
            if (r.start() > at) {
                gaps.add(new Range(at, r.start()));
            }
            at = r.end();
        }
        if (size > at) {
            gaps.add(new Range(at, size));
        }
        return gaps;
    }
}
