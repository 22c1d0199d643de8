package io.github.wdstci.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * wdsget's commands, added to its model by this transformer rather than listed in
 * {@link WdsGet}'s annotation: picocli builds every listed subcommand by reflection, each
 * option and mixin of it, before it parses anything, which was a tenth of the start-up of
 * any command. A command line that names its command gets that command alone
 * ({@link #needed}); anything else (no command, an unknown one, {@code help}, whose list
 * names them all, {@code generate-completion}, an {@code @FILE} argument) gets them all, as
 * picocli's tools do (the man pages, the completion script), which create this transformer
 * with its no-argument constructor.
 *
 * <p>It also gives picocli's {@code help} command the {@code -V, --version} every other
 * command has (mixinStandardHelpOptions, which it lacks): without it, {@code wdsget help -V}
 * took {@code -V} for an unknown argument, ignored it, and printed wdsget's help.
 */
final class Subcommands implements CommandLine.IModelTransformer {

    /** Every command, in the order wdsget's help lists them. */
    static final Map<String, Class<?>> ALL = all();

    private static Map<String, Class<?>> all() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("get", GetCommand.class);
        m.put("demo", DemoCommand.class);
        m.put("doctor", DoctorCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        m.put("generate-completion", AutoComplete.GenerateCompletion.class);
        return m;
    }

    private final String only;           // null: every command

    /** Every command (picocli's tools). */
    Subcommands() {
        this(null);
    }

    /** Only the command {@code only}; every command when it is null. */
    Subcommands(String only) {
        this.only = only;
    }

    /**
     * The one command that running {@code args} needs in the model, or null when it needs them
     * all. wdsget's own options ({@code -h}, {@code -V}) take no value, so the first argument
     * that is not an option names the command; picocli's {@code @FILE} arguments may name
     * anything, and {@code --} ends the options.
     */
    static String needed(String[] args) {
        for (String a : args) {
            if (a.startsWith("@") || a.equals("--")) {
                return null;
            }
            if (!a.startsWith("-")) {
                return ALL.containsKey(a) && !a.equals("help") && !a.equals("generate-completion") ? a : null;
            }
        }
        return null;
    }

    @Override
    public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
        CommandLine cli = spec.commandLine();
        ALL.forEach((name, cls) -> {
            if (only == null || only.equals(name)) {
                cli.addSubcommand(name, cls);
            }
        });
        CommandLine help = spec.subcommands().get("help");
        if (help != null && help.getCommandSpec().findOption("--version") == null) {
            help.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-V", "--version")
                    .versionHelp(true).description("Print version information and exit.").build());
        }
        return spec;
    }
}
