package io.github.wdstci;

import java.util.Objects;

/**
 * What to receive and how: an immutable request, built with {@link #newBuilder()}
 * and validated in Java before any native call.
 *
 * <pre>{@code
 * TransferRequest request = TransferRequest.newBuilder()
 *         .server("wds01.example.com")
 *         .namespace("WDS:ImageGroup1/boot.wim/1")
 *         .objectName("boot.wim")
 *         .cacheSize(64L << 20)
 *         .build();
 * }</pre>
 */
public final class TransferRequest {

    /** The cache size used when none is given: 32 MiB, the value of Microsoft's sample client. */
    public static final long DEFAULT_CACHE_SIZE = 32L << 20;

    /** {@code WDS_TRANSPORTCLIENT_NO_CACHE}: no limit on delivered-but-not-completed bytes. */
    public static final long NO_CACHE = 0;

    /** The longest name the API takes, in UTF-16 units (a Windows path's limit). */
    public static final int MAX_NAME_LENGTH = 32767;

    private final String server;
    private final String namespace;
    private final String objectName;
    private final AuthLevel authLevel;
    private final long cacheSize;
    private final Protocol protocol;

    private TransferRequest(Builder b) {
        this.server = checkName("server", b.server);
        this.namespace = checkName("namespace", b.namespace);
        this.objectName = checkName("objectName", b.objectName);
        this.authLevel = b.authLevel;
        this.cacheSize = b.cacheSize;
        this.protocol = b.protocol;
    }

    private static String checkName(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required (null)");
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " must not contain NUL characters");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_NAME_LENGTH + " UTF-16 units: " + value.length());
        }
        // A lone surrogate has no UTF-16 encoding that the transport would read back as the same
        // name (encoders substitute U+FFFD): refuse it rather than ask for another object.
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format("%s has a lone surrogate U+%04X at index %d", field, (int) c, i));
            }
        }
        return value;
    }

    /** {@return a builder with the defaults: {@link AuthLevel#AUTH}, {@link #DEFAULT_CACHE_SIZE}, {@link Protocol#MULTICAST}} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** {@return a builder holding this request's values} */
    public Builder toBuilder() {
        return new Builder().server(server).namespace(namespace).objectName(objectName)
                .authLevel(authLevel).cacheSize(cacheSize).protocol(protocol);
    }

    /** {@return the WDS server: host name or address} */
    public String server() {
        return server;
    }

    /** {@return the WDS transport namespace} */
    public String namespace() {
        return namespace;
    }

    /** {@return the object within the namespace} */
    public String objectName() {
        return objectName;
    }

    /** {@return whether the session authenticates} */
    public AuthLevel authLevel() {
        return authLevel;
    }

    /**
     * Bytes the transport may deliver before the consumer completes them
     * (backpressure); {@link #NO_CACHE} for no limit.
     *
     * @return the cache size in bytes
     */
    public long cacheSize() {
        return cacheSize;
    }

    /** {@return the transport protocol} */
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransferRequest r && server.equals(r.server) && namespace.equals(r.namespace)
                && objectName.equals(r.objectName) && authLevel == r.authLevel && cacheSize == r.cacheSize
                && protocol == r.protocol;
    }

    @Override
    public int hashCode() {
        return Objects.hash(server, namespace, objectName, authLevel, cacheSize, protocol);
    }

    @Override
    public String toString() {
        return "TransferRequest[" + server + " " + namespace + " " + objectName + ", " + authLevel
                + ", cache " + cacheSize + ", " + protocol + "]";
    }

    /** Builds a {@link TransferRequest}; not thread-safe. */
    public static final class Builder {
        private String server;
        private String namespace;
        private String objectName;
        private AuthLevel authLevel = AuthLevel.AUTH;
        private long cacheSize = DEFAULT_CACHE_SIZE;
        private Protocol protocol = Protocol.MULTICAST;

        private Builder() {
        }

        /**
         * The WDS server (required): host name or address.
         *
         * @param server checked by {@link #build()}
         * @return this builder
         */
        public Builder server(String server) {
            this.server = server;
            return this;
        }

        /**
         * The transport namespace (required).
         *
         * @param namespace checked by {@link #build()}
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /**
         * The object name (required).
         *
         * @param objectName checked by {@link #build()}
         * @return this builder
         */
        public Builder objectName(String objectName) {
            this.objectName = objectName;
            return this;
        }

        /**
         * Authentication; default {@link AuthLevel#AUTH}.
         *
         * @param authLevel whether the session authenticates
         * @return this builder
         * @throws IllegalArgumentException if null
         */
        public Builder authLevel(AuthLevel authLevel) {
            if (authLevel == null) {
                throw new IllegalArgumentException("authLevel must not be null");
            }
            this.authLevel = authLevel;
            return this;
        }

        /**
         * Bytes delivered but not yet completed that the consumer allows, 0 to
         * 4 GiB - 1 ({@code ulCacheSize} is 32-bit); {@link #NO_CACHE} (0) for
         * no limit. Default {@link #DEFAULT_CACHE_SIZE}.
         *
         * @param cacheSize bytes
         * @return this builder
         * @throws IllegalArgumentException if negative or over 32 bits
         */
        public Builder cacheSize(long cacheSize) {
            if (cacheSize < 0 || cacheSize > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("cacheSize must be between 0 and 4294967295: " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        /**
         * The protocol; default (and only) {@link Protocol#MULTICAST}.
         *
         * @param protocol the protocol
         * @return this builder
         * @throws IllegalArgumentException if null
         */
        public Builder protocol(Protocol protocol) {
            if (protocol == null) {
                throw new IllegalArgumentException("protocol must not be null");
            }
            this.protocol = protocol;
            return this;
        }

        /**
         * The request.
         *
         * @return a new, immutable request
         * @throws IllegalArgumentException naming the field, if a name is
         *                                  missing, blank, contains NUL or a lone
         *                                  surrogate (saying where), or is too long
         */
        public TransferRequest build() {
            return new TransferRequest(this);
        }
    }
}
