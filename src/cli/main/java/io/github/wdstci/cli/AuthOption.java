package io.github.wdstci.cli;

import io.github.wdstci.AuthLevel;
import picocli.CommandLine.Option;

/**
 * {@code --no-auth}, which {@code get} and {@code doctor} share: an option of its own (picocli's
 * negatable {@code --[no-]auth} left {@code --no-auth} out of the completion script). The
 * default it turns off, {@code --auth}, is still taken from older scripts, hidden; the last of
 * the two wins.
 */
final class AuthOption {

    private boolean on = true;

    @Option(names = "--no-auth", description = "Ask for an unauthenticated session (default: authenticate).")
    void noAuth(boolean given) {
        on = false;
    }

    @Option(names = "--auth", hidden = true)
    void auth(boolean given) {
        on = true;
    }

    /** Whether to authenticate. */
    boolean on() {
        return on;
    }

    /** The request's authentication level. */
    AuthLevel level() {
        return on ? AuthLevel.AUTH : AuthLevel.NO_AUTH;
    }
}
