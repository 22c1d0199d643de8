package io.github.wdstci.cli;

import java.util.Set;

import picocli.CommandLine;

/**
 * The command lines wdsget answers without picocli's command model: {@code --help},
 * {@code -h} and {@code help}, for wdsget or one command ({@code help get},
 * {@code get --help}), print the text the build rendered ({@link HelpText}); {@code -V}
 * and {@code --version} print the version lines. Building the model (every option of every
 * command, by reflection) took most of the time those answers took. What they print is what
 * picocli prints for the same command line; anything else, and anything picocli would print
 * otherwise (its {@code picocli.*} system properties set, a version line that its
 * formatting would change), goes to picocli.
 */
final class Shortcuts {

    private static final Set<String> HELP = Set.of("-h", "--help");
    private static final Set<String> VERSION = Set.of("-V", "--version");

    /** wdsget's commands ({@link Subcommands#ALL}'s names, which a test compares): not their classes. */
    static final Set<String> COMMANDS = Set.of("get", "demo", "doctor", "help", "generate-completion");

    private Shortcuts() {
    }

    /**
     * What {@code args} prints when it is one of the shortcuts (exit code 0).
     *
     * @return the text for standard output, or null when picocli is to answer
     */
    static String answer(String[] args) {
        String topic = helpTopic(args);
        if (topic != null) {
            return picocliConfigured() ? null : HelpText.prerendered(topic, ansi());
        }
        if (versionAsked(args)) {
            String[] lines = WdsGet.Version.lines();
            StringBuilder text = new StringBuilder();
            for (String line : lines) {
                if (line.contains("%") || line.contains("@|")) {
                    return null;      // picocli formats each line (String.format, its markup)
                }
                text.append(line).append(System.lineSeparator());
            }
            return text.toString();
        }
        return null;
    }

    /**
     * Whether picocli styles its help here ({@code Help.Ansi.AUTO}). It does only where
     * standard output is a terminal ({@code System.console()}, whose look-up of console
     * providers costs about as much as the rest of printing the help), unless
     * {@code CLICOLOR_FORCE} says so: where standard output cannot be a terminal, that is
     * known without asking.
     */
    private static boolean ansi() {
        String force = System.getenv("CLICOLOR_FORCE");
        if ((force == null || force.equals("0")) && !FileTypes.mayBeTerminal(FileTypes.STANDARD_OUTPUT)) {
            return false;
        }
        return CommandLine.Help.Ansi.AUTO.enabled();
    }

    /**
     * The command whose help {@code args} asks for ("" for wdsget's), or null when it asks for
     * something else: {@code -h}, {@code help}, {@code help COMMAND}, {@code COMMAND -h}.
     */
    static String helpTopic(String[] args) {
        if (args.length == 1 && (HELP.contains(args[0]) || args[0].equals("help"))) {
            return "";
        }
        if (args.length == 2 && COMMANDS.contains(args[1]) && args[0].equals("help")) {
            return args[1];
        }
        if (args.length == 2 && COMMANDS.contains(args[0]) && HELP.contains(args[1])) {
            return args[0];
        }
        return null;
    }

    /** Whether {@code args} is {@code -V} alone, or after a command ({@code get -V}). */
    static boolean versionAsked(String[] args) {
        return (args.length == 1 && VERSION.contains(args[0]))
                || (args.length == 2 && COMMANDS.contains(args[0]) && VERSION.contains(args[1]));
    }

    /** Whether a system property configures picocli (its width, its styles...). */
    private static boolean picocliConfigured() {
        for (Object key : System.getProperties().keySet()) {
            if (key instanceof String k && k.startsWith("picocli.")) {
                return true;
            }
        }
        return false;
    }
}
