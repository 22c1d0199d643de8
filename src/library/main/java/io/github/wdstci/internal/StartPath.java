package io.github.wdstci.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The structures a session writes and reads before its first block, by byte
 * offsets written out as constants, and the UTF-16 names they point to.
 *
 * <p>The generated classes ({@code _WDS_TRANSPORTCLIENT_REQUEST},
 * {@code _TRANSPORTCLIENT_SESSION_INFO}) compute their offsets in their
 * initialisers through layout paths, and their setters of pointer fields go
 * through an address var handle; in a fresh JVM the first of each costs tens of
 * milliseconds of the time to the first block (see docs/benchmarks.md, "Cold
 * start"). So the start path writes and reads plain {@code int}s and
 * {@code long}s at these offsets instead. They are the generated layouts'
 * ({@code StartPathTest} compares every one, and AbiLayoutTest compares the
 * generated layouts with the header and the Windows SDK's declarations), which
 * are those of a 64-bit target, LLP64 and LP64 alike: a pointer is written as
 * its 64-bit address, which this class checks once. The names they point to
 * are written by {@link Utf16}.
 */
public final class StartPath {

    /** The size of a pointer these offsets assume. */
    public static final long ADDRESS_BYTES = 8;

    static {
        if (ValueLayout.ADDRESS.byteSize() != ADDRESS_BYTES) {
            throw new UnsupportedOperationException("the WDS transport client API is bound for 64-bit platforms only; "
                    + "this one has " + ValueLayout.ADDRESS.byteSize() + "-byte pointers");
        }
    }

    // ---- WDS_TRANSPORTCLIENT_REQUEST ----------------------------------------------------------

    /** {@code sizeof(WDS_TRANSPORTCLIENT_REQUEST)} */
    public static final long REQUEST_SIZE = 64;
    /** Its alignment (that of its pointers). */
    public static final long REQUEST_ALIGNMENT = 8;
    /** {@code ULONG ulLength} */
    public static final long REQUEST_LENGTH = 0;
    /** {@code ULONG ulApiVersion} */
    public static final long REQUEST_API_VERSION = 4;
    /** {@code ULONG ulAuthLevel} */
    public static final long REQUEST_AUTH_LEVEL = 8;
    /** {@code LPCWSTR pwszServer} */
    public static final long REQUEST_SERVER = 16;
    /** {@code LPCWSTR pwszNamespace} */
    public static final long REQUEST_NAMESPACE = 24;
    /** {@code LPCWSTR pwszObjectName} */
    public static final long REQUEST_OBJECT_NAME = 32;
    /** {@code ULONG ulCacheSize} */
    public static final long REQUEST_CACHE_SIZE = 40;
    /** {@code ULONG ulProtocol} */
    public static final long REQUEST_PROTOCOL = 44;
    /** {@code PVOID pvProtocolData} */
    public static final long REQUEST_PROTOCOL_DATA = 48;
    /** {@code ULONG ulProtocolDataLength} */
    public static final long REQUEST_PROTOCOL_DATA_LENGTH = 56;

    // ---- TRANSPORTCLIENT_SESSION_INFO ---------------------------------------------------------

    /** {@code sizeof(TRANSPORTCLIENT_SESSION_INFO)} */
    public static final long SESSION_INFO_SIZE = 24;
    /** {@code ULARGE_INTEGER ullFileSize}, read as its {@code QuadPart} */
    public static final long SESSION_INFO_FILE_SIZE = 8;
    /** {@code ULONG ulBlockSize} */
    public static final long SESSION_INFO_BLOCK_SIZE = 16;

    private StartPath() {
    }

    /** Writes {@code value} into the pointer field at {@code offset} of {@code struct}. */
    public static void setPointer(MemorySegment struct, long offset, MemorySegment value) {
        struct.set(ValueLayout.JAVA_LONG, offset, value.address());
    }

    /** Reads the pointer at {@code offset} of {@code struct}, as a zero-length segment. */
    public static MemorySegment getPointer(MemorySegment struct, long offset) {
        return MemorySegment.ofAddress(struct.get(ValueLayout.JAVA_LONG, offset));
    }
}
