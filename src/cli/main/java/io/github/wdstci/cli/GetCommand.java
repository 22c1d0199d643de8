package io.github.wdstci.cli;

import java.util.concurrent.Callable;

import io.github.wdstci.AuthLevel;
import io.github.wdstci.TransferRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wdsget get}: one object from a WDS server into a file. */
@Command(name = "get", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Receive one object from a WDS server by multicast into a file.",
        footer = {"", "Example:", "  wdsget get -s wds01 -n \"WDS:ImageGroup1/boot.wim/1\" boot.wim -o /srv/images/"})
final class GetCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-s", "--server"}, required = true, paramLabel = "HOST", description = "WDS server name or address.")
    String server;

    @Option(names = {"-n", "--namespace"}, required = true, paramLabel = "NAMESPACE",
            description = "Transport namespace on the server.")
    String namespace;

    @Parameters(index = "0", paramLabel = "OBJECT", description = "Object name within the namespace.")
    String object;

    @Option(names = "--auth", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Authenticate to the server (default); --no-auth asks for an unauthenticated session.")
    boolean auth;

    @Mixin
    TransferOptions options;

    private final WdsGet.Context context;

    GetCommand(WdsGet.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        TransferRequest.Builder request = TransferRequest.newBuilder()
                .server(server)
                .namespace(namespace)
                .objectName(object)
                .authLevel(auth ? AuthLevel.AUTH : AuthLevel.NO_AUTH);
        return options.transfer(spec, request, options.target(defaultName(object)), null, context).run();
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
