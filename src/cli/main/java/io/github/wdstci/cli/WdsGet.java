package io.github.wdstci.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wdsget}: receives objects from a Windows Deployment Services server
 * by multicast, through the wdstci binding. On Linux it runs against the
 * bundled stand-in; {@code wdsget demo} needs no server.
 *
 * <p>Exit codes are those of {@link Outcome}. Errors are one line on standard
 * error ({@code wdsget: ...}, with the Win32 code's name); {@code --verbose}
 * adds the stack trace.
 */
@Command(name = "wdsget", mixinStandardHelpOptions = true, versionProvider = WdsGet.Version.class,
        description = "Receive objects from a Windows Deployment Services server by multicast.",
        synopsisSubcommandLabel = "COMMAND",
        exitCodeListHeading = "%nExit codes:%n",
        footer = {"", "Run 'wdsget COMMAND --help' for a command's options."})
public final class WdsGet implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private WdsGet() {
    }

    /** Runs wdsget and exits the JVM with its exit code. */
    public static void main(String[] args) {
        Console c = System.console();
        int code = execute(args, System.out, System.err, c != null && c.isTerminal());
        System.exit(code);
    }

    /**
     * Runs wdsget in this JVM (what {@link #main} does, without exiting).
     *
     * @param terminal whether {@code out} is a terminal (selects the progress bar)
     * @return the exit code
     */
    static int execute(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        Context context = new Context(out, err, terminal);
        CommandLine cli = new CommandLine(new WdsGet())
                .addSubcommand(new GetCommand(context))
                .addSubcommand(new DemoCommand(context))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true, charset(out)))
                .setErr(new PrintWriter(err, true, charset(err)))
                .setParameterExceptionHandler(WdsGet::usageError)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    err.println("wdsget: internal error: " + e);
                    e.printStackTrace(err);
                    return Outcome.FAILURE.exitCode();
                });
        cli.getCommandSpec().usageMessage().exitCodeList(exitCodes());
        return cli.execute(args);
    }

    private static Map<String, String> exitCodes() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : Outcome.helpList()) {
            int colon = s.indexOf(':');
            m.put(String.format("%4s", s.substring(0, colon)), s.substring(colon + 1));
        }
        return m;
    }

    private static Charset charset(PrintStream s) {
        return s.charset();
    }

    /** A usage error: the message and where to find help, not the whole usage text. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("wdsget: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return Outcome.USAGE.exitCode();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: get or demo");
    }

    /** What the commands need from the process: streams and whether output is a terminal. */
    record Context(PrintStream out, PrintStream err, boolean terminal) {
        Transfer.CliIo io(boolean verbose) {
            return new Transfer.CliIo(out, err, terminal, verbose);
        }
    }

    /** {@code --version}: wdsget's version, the JDK and the platform. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = WdsGet.class.getResourceAsStream("wdsget.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {
                    "wdsget " + p.getProperty("version", "(unknown version)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                            + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
            };
        }
    }
}
