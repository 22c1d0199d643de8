package io.github.wdstci.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.github.wdstci.TargetExistsException;

/**
 * The files wdsget writes beside the objects: {@code --metadata}, the one object's metadata,
 * and {@code --sha256-file}, the digests of the objects received. Each is decided with the
 * objects' outputs ({@link #metadataTarget}, {@link #sumsTarget}), made once the whole
 * command line is accepted ({@link #make}), and written once the objects are in place: a
 * regular file as the objects' files are, through the library's file sink (a part file
 * renamed into place), and what is there by then follows {@code --if-exists} as for them.
 */
final class ExtraFiles {

    /** One of the files: how its messages name it, what was received, and what it held. */
    private record Extra(String option, String received, String contents, String saving) {
        static final Extra METADATA = new Extra("--metadata", "the object was received", "the object's metadata",
                "saving its metadata to");
        static final Extra SUMS = new Extra("--sha256-file", "the objects were received", "the digests",
                "writing their digests to --sha256-file");
    }

    private final TransferSettings settings;
    private final Display display;
    private final EventLog log;
    private final Supplier<WritableByteChannel> stdout;
    private Output.Target metadata;                          // once made; null without --metadata
    private FileSink.Whole metadataFile;                     // its file, when a regular file
    private Output.Target sums;                              // --sha256-file's, once made
    private FileSink.Whole sumsFile;                         // its file, when a regular file

    ExtraFiles(TransferSettings settings, Display display, EventLog log, Supplier<WritableByteChannel> stdout) {
        this.settings = settings;
        this.display = display;
        this.log = log;
        this.stdout = stdout;
    }

    /**
     * Where {@code --metadata} goes, for the one object, whose output is {@code object};
     * decided, not made. A problem when it cannot go there.
     */
    Output.Target metadataTarget(Job.Spec spec, Output.Target object) throws Outcome.Problem {
        Output meta = new Output(settings.metadata(), settings.output().ifExists(), false,
                settings.output().createDirs());
        Output.Target t = meta.resolve(spec.defaultName() + ".metadata", false, false);
        if (t.path() != null && t.path().equals(object.path())) {
            throw new Outcome.Problem(Outcome.USAGE, "--metadata and --output name the same file: " + t.shown());
        }
        if (t.kind() == Output.Kind.DEVICE) {
            throw new Outcome.Problem(Outcome.TARGET_EXISTS, "--metadata " + t.shown() + " is a block device");
        }
        // Kind.SKIP: the file is there and --if-exists=skip keeps it; the object, whose
        // output is free, is still received (saveMetadata says that its metadata was not kept)
        return t;
    }

    /**
     * Where {@code --sha256-file} goes; decided, not made. A problem when it cannot go there, or
     * an object goes there too ({@code outputs}).
     */
    Output.Target sumsTarget(Set<Path> outputs) throws Outcome.Problem {
        if (settings.sha256File().equals("-")) {
            return new Output.Target(Output.Kind.STDOUT, null, "-", settings.output().ifExists());
        }
        Output list = new Output(settings.sha256File(), settings.output().ifExists(), false,
                settings.output().createDirs());
        Output.Target t = list.resolve("SHA256SUMS", false, false);
        if (t.path() != null && outputs.contains(t.path())) {
            throw new Outcome.Problem(Outcome.USAGE, "--sha256-file and an object's output name the same file: "
                    + t.shown());
        }
        if (t.kind() != Output.Kind.FILE && t.kind() != Output.Kind.SKIP && t.kind() != Output.Kind.STREAM) {
            throw new Outcome.Problem(Outcome.USAGE, "--sha256-file " + t.shown() + " is not a file");
        }
        return t;
    }

    /**
     * Makes the files decided (null for none), once objects are to be received: their directories
     * ({@code --create-dirs}), and for a regular file the library's sink. The sink is made now,
     * before the transfer: what appears at the file meanwhile (a directory, say) is then found
     * in its way, and {@code --if-exists} decides.
     */
    void make(Output.Target metadataTarget, Output.Target sumsTarget) throws Outcome.Problem {
        sums = made(sumsTarget, "--sha256-file");
        metadata = made(metadataTarget, "--metadata");
        sumsFile = whole(sums);
        metadataFile = whole(metadata);
    }

    /** {@code t} once its directory exists; null for none. */
    private static Output.Target made(Output.Target t, String option) throws Outcome.Problem {
        try {
            return t == null ? null : t.withDirectories();
        } catch (IOException e) {
            throw Outcome.ioProblem("cannot create the directory of " + option + " " + t.create(), e);
        }
    }

    /** The library's sink for {@code t} when it is a regular file, else null. */
    private static FileSink.Whole whole(Output.Target t) {
        return t != null && t.kind() == Output.Kind.FILE ? new FileSink.Whole(t.path(), t.ifExists()) : null;
    }

    /** Whether the object's metadata is to be saved ({@code --metadata}, made). */
    boolean savesMetadata() {
        return metadata != null;
    }

    /** Writes the metadata (when the server sent some) to {@code --metadata}; the object is in place. */
    void saveMetadata(byte[] bytes, String prefix) throws IOException {
        Output.Target t = metadata;
        if (bytes == null) {
            if (!settings.quiet()) {
                display.note("note: " + prefix + "the server sent no metadata; " + t.shown() + " was not written");
            }
            return;
        }
        write(t, metadataFile, bytes, Extra.METADATA, prefix);
    }

    /**
     * {@code --sha256-file}: the digests of the objects received, in the order given, in
     * sha256sum's format, written once the run's objects are in place (as the metadata is).
     */
    Outcome writeSums(List<Job> active) {
        Output.Target t = sums;
        if (t == null) {
            return Outcome.SUCCESS;
        }
        StringBuilder text = new StringBuilder();
        for (Job j : active) {
            if (j.digest() != null) {
                text.append(Checksums.line(j.digest(), j.target().shown()));
            }
        }
        if (text.isEmpty()) {
            if (!settings.quiet()) {
                display.note("note: no object was received; --sha256-file " + t.shown() + " was not written");
            }
            return Outcome.SUCCESS;
        }
        try {
            write(t, sumsFile, text.toString().getBytes(StandardCharsets.UTF_8), Extra.SUMS, "");
            log.event("SHA-256 list written to " + t.shown());
            return Outcome.SUCCESS;
        } catch (Outcome.Problem e) {
            display.failed(e.getMessage());
            return e.outcome();
        } catch (IOException e) {
            display.failed(e.getMessage());       // write() words it
            return Outcome.FAILURE;
        }
    }

    /**
     * Writes {@code bytes} to {@code t}: a regular file through {@code file}, its part file
     * renamed into place (see {@link #inTheWay}), standard output, or a FIFO or device as it is.
     */
    private void write(Output.Target t, FileSink.Whole file, byte[] bytes, Extra extra, String prefix)
            throws IOException {
        try {
            switch (t.kind()) {
                case SKIP -> kept(prefix, extra, extra.option() + " " + t.shown() + " exists");
                case FILE -> {
                    try {
                        file.write(bytes);
                    } catch (TargetExistsException e) {
                        inTheWay(e, t, extra, prefix);
                    }
                }
                case STDOUT -> write(stdout.get(), bytes);
                default -> {
                    try (FileChannel ch = FileChannel.open(t.path(), StandardOpenOption.WRITE)) {
                        write(ch, bytes);
                    }
                }
            }
        } catch (Outcome.Problem e) {
            throw e;
        } catch (IOException e) {
            throw Outcome.ioProblem(extra.received() + ", but " + extra.saving() + " " + t.shown() + " failed", e);
        }
    }

    /** Under --if-exists=skip, a file that is there is kept: what was to go into it is not saved. */
    private void kept(String prefix, Extra extra, String why) {
        if (!settings.quiet()) {
            display.note("note: " + prefix + why + "; it was kept and " + extra.contents() + " discarded"
                    + " (--if-exists=skip)");
        }
    }

    private static void write(WritableByteChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * The file was not put in place: what is there decides under --if-exists, as for the
     * object's own file ({@link FileSink#commit}). A regular file that appeared meanwhile was
     * replaced under overwrite; under skip it is kept (a note, exit 0), under fail too (exit 8);
     * anything else is never replaced (exit 8). The objects are in place already.
     */
    private void inTheWay(TargetExistsException e, Output.Target t, Extra extra, String prefix) throws IOException {
        boolean file = e.found() == TargetExistsException.Found.REGULAR_FILE;
        String there = e.found().words();
        if (file && t.ifExists() == Output.IfExists.SKIP) {
            kept(prefix, extra, extra.option() + " " + t.shown() + " appeared during the transfer");
            return;
        }
        throw new Outcome.Problem(Outcome.TARGET_EXISTS, extra.received() + ", but " + extra.option() + " " + t.shown()
                + " appeared during the transfer" + (file ? "" : " (" + there + ")") + "; it was kept and "
                + extra.contents() + " discarded" + (file ? " (use --if-exists=overwrite)"
                : ", only a regular file is replaced"));
    }
}
