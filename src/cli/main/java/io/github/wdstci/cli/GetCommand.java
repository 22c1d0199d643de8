package io.github.wdstci.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.github.wdstci.TransferRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wdsget get}: one or more objects from a WDS server into files, a device or a stream. */
@Command(name = "get", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Receive objects from a WDS server by multicast. Several objects are received at the same"
                + " time (see --parallel) into a directory; the exit code is that of the worst outcome."},
        footerHeading = "%nNotes:%n", footer = {ByteSize.HELP, "", Durations.HELP, "",
                "Without -s or -n, the server and namespace come from WDSGET_SERVER and%n"
                + "WDSGET_NAMESPACE, else from the config file $XDG_CONFIG_HOME/wdsget/config%n"
                + "(by default ~/.config/wdsget/config), lines 'server = HOST' and%n'namespace = NAMESPACE'.", "",
                "Examples:",
                "  wdsget get -s wds01 -n \"WDS:ImageGroup1/boot.wim/1\" boot.wim -o /srv/images/",
                "  wdsget get -s wds01 -n images install.wim -o /dev/sdb --device",
                "  wdsget get -s wds01 -n images boot.wim -o - | ssh store 'cat > boot.wim'",
                "  wdsget get -s wds01 -n images a.wim b.wim c.wim -o images/ --create-dirs",
                "  wdsget get -s wds01 -n images install.wim -c --retries 5"})
final class GetCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-s", "--server"}, paramLabel = "HOST",
            description = "WDS server name or address (default: WDSGET_SERVER, else the config file's).")
    String server;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "Transport namespace on the server (default: WDSGET_NAMESPACE, else the config file's).")
    String namespace;

    // index 0..*: names may stand anywhere among the options ("a.wim -q b.wim"), not only side by side
    @Parameters(index = "0..*", arity = "0..*", paramLabel = "OBJECT",
            description = "Object names within the namespace (at least one, here or in -i FILE).")
    List<String> objects = new ArrayList<>();

    @Option(names = {"-i", "--input-file"}, paramLabel = "FILE",
            description = "Also receive the objects listed in FILE (- for standard input), one per line; a tab and"
                    + " a file name after an object name give its output (inside -o DIR when given).")
    String inputFile;

    @Option(names = {"-c", "--continue"},
            description = "Continue the partial file an earlier run left (killed, or failed with -c), asking for the"
                    + " missing ranges only; without one, receive the whole object. Keep the partial file when this run"
                    + " fails too.")
    boolean resume;

    @Mixin
    AuthOption auth;

    @Mixin
    TransferOptions options;

    @Override
    public Integer call() {
        WdsGet.Context context = WdsGet.context(spec);
        List<ObjectList.Entry> entries = new ArrayList<>();
        objects.forEach(o -> entries.add(new ObjectList.Entry(o, null)));
        String host = server;
        String space = namespace;
        List<String> missing = new ArrayList<>();
        try {
            if (inputFile != null) {
                entries.addAll(ObjectList.read(inputFile, context.stdin()));
            }
            // read also when both are given: a broken config file is said even when not needed
            Defaults defaults = Defaults.load(context.env());
            host = host != null ? host : defaults.server();
            space = space != null ? space : defaults.namespace();
            if (host == null) {
                missing.add(defaults.whereToGive("--server", "WDSGET_SERVER", "server"));
            }
            if (space == null) {
                missing.add(defaults.whereToGive("--namespace", "WDSGET_NAMESPACE", "namespace"));
            }
        } catch (Outcome.Problem e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (entries.isEmpty()) {
            missing.add("OBJECT: give at least one" + (inputFile == null ? "" : " (-i " + inputFile + " lists none)"));
        }
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing " + String.join("; missing ", missing));
        }
        List<Job.Spec> specs = new ArrayList<>();
        for (ObjectList.Entry e : entries) {
            TransferRequest request = options.request(spec, TransferRequest.newBuilder()
                    .server(host)
                    .namespace(space)
                    .objectName(syntheticName(space, e.object()))
                    .authLevel(auth.level()));
            specs.add(Job.Spec.object(request, e.object(), e.output()));
        }
        return options.transfer(specs, false, true, resume, context).run();
    }

    /**
     * The name to ask the transport for. The stand-in's synthetic objects are named by their
     * size, which it reads in whole B, K/KiB, M/MiB, G/GiB or T/TiB only: a size written as the
     * options take it ({@code 1GB}, {@code 1.5GiB}, {@code 1PiB}) is passed on in bytes, as the
     * demo passes its {@code --size}. Any other name, namespace or transport is left as given.
     */
    static String syntheticName(String namespace, String object) {
        if (!"synthetic".equalsIgnoreCase(namespace) || object == null) {
            return object;
        }
        int q = object.indexOf('?');
        String size = q < 0 ? object : object.substring(0, q);
        long bytes;
        try {
            bytes = ByteSize.parse(size);
        } catch (IllegalArgumentException e) {
            return object;                   // not a size: the transport says it is not found
        }
        if (size.strip().equals(size) && !size.contains(".") && !size.matches("(?i).*[kmgtp]b")
                && !size.matches("(?i).*p(ib)?")) {
            return object;                   // a size the stand-in reads as it is
        }
        return Transport.identify().standIn() ? bytes + (q < 0 ? "" : object.substring(q)) : object;
    }

    /** The object's last name component, without stand-in options ({@code ?...}); "object" if none is left. */
    static String defaultName(String object) {
        String s = object;
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        s = s.substring(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1).strip();
        return s.isEmpty() || s.equals(".") || s.equals("..") ? "object" : s;
    }
}
