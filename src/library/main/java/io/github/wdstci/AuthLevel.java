package io.github.wdstci;

/** Whether the session authenticates with the server ({@code ulAuthLevel}). */
public enum AuthLevel {
    /** {@code WDS_TRANSPORTCLIENT_AUTH} (1): authenticate. */
    AUTH(1),
    /** {@code WDS_TRANSPORTCLIENT_NO_AUTH} (2): do not authenticate. */
    NO_AUTH(2);

    private final int code;

    AuthLevel(int code) {
        this.code = code;
    }

    /**
     * The value of {@code ulAuthLevel}.
     *
     * @return the C constant's value
     */
    public int code() {
        return code;
    }

    /**
     * The level with this code.
     *
     * @param code a value of {@code ulAuthLevel}
     * @return the level
     * @throws IllegalArgumentException for an unknown code
     */
    public static AuthLevel of(int code) {
        for (AuthLevel a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown auth level: " + code);
    }
}
