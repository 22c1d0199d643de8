package io.github.wdstci.internal.ffi;

import static io.github.wdstci.internal.ffi.wdstci_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;


/**
 * Small helpers over the raw stubs for the contract tests: Win32 codes, request
 * structs, UTF-16 strings, and the stand-in's diagnostics counters.
 */
final class Raw {

    static final int ERROR_SUCCESS = 0;
    static final int ERROR_FILE_NOT_FOUND = 2;
    static final int ERROR_PATH_NOT_FOUND = 3;
    static final int ERROR_ACCESS_DENIED = 5;
    static final int ERROR_INVALID_HANDLE = 6;
    static final int ERROR_INVALID_PARAMETER = 87;
    static final int ERROR_INVALID_NAME = 123;
    static final int WAIT_TIMEOUT = 258;
    static final int ERROR_POSSIBLE_DEADLOCK = 1131;
    static final int ERROR_CANCELLED = 1223;
    static final int ERROR_CONNECTION_ABORTED = 1236;
    static final int ERROR_TIMEOUT = 1460;
    static final int ERROR_INVALID_STATE = 5023;
    static final int WSAHOST_NOT_FOUND = 11001;

    static final int INFINITE = -1;
    static final int KiB = 1024;
    static final int MiB = 1024 * 1024;

    private Raw() {
    }

    static MemorySegment utf16(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s, StandardCharsets.UTF_16LE);
    }

    /** A well-formed request: current API version, NO_AUTH, multicast, no protocol data. */
    static MemorySegment request(Arena arena, String server, String namespace, String object, int cacheSize) {
        MemorySegment r = _WDS_TRANSPORTCLIENT_REQUEST.allocate(arena);
        _WDS_TRANSPORTCLIENT_REQUEST.ulLength(r, (int) _WDS_TRANSPORTCLIENT_REQUEST.sizeof());
        _WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion(r, WDS_TRANSPORTCLIENT_CURRENT_API_VERSION());
        _WDS_TRANSPORTCLIENT_REQUEST.ulAuthLevel(r, WDS_TRANSPORTCLIENT_NO_AUTH());
        _WDS_TRANSPORTCLIENT_REQUEST.pwszServer(r, utf16(arena, server));
        _WDS_TRANSPORTCLIENT_REQUEST.pwszNamespace(r, utf16(arena, namespace));
        _WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(r, utf16(arena, object));
        _WDS_TRANSPORTCLIENT_REQUEST.ulCacheSize(r, cacheSize);
        _WDS_TRANSPORTCLIENT_REQUEST.ulProtocol(r, WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST());
        _WDS_TRANSPORTCLIENT_REQUEST.pvProtocolData(r, MemorySegment.NULL);
        _WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength(r, 0);
        return r;
    }

    /** A synthetic object request on a fixed server with a 16 MiB cache. */
    static MemorySegment synthetic(Arena arena, String object) {
        return request(arena, "wds.example", "synthetic", object, 16 * MiB);
    }

    /** A handle value that no session has (the stand-in's handles never have the top bit set). */
    static MemorySegment bogusHandle() {
        return MemorySegment.ofAddress(0x7FFF_0000_0000_1234L);
    }

    /** Live sessions, live buffers, live buffer bytes, live delivery threads. */
    static long[] counters() {
        return io.github.wdstci.internal.StandinDiagnostics.counters();
    }

    /** Reads a ULONG written by the callee into a one-element segment. */
    static int ulong(MemorySegment s) {
        return s.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
    }
}
