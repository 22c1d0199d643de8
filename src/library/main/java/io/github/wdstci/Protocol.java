package io.github.wdstci;

/** The transport protocol of a session ({@code ulProtocol}). */
public enum Protocol {
    /** {@code WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST} (1), the only one the API defines. */
    MULTICAST(1);

    private final int code;

    Protocol(int code) {
        this.code = code;
    }

    /**
     * The value of {@code ulProtocol}.
     *
     * @return the C constant's value
     */
    public int code() {
        return code;
    }

    /**
     * The protocol with this code.
     *
     * @param code a value of {@code ulProtocol}
     * @return the protocol
     * @throws IllegalArgumentException for an unknown code
     */
    public static Protocol of(int code) {
        for (Protocol p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol: " + code);
    }
}
