package io.github.wdstci.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

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
        modelTransformer = Subcommands.class,
        description = "Receive objects from a Windows Deployment Services server by multicast.",
        synopsisSubcommandLabel = "COMMAND",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "   0:success",
                "   1:other failure",
                "   2:invalid command line",
                "   3:object or namespace not found",
                "   4:server unreachable",
                "   5:access denied",
                "   6:disk full (or the device is too small)",
                "   7:verification failed (SHA-256 or content)",
                "   8:output exists (see --if-exists and --device)",
                "   9:timed out (see --timeout)",
                " 129:hung up (SIGHUP: the terminal closed); cleaned up as for SIGTERM",
                " 130:cancelled (Ctrl-C or the transport)",
                " 143:terminated (SIGTERM)"},
        footerHeading = "%nNotes:%n",
        footer = {"With several objects the exit code is that of the worst outcome, in this order: "
                + "130, 9, 7, 6, 5, 4, 3, 1, 8.",
                "", "Run 'wdsget help COMMAND' for a command's options; 'wdsget doctor' checks the setup."})
public final class WdsGet implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Context context;         // null when picocli's tools build the command for documentation

    /** For picocli's tools (man page, completion script): a command that is described, never run. */
    WdsGet() {
        this(null);
    }

    private WdsGet(Context context) {
        this.context = context;
    }

    /** Runs wdsget and exits the JVM with its exit code. */
    public static void main(String[] args) {
        String answer = Shortcuts.answer(args);
        if (answer != null) {
            Stdout printed = Stdout.install();
            System.out.print(answer);
            System.out.flush();
            int code = afterOutput(0, args, System.out.checkError(), printed.failure(), System.err);
            if (code != 0) {
                System.exit(code);
            }
            return;             // exit code 0 without System.exit, whose logging (System.Logger) costs more
        }
        // first: a signal at any moment from here on says so (see Signals)
        Signals.install(System.err);
        int code;
        try {
            code = run(args);
        } finally {
            Signals.ended();        // System.exit runs the shutdown hook too: it must say nothing then
        }
        System.exit(code);
    }

    /** What {@link #main} does before it exits: the exit code. */
    private static int run(String[] args) {
        Stdout printed = Stdout.install();
        Supplier<WritableByteChannel> stdout = new Supplier<>() {
            private WritableByteChannel channel;

            @Override
            public synchronized WritableByteChannel get() {
                if (channel == null) {
                    System.out.flush();
                    channel = new FileOutputStream(FileDescriptor.out).getChannel();
                }
                return channel;
            }
        };
        String command = Subcommands.needed(args);
        if ("get".equals(command) || "demo".equals(command)) {
            Transport.openEarly();           // while picocli builds the command (see there)
        }
        String unreadable = Arguments.unreadable(args);
        if (unreadable != null) {
            System.err.println("wdsget: " + Visible.of(unreadable));
            return Outcome.USAGE.exitCode();
        }
        // asked when first needed: JLine is loaded only where a bar may be drawn (see Tty)
        Context c = new Context(System.out, System.err, once(Tty::stdoutIsTerminal), once(Tty::stderrIsTerminal),
                Tty::stdoutWidth, Tty::stderrWidth, stdout, once(() -> FileTypes.keepsNothing(FileTypes.STANDARD_OUTPUT)),
                System::getenv, System.in);
        int code = execute(args, c, command);
        Signals.ended();            // the command has ended: a signal now changes nothing
        System.out.flush();
        return afterOutput(code, args, System.out.checkError(), printed.failure(), System.err);
    }

    /**
     * The exit code once it is known whether what a command printed (the hash, records,
     * --version, doctor, help) reached standard output. Not all of it did: a full disk behind a
     * redirection fails the run, and says so. A reader that went away ({@code | head -1}) or a
     * standard output closed ({@code >&-}) only matters to a command that receives objects
     * (their hashes went nowhere); for one that receives nothing, it is what the user asked for.
     *
     * @param lost   whether a write to standard output failed
     * @param reason the first such failure, when known
     */
    static int afterOutput(int code, String[] args, boolean lost, IOException reason, PrintStream err) {
        if (code != 0 || !lost) {
            return code;
        }
        String why = reason == null ? "" : String.valueOf(reason.getMessage()).toLowerCase(Locale.ROOT);
        boolean unread = why.contains("broken pipe") || why.contains("bad file descriptor")
                || why.contains("pipe is being closed");
        boolean receives = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst()
                .map(a -> a.equals("get") || a.equals("demo")).orElse(false);
        if (unread && !receives) {
            return code;
        }
        err.println("wdsget: not everything printed reached standard output ("
                + (reason == null ? "its disk is full, or its reader went away" : Visible.of(reason.getMessage()))
                + ")" + (receives ? "; anything received is in place" : ""));
        return Outcome.FAILURE.exitCode();
    }

    /** Standard output that remembers why a write failed: a PrintStream only says that one did. */
    static final class Stdout extends FilterOutputStream {
        private volatile IOException failure;

        private Stdout(OutputStream out) {
            super(out);
        }

        /** Puts one in place of {@code System.out}, with its encoding. */
        static Stdout install() {
            Stdout s = new Stdout(new FileOutputStream(FileDescriptor.out));
            System.setOut(new PrintStream(new BufferedOutputStream(s, 8192), true, System.out.charset()));
            return s;
        }

        /** The first write that failed, or null. */
        IOException failure() {
            return failure;
        }

        private IOException failed(IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw failed(e);
            }
        }
    }

    /** {@code answer}, asked once, when first needed. */
    private static BooleanSupplier once(BooleanSupplier answer) {
        return new BooleanSupplier() {
            private Boolean known;

            @Override
            public synchronized boolean getAsBoolean() {
                if (known == null) {
                    known = answer.getAsBoolean();
                }
                return known;
            }
        };
    }

    /**
     * Runs wdsget in this JVM (what {@link #main} does, without exiting).
     *
     * @return the exit code
     */
    static int execute(String[] args, Context context) {
        return execute(args, context, Subcommands.needed(args));
    }

    /**
     * Runs wdsget with only the command {@code only} in its model ({@link Subcommands}), or
     * every command when it is null.
     */
    static int execute(String[] args, Context context, String only) {
        CommandLine cli = model(context, only);
        cli.setOut(new PrintWriter(context.out(), true, context.out().charset()))
                .setErr(new PrintWriter(context.err(), true, context.err().charset()))
                .setParameterExceptionHandler(WdsGet::usageError)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    context.err().println("wdsget: internal error: " + Visible.of(String.valueOf(e)));
                    context.err().print(Visible.stackTrace(e));
                    return Outcome.FAILURE.exitCode();
                });
        return cli.execute(args);
    }

    /**
     * wdsget's command model, as it runs: with only the command {@code only}, or every command
     * when it is null ({@link Subcommands}); {@code context} null: described, never run
     * ({@link HelpText}).
     */
    static CommandLine model(Context context, String only) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == WdsGet.class ? cls.cast(new WdsGet(context))
                        : cls == Subcommands.class ? cls.cast(new Subcommands(only)) : defaults.create(cls);
            }
        };
        CommandLine cli = new CommandLine(WdsGet.class, factory);
        // every command offers -V (mixinStandardHelpOptions): without this, get, demo and doctor have
        // no version to print and print nothing, and generate-completion prints picocli's
        CommandLine.IVersionProvider version = cli.getCommandSpec().versionProvider();
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(version));
        return cli.setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** A usage error: the message and where to find help, not the whole usage text. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("wdsget: " + Visible.of(e.getMessage()));   // the message quotes what was typed
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return Outcome.USAGE.exitCode();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: get, demo, doctor or help");
    }

    /** The process around the commands, from any command's model. */
    static Context context(CommandLine.Model.CommandSpec spec) {
        return ((WdsGet) spec.root().userObject()).context;
    }

    /**
     * What the commands need from the process.
     *
     * @param out         standard output (text)
     * @param err         standard error
     * @param outTty      whether standard output is a terminal ({@link #outTerminal})
     * @param errTty      whether standard error is a terminal ({@link #errTerminal})
     * @param outWidth    standard output's terminal width
     * @param errWidth    standard error's terminal width
     * @param stdout      standard output as a channel, for an object's bytes ({@code -o -})
     * @param outDropped  whether standard output keeps nothing written to it ({@code > /dev/null})
     * @param env         the environment ({@link System#getenv(String)}): the defaults' variables
     *                    and the config file's location ({@link Defaults})
     * @param stdin       standard input ({@code -i -})
     */
    record Context(PrintStream out, PrintStream err, BooleanSupplier outTty, BooleanSupplier errTty,
                   IntSupplier outWidth, IntSupplier errWidth, Supplier<WritableByteChannel> stdout,
                   BooleanSupplier outDropped, Function<String, String> env, InputStream stdin) {

        /** Whether standard output is a terminal. */
        boolean outTerminal() {
            return outTty.getAsBoolean();
        }

        /** Whether standard error is a terminal. */
        boolean errTerminal() {
            return errTty.getAsBoolean();
        }
    }

    /** wdsget's version, from the build. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = WdsGet.class.getResourceAsStream("wdsget.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // reported as unknown
        }
        return p.getProperty("version", "(unknown version)");
    }

    /** The JDK, as {@code --version} and {@code doctor} show it. */
    static String java() {
        return "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    /** {@code --version}: wdsget's version, the JDK and the platform, and (when run) the transport library. */
    static final class Version implements CommandLine.IVersionProvider {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public String[] getVersion() {
            boolean run = spec != null && spec.userObject() instanceof WdsGet w && w.context != null;
            return run ? lines() : new String[] {"wdsget " + version()};
        }

        /** What {@code --version} prints when run. */
        static String[] lines() {
            return new String[] {"wdsget " + version(), java(), "Transport: " + Visible.of(Transport.identify().text())};
        }
    }
}
