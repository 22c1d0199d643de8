package io.github.wdstci.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Stack;

import io.github.wdstci.TransferRequest;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options {@code get} and {@code demo} share: the client cache, where the
 * object goes, how it is checked, what is shown.
 */
final class TransferOptions {

    /** Below this, the cache size makes the transport cut the object into tiny blocks. */
    static final long SMALL_CACHE = 64 << 10;

    /** The largest cache size ({@code ulCacheSize} is 32-bit). */
    static final long MAX_CACHE = 0xFFFF_FFFFL;

    /** The command these options belong to ({@code get} or {@code demo}), for its usage errors. */
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = {"Where the object goes: a file (replaced atomically, only with --if-exists=overwrite);"
                    + " a directory, or a path ending in /, to receive it under its own name;"
                    + " a block device, written in place (with --device); a FIFO or character device,"
                    + " or - for standard output, streamed in order.",
                    "A symbolic link is written through to its target and stays a link."})
    String output;

    @Option(names = "--if-exists", paramLabel = "POLICY", defaultValue = "fail",
            completionCandidates = LowerCase.IfExists.class, converter = LowerCase.IfExists.class,
            description = "When the output file (or the --metadata file) exists: ${COMPLETION-CANDIDATES}"
                    + " (default: ${DEFAULT-VALUE}).")
    Output.IfExists ifExists;

    @Option(names = "--device", description = "Confirm that --output is a block device to overwrite in place (anything else there is"
                    + " refused, exit 2).")
    boolean device;

    @Option(names = "--create-dirs", description = "Create the output directory (and its parents) when missing.")
    boolean createDirs;

    @Option(names = "--sha256", arity = "0..1", paramLabel = "HEX", fallbackValue = "",
            preprocessor = Sha256Value.class,
            description = "Print the SHA-256 of what was received (alone with -q); with HEX, also require it to match"
                    + " (a mismatch keeps no file and exits with 7). In '--sha256 HEX', the next argument is taken"
                    + " as HEX only when it is 64 hex digits; anything else is an object name or an option.")
    String sha256;

    @Option(names = "--metadata", paramLabel = "FILE",
            description = "Save the object's metadata (as the server sends it) to FILE. A file there follows"
                    + " --if-exists; under skip it is kept, and the object still received.")
    String metadata;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Give up (exit 9) when the whole transfer takes longer than this, e.g. 90s, 30m, 1h30m;"
                    + " what is still arriving is not kept (get -c keeps it as a partial file), objects already received stay.")
    Duration timeout;

    @Option(names = "--sha256-file", paramLabel = "FILE",
            description = "Write the SHA-256 of every object received to FILE, as sha256sum does (sha256sum -c checks"
                    + " them later); - for standard output. A file there follows --if-exists.")
    String sha256File;

    @Option(names = "--check", paramLabel = "FILE",
            description = "Require each object to match its SHA-256 in FILE, a sha256sum list (by output name, else"
                    + " file name); a mismatch keeps no file and exits with 7, an object not listed is refused (exit 2).")
    String check;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "Try an object again up to N times when its transfer fails for a transient reason (a"
                    + " connection reset or aborted, a network or host unreachable, a timeout, a stall), waiting 1s, 2s,"
                    + " 4s ... (at most 1m) between; a retry of a file continues it where the transport library can ask"
                    + " for the missing ranges, else starts over (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--stall-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "End an attempt when no block has arrived for this long, e.g. 30s; then --retries applies"
                    + " (exit 9 when none is left).")
    Duration stallTimeout;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Append what happens to FILE, one timestamped line per event: the transport library, the"
                    + " sessions, metadata, the ranges negotiated, failures, retries, what was received; - for standard"
                    + " error.")
    String log;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "32MiB", converter = ByteSize.Converter.class,
            description = "Bytes received but not yet written that the client may hold; it also bounds the block size"
                    + " (0: no limit; at most 4294967295; default: ${DEFAULT-VALUE}).")
    long cacheSize;

    @Option(names = {"-j", "--parallel"}, paramLabel = "N", defaultValue = "4",
            description = "Objects received at the same time (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--spool-dir", paramLabel = "DIR",
            description = "Where blocks that arrive ahead of their turn wait while streaming to standard output,"
                    + " a FIFO or a character device (default: the temporary directory).")
    Path spoolDir;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            completionCandidates = LowerCase.Progress.class, converter = LowerCase.Progress.class,
            description = "${COMPLETION-CANDIDATES}: on standard error, a live bar where it is a terminal, key=value"
                    + " lines otherwise (default: ${DEFAULT-VALUE}).")
    Display.Mode progress;

    @Option(names = {"-q", "--quiet"}, description = "No progress, no notes and no summary: errors only"
            + " (and the hash, with --sha256).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces with errors; say which stale partial files"
            + " of killed runs were removed.")
    boolean verbose;

    /**
     * {@code --sha256}'s optional value, when written apart: picocli would take whatever argument
     * follows that is not an option, so that {@code --sha256 boot.wim} swallowed the object's name.
     * Only a digest (64 hex digits) is taken; before anything else, {@code --sha256} stands alone.
     * {@code --sha256=VALUE} is always the value, and checked as one; an empty one is refused.
     */
    static final class Sha256Value implements CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandLine.Model.CommandSpec command,
                                  CommandLine.Model.ArgSpec option, Map<String, Object> info) {
            if ("=".equals(info.get("separator")) && !args.isEmpty() && args.peek().isEmpty()) {
                // '--sha256=' with nothing after it (an empty shell variable, say): a digest left
                // out, not a request to print one, which the empty value would otherwise mean
                throw new CommandLine.ParameterException(command.commandLine(),
                        "--sha256= expects 64 hex digits after '=' (or --sha256 alone to print the digest)");
            }
            boolean apart = " ".equals(info.get("separator"));
            if (apart && !args.isEmpty() && !args.peek().matches("(?i)[0-9a-f]{64}")) {
                // what picocli does with --sha256 at the end: the fallback value, nothing consumed
                args.push(((CommandLine.Model.OptionSpec) option).fallbackValue());
            }
            return false;
        }
    }

    /** Library field names, as its messages use them, and the option a user gives instead. */
    private static final Map<String, String> FIELDS = Map.of(
            "server", "--server", "namespace", "--namespace", "objectName", "OBJECT", "cacheSize", "--cache-size",
            "authLevel", "--auth");

    /**
     * Builds a request with this cache size.
     *
     * @throws CommandLine.ParameterException naming the option, when the library refuses a value
     */
    TransferRequest request(CommandLine.Model.CommandSpec spec, TransferRequest.Builder builder) {
        if (cacheSize > MAX_CACHE) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cache-size must be at most "
                    + MAX_CACHE + " bytes (4GiB - 1): " + cacheSize);
        }
        if (parallel < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallel must be at least 1: " + parallel);
        }
        if (retries < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--retries must not be negative: " + retries);
        }
        try {
            return builder.cacheSize(cacheSize).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), optionNames(e.getMessage()), e);
        }
    }

    /** A library message with its field name replaced by the option's ({@code objectName ...} → {@code OBJECT ...}). */
    static String optionNames(String message) {
        String m = String.valueOf(message);
        int space = m.indexOf(' ');
        String first = space < 0 ? m : m.substring(0, space);
        String option = FIELDS.get(first);
        return option == null ? m : option + m.substring(first.length());
    }

    /** The warning for a cache so small that blocks become tiny, or null. */
    String cacheWarning() {
        if (cacheSize > 0 && cacheSize < SMALL_CACHE) {
            return "warning: --cache-size " + ByteSize.format(cacheSize) + " also caps every block at "
                    + ByteSize.format(cacheSize) + ", which makes the transfer very slow (default: 32MiB)";
        }
        return null;
    }

    /**
     * The run of these objects with these options.
     *
     * @param keepless     without --output, keep nothing (demo) instead of writing files
     * @param standInNote  whether to say on stderr that the transport is the stand-in
     * @param resume       {@code get -c}: continue the part files an earlier run left, keep a failed one
     */
    Transfer transfer(List<Job.Spec> specs, boolean keepless, boolean standInNote, boolean resume,
                      WdsGet.Context context) {
        if (quiet && (progress == Display.Mode.BAR || progress == Display.Mode.LINES)) {
            throw new CommandLine.ParameterException(mixee.commandLine(),
                    "--quiet shows errors only, --progress=" + progress.name().toLowerCase(java.util.Locale.ROOT)
                    + " a display: give one of them");
        }
        Display.Mode mode = quiet ? Display.Mode.NONE : progress;
        Path spool = spoolDir != null ? spoolDir : Path.of(System.getProperty("java.io.tmpdir"));
        TransferSettings settings = new TransferSettings(new Output(output, ifExists, device, createDirs), sha256,
                metadata, timeout, parallel, spool, mode, quiet, verbose, standInNote, quiet ? null : cacheWarning(),
                new Retries(retries), stallTimeout, log, sha256File, check, resume);
        return new Transfer(specs, keepless, settings, context);
    }
}
