package io.github.wdstci.bench.jna;

import java.nio.charset.StandardCharsets;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * WDS_TRANSPORTCLIENT_REQUEST built with JNA alone (x64 layout: 64 bytes,
 * offsets as in wdstci.h), so that a JNA consumer touches no FFM. The
 * strings are UTF-16LE (JNA's wide strings are wchar_t, 32-bit on Linux).
 * Keep the object reachable until InitializeSession has returned.
 */
public final class JnaRequest {

    private static final int SIZE = 64;
    private static final int NO_AUTH = 2;
    private static final int MULTICAST = 1;

    private final Memory struct = new Memory(SIZE);
    private final Memory server;
    private final Memory namespace;
    private final Memory object;

    public JnaRequest(String objectName, int cacheSize) {
        if (Native.POINTER_SIZE != 8) {
            throw new IllegalStateException("the x64 layout needs 64-bit pointers");
        }
        server = utf16("bench");
        namespace = utf16("synthetic");
        object = utf16(objectName);
        struct.clear();
        struct.setInt(0, SIZE);            // ulLength
        struct.setInt(4, 1);               // ulApiVersion
        struct.setInt(8, NO_AUTH);         // ulAuthLevel
        struct.setPointer(16, server);     // pwszServer
        struct.setPointer(24, namespace);  // pwszNamespace
        struct.setPointer(32, object);     // pwszObjectName
        struct.setInt(40, cacheSize);      // ulCacheSize
        struct.setInt(44, MULTICAST);      // ulProtocol
        struct.setPointer(48, null);       // pvProtocolData
        struct.setInt(56, 0);              // ulProtocolDataLength
    }

    /** The struct, for InitializeSession. */
    public Pointer pointer() {
        return struct;
    }

    private static Memory utf16(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_16LE);
        Memory m = new Memory(b.length + 2L);
        m.write(0, b, 0, b.length);
        m.setShort(b.length, (short) 0);
        return m;
    }
}
