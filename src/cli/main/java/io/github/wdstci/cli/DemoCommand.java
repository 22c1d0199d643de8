package io.github.wdstci.cli;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

import io.github.wdstci.TransferRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wdsget demo}: a synthetic object through the bundled stand-in (no
 * server needed), delivered out of order, every byte verified.
 */
@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Receive a synthetic object through the Linux stand-in of WDSTPTC.dll (no server needed): "
                + "blocks arrive out of order and every byte is checked against the expected content.",
                "Without --output nothing is written to disk."},
        footerHeading = "%nNotes:%n", footer = {ByteSize.HELP, "", Durations.HELP})
final class DemoCommand implements Callable<Integer> {

    /** The stand-in's largest block (ST_MAX_BLOCK). */
    static final long MAX_BLOCK = 64L << 20;

    /** Delivery orders the stand-in offers. */
    enum Order { SEQ, WRAP, SHUFFLE }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "1GiB", converter = ByteSize.Converter.class,
            description = "Object size (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--block", paramLabel = "SIZE", defaultValue = "64KiB", converter = ByteSize.Converter.class,
            description = "Block size, at most 64MiB (default: ${DEFAULT-VALUE}).")
    long block;

    @Option(names = "--order", paramLabel = "ORDER", defaultValue = "shuffle",
            completionCandidates = LowerCase.Order.class, converter = LowerCase.Order.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Order order;

    @Option(names = "--delay", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Pause before every block (a slow transfer, e.g. 20ms).")
    java.time.Duration delay;

    @Option(names = "--seed", paramLabel = "N", description = "Content seed (default: random).")
    Long seed;

    @Mixin
    TransferOptions options;

    @Override
    public Integer call() {
        if (block <= 0 || block > MAX_BLOCK) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--block must be between 1 and 64MiB: " + block);
        }
        if (size < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--size must not be negative: " + size);
        }
        if (Math.ceilDiv(size, block) > Integer.MAX_VALUE) {
            // every block is checked off in a bit set, which holds at most 2^31-1 of them
            throw new CommandLine.ParameterException(spec.commandLine(), "--size " + ByteSize.format(size)
                    + " in blocks of " + ByteSize.format(block) + " is " + Math.ceilDiv(size, block)
                    + " blocks; the demo checks at most " + Integer.MAX_VALUE
                    + ": give a larger --block or a smaller --size");
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong() >>> 1;
        if (s < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seed must not be negative: " + s);
        }
        WdsGet.Context context = WdsGet.context(spec);
        Transport.Identity lib = Transport.identify();
        if (lib.loaded() && !lib.standIn()) {
            context.err().println("wdsget: demo needs the bundled Linux stand-in, but the transport library is "
                    + Visible.of(lib.text()) + "; use 'wdsget get' against a WDS server");
            return Outcome.FAILURE.exitCode();
        }
        String name = size + "?order=" + order.name().toLowerCase(Locale.ROOT) + "&block=" + block + "&seed=" + s
                + (delay == null ? "" : "&delay=" + Math.max(1, delay.toNanos() / 1000) + "us");
        TransferRequest request = options.request(spec, TransferRequest.newBuilder()
                .server("localhost")
                .namespace("synthetic")
                .objectName(name));
        String header = "Receiving a synthetic object of " + ByteSize.format(size) + " through the stand-in (blocks of "
                + ByteSize.format(block) + ", order " + order.name().toLowerCase(Locale.ROOT) + ", seed " + s
                + (delay == null ? "" : ", " + Durations.format(delay) + " before each block") + ")";
        Job.Spec job = new Job.Spec(request, name, "synthetic-" + size + ".bin", s, header, null);
        return options.transfer(List.of(job), true, false, false, context).run();
    }
}
