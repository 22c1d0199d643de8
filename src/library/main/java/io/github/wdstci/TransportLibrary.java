package io.github.wdstci;

import java.nio.file.Path;

import io.github.wdstci.internal.NativeLibrary;

/**
 * Which transport client library this process talks to, and what it can do:
 * {@code WDSTPTC.dll} from the Windows system directory, the Linux stand-in
 * shipped in this jar (a loopback imitation with no network), or the file
 * named by the system property {@code wdstci.library}.
 *
 * <p>Obtained with {@link WdsClient#library()}; immutable.
 */
public final class TransportLibrary {

    private final Path path;
    private final boolean standIn;
    private final boolean cancelWithCode;
    private final boolean negotiation;

    private TransportLibrary(Path path, boolean standIn, boolean cancelWithCode, boolean negotiation) {
        this.path = path;
        this.standIn = standIn;
        this.cancelWithCode = cancelWithCode;
        this.negotiation = negotiation;
    }

    static TransportLibrary of(NativeLibrary lib) {
        return new TransportLibrary(lib.path(), lib.isStandIn(),
                lib.find("WdsTransportClientCancelSessionEx").isPresent(),
                lib.find("WdsTransportClientNegotiateRequiredDataRange").isPresent());
    }

    /** {@return the file that was loaded} */
    public Path path() {
        return path;
    }

    /**
     * Whether this is the stand-in: a loopback imitation of the DLL that serves
     * synthetic objects and local files, with no network.
     *
     * @return true for the stand-in
     */
    public boolean isStandIn() {
        return standIn;
    }

    /**
     * Whether the library exports {@code WdsTransportClientCancelSessionEx}
     * (cancel with a chosen error code). Without it a cancel always reports
     * {@code ERROR_CANCELLED}.
     *
     * @return true when exported
     */
    public boolean hasCancelSessionEx() {
        return cancelWithCode;
    }

    /**
     * Whether the library exports {@code WdsTransportClientNegotiateRequiredDataRange};
     * {@link SessionListener#onNegotiate} is only called when it does.
     *
     * @return true when exported
     */
    public boolean hasNegotiation() {
        return negotiation;
    }

    /** One line for people: what the library is and where it was loaded from. */
    @Override
    public String toString() {
        return (standIn ? "stand-in: loopback, no network (" : "WDS transport client (") + path + ")";
    }
}
