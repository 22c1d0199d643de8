package io.github.wdstci.cli;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of a run of {@code get} or {@code demo}, from the command line
 * ({@link TransferOptions}); {@code resume} is {@code get -c}.
 */
record TransferSettings(Output output, String sha256, String metadata, Duration timeout, int parallel, Path spoolDir,
                        Display.Mode mode, boolean quiet, boolean verbose, boolean standInNote, String warning,
                        Retries retries, Duration stallTimeout, String log, String sha256File, String check,
                        boolean resume) {

    /** Whether each object's SHA-256 is computed: to print, to check or to list it. */
    boolean hashes() {
        return sha256 != null || sha256File != null || check != null;
    }
}
