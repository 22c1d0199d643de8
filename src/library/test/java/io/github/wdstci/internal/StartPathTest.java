package io.github.wdstci.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import io.github.wdstci.internal.ffi._TRANSPORTCLIENT_SESSION_INFO;
import io.github.wdstci.internal.ffi._ULARGE_INTEGER;
import io.github.wdstci.internal.ffi._WDS_TRANSPORTCLIENT_REQUEST;
import org.junit.jupiter.api.Test;

/**
 * The start path writes and reads the API's structures at offsets of its own
 * ({@link StartPath}) and its names with {@link Utf16}: they must be the
 * generated layouts (which AbiLayoutTest checks against the header and the
 * compilers) and the encoding the API reads.
 */
class StartPathTest {

    @Test
    void theRequestOffsetsAreTheGeneratedLayouts() {
        assertThat(StartPath.REQUEST_SIZE).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.sizeof());
        assertThat(StartPath.REQUEST_ALIGNMENT).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.layout().byteAlignment());
        assertThat(StartPath.REQUEST_LENGTH).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.ulLength$offset());
        assertThat(StartPath.REQUEST_API_VERSION).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion$offset());
        assertThat(StartPath.REQUEST_AUTH_LEVEL).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.ulAuthLevel$offset());
        assertThat(StartPath.REQUEST_SERVER).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.pwszServer$offset());
        assertThat(StartPath.REQUEST_NAMESPACE).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.pwszNamespace$offset());
        assertThat(StartPath.REQUEST_OBJECT_NAME).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName$offset());
        assertThat(StartPath.REQUEST_CACHE_SIZE).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.ulCacheSize$offset());
        assertThat(StartPath.REQUEST_PROTOCOL).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.ulProtocol$offset());
        assertThat(StartPath.REQUEST_PROTOCOL_DATA).isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.pvProtocolData$offset());
        assertThat(StartPath.REQUEST_PROTOCOL_DATA_LENGTH)
                .isEqualTo(_WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength$offset());
    }

    @Test
    void theSessionInfoOffsetsAreTheGeneratedLayouts() {
        assertThat(StartPath.SESSION_INFO_SIZE).isEqualTo(_TRANSPORTCLIENT_SESSION_INFO.sizeof());
        assertThat(StartPath.SESSION_INFO_FILE_SIZE)
                .isEqualTo(_TRANSPORTCLIENT_SESSION_INFO.ullFileSize$offset() + _ULARGE_INTEGER.QuadPart$offset());
        assertThat(StartPath.SESSION_INFO_BLOCK_SIZE).isEqualTo(_TRANSPORTCLIENT_SESSION_INFO.ulBlockSize$offset());
    }

    @Test
    void aPointerWrittenHereIsWhatTheGeneratedAccessorsRead() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = _WDS_TRANSPORTCLIENT_REQUEST.allocate(arena);
            MemorySegment name = arena.allocate(16);
            StartPath.setPointer(request, StartPath.REQUEST_OBJECT_NAME, name);
            assertThat(_WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(request).address()).isEqualTo(name.address());
            assertThat(_WDS_TRANSPORTCLIENT_REQUEST.pwszServer(request).address()).isZero();
            assertThat(StartPath.getPointer(request, StartPath.REQUEST_OBJECT_NAME).address()).isEqualTo(name.address());
        }
    }

    @Test
    void aWideStringIsUtf16LittleEndianWithATwoByteTerminator() {
        String s = "srv-\u00e9\u4e2d\ud83d\ude00";       // Latin-1, BMP and a surrogate pair
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Utf16.allocate(arena, s);
            byte[] expected = s.getBytes(StandardCharsets.UTF_16LE);
            assertThat(w.byteSize()).isEqualTo(expected.length + 2L);
            assertThat(w.asSlice(0, expected.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
            assertThat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, expected.length)).isZero();
            assertThat(w.getString(0, StandardCharsets.UTF_16LE)).isEqualTo(s);
        }
    }

    @Test
    void anEmptyNameIsOnlyTheTerminator() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Utf16.allocate(arena, "");
            assertThat(w.byteSize()).isEqualTo(2);
            assertThat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)).isZero();
        }
    }
}
