package io.github.wdstci;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of a {@link FileSink.Builder}, and their setters, which the builder
 * inherits: apart so that {@link FileSink} stays readable. Not thread-safe.
 */
abstract sealed class FileSinkSettings permits FileSink.Builder {

    /** How often a resumable part file is made durable, unless set. */
    static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

    final Path target;
    boolean replaceExisting;
    boolean followLinks;
    boolean commitOnSuccess = true;
    String tag = PartFiles.DEFAULT_TAG;
    String object;
    boolean keepOnFailure;
    Resumable resume;
    Duration syncInterval = DEFAULT_SYNC_INTERVAL;

    /** {@code target} made absolute, once checked as {@link FileSink#newBuilder} says. */
    static Path checkTarget(Path target) {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        if (target.getFileName() == null) {
            throw new IllegalArgumentException("target has no file name: " + target);
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("target is a directory: " + target);
        }
        return target.toAbsolutePath();
    }

    FileSinkSettings(Path target) {
        this.target = target;
    }

    /** The settings as a sink keeps them. */
    record Frozen(Path target, boolean replaceExisting, boolean followLinks, boolean commitOnSuccess, String tag,
                  String object, boolean keepOnFailure, Resumable resume, Duration syncInterval) {
    }

    /**
     * The settings now, checked against each other: {@code resume} makes the sink resumable for
     * its object unless {@code resumable} names one.
     *
     * @throws IllegalStateException if {@code keepOnFailure} is asked of a sink that is not resumable
     */
    Frozen freeze() {
        String o = object != null ? object : resume != null ? resume.object() : null;
        if (keepOnFailure && o == null) {
            throw new IllegalStateException("keepOnFailure needs a resumable sink (resumable or resume)");
        }
        return new Frozen(target, replaceExisting, followLinks, commitOnSuccess, tag, o, keepOnFailure, resume,
                syncInterval);
    }

    private FileSink.Builder self() {
        return (FileSink.Builder) this;
    }

    /**
     * Whether a regular file at the target is replaced (default: false, it fails the
     * session with a {@link TargetExistsException}). Anything else there is never
     * replaced.
     *
     * @param replace true to replace an existing regular file
     * @return this builder
     */
    public FileSink.Builder replaceExisting(boolean replace) {
        this.replaceExisting = replace;
        return self();
    }

    /**
     * Whether a symbolic link at the target is written through (default: false, it fails
     * the session as anything but a regular file does). With true, the links are followed
     * when the session starts, to the file they finally name, which is then handled as the
     * target (and created if the last link dangles); the links stay as they are.
     *
     * @param follow true to write through symbolic links
     * @return this builder
     */
    public FileSink.Builder followLinks(boolean follow) {
        this.followLinks = follow;
        return self();
    }

    /**
     * Whether the complete object is put in place in {@link FileSink#onSuccess()} (default:
     * true). With false, the forced part file waits for {@link FileSink#commit()} or
     * {@link FileSink#discard()}, for the caller to check it first.
     *
     * @param commit false to commit by hand
     * @return this builder
     */
    public FileSink.Builder commitOnSuccess(boolean commit) {
        this.commitOnSuccess = commit;
        return self();
    }

    /**
     * The tag in the part file's name, {@code .NAME.TAG-PID.part} (default: {@code wdstci}):
     * a program's own tag keeps its part files, and the leftovers it removes or takes over,
     * apart from other programs'.
     *
     * @param tag 1 to 32 letters, digits or {@code _}
     * @return this builder
     * @throws IllegalArgumentException if the tag is null or has another character
     */
    public FileSink.Builder partFileTag(String tag) {
        this.tag = PartFiles.checkTag(tag);
        return self();
    }

    /**
     * Makes the part file resumable (default: not): a ranges file beside it says which
     * bytes of {@code object} it holds on disk (see {@link FileSink}), so that a later
     * session can continue it after a failure ({@link FileSink.Builder#keepOnFailure}) or a crash
     * ({@link Resumable#takeOver}). It costs a forced write of the part file every
     * {@link FileSink.Builder#syncInterval sync interval}.
     *
     * @param object what the object is, for a later session to tell that its part file holds
     *               the same (e.g. its server, namespace and name); any text
     * @return this builder
     * @throws IllegalArgumentException if object is null
     */
    public FileSink.Builder resumable(String object) {
        if (object == null) {
            throw new IllegalArgumentException("object must not be null");
        }
        this.object = object;
        return self();
    }

    /**
     * Whether a failed or cancelled session keeps the part file, forced to disk with its
     * ranges file, instead of deleting it (default: false); {@link FileSink#kept()} then
     * says what it holds, and {@link FileSink#discard()} still deletes it. Such a part file
     * is not deleted when the JVM exits either. Needs a resumable sink.
     *
     * @param keep true to keep the part file of a failed session
     * @return this builder
     */
    public FileSink.Builder keepOnFailure(boolean keep) {
        this.keepOnFailure = keep;
        return self();
    }

    /**
     * Continues {@code from} (default: none, a new part file): the sink takes that part
     * file over, asks the transport for the bytes it lacks only
     * ({@link FileSink#negotiates()}), and renames it onto the target once complete. Where
     * it cannot be continued the sink deletes it and starts over (see
     * {@link FileSink#notResumed()}). Makes the sink resumable for {@code from}'s object,
     * unless {@link FileSink.Builder#resumable} names one (a different one also starts over).
     *
     * @param from a part file kept by {@link FileSink#kept()} or found by
     *             {@link Resumable#takeOver}; null for none
     * @return this builder
     */
    public FileSink.Builder resume(Resumable from) {
        this.resume = from;
        return self();
    }

    /**
     * How often a resumable part file is forced to disk and its ranges file replaced
     * (default: 1 s): what a crash can lose is what arrived since. Blocks do not wait for it:
     * it runs on a thread of its own.
     *
     * @param interval at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if interval is null or shorter than 1 ms
     */
    public FileSink.Builder syncInterval(Duration interval) {
        if (interval == null || interval.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("syncInterval must be at least 1 ms: " + interval);
        }
        this.syncInterval = interval;
        return self();
    }
}
