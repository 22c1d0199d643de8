package io.github.wdstci.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.wdstci.TransferRequest;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options {@code get} and {@code demo} share: the client cache, where the object goes, what is shown. */
final class TransferOptions {

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "32MiB", converter = ByteSize.Converter.class,
            description = "Bytes received but not yet written that the client may hold (0: no limit; "
                    + "default: ${DEFAULT-VALUE}).")
    long cacheSize;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = "File to write; a directory receives the object under its own name.")
    Path output;

    @Option(names = "--if-exists", paramLabel = "POLICY", defaultValue = "fail",
            description = "When the output exists: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Transfer.IfExists ifExists;

    @Option(names = "--sha256", arity = "0..1", paramLabel = "HEX", fallbackValue = "",
            description = "Print the SHA-256 of the result; with HEX, also require it to match "
                    + "(a mismatch keeps nothing and exits with 7).")
    String sha256;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "${COMPLETION-CANDIDATES}: a live bar on a terminal, key=value lines otherwise "
                    + "(default: ${DEFAULT-VALUE}).")
    Display.Mode progress;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no summary; errors only.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces with errors.")
    boolean verbose;

    Display.Mode mode() {
        return quiet ? Display.Mode.NONE : progress;
    }

    /** The output file: {@code --output}, or the name in {@code defaultName} inside it when it is a directory. */
    Path target(String defaultName) {
        if (output == null) {
            return Path.of(defaultName);
        }
        return Files.isDirectory(output) ? output.resolve(defaultName) : output;
    }

    /**
     * The transfer of what {@code request} names (its cache size set here) into {@code target}.
     *
     * @param syntheticSeed the synthetic object's seed, to verify its content; null for none
     * @throws CommandLine.ParameterException when the request is invalid (the message names the field)
     */
    Transfer transfer(CommandLine.Model.CommandSpec spec, TransferRequest.Builder request, Path target,
                      Long syntheticSeed, WdsGet.Context context) {
        TransferRequest r;
        try {
            r = request.cacheSize(cacheSize).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        return new Transfer(r, target, ifExists, sha256, syntheticSeed, mode(), context.io(verbose));
    }
}
