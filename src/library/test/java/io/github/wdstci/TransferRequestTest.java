package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransferRequestTest {

    static TransferRequest.Builder valid() {
        return TransferRequest.newBuilder().server("wds01").namespace("ns").objectName("boot.wim");
    }

    @Test
    void defaultsAndValues() {
        TransferRequest r = valid().build();
        assertThat(r.server()).isEqualTo("wds01");
        assertThat(r.namespace()).isEqualTo("ns");
        assertThat(r.objectName()).isEqualTo("boot.wim");
        assertThat(r.authLevel()).isEqualTo(AuthLevel.AUTH);
        assertThat(r.cacheSize()).isEqualTo(TransferRequest.DEFAULT_CACHE_SIZE);
        assertThat(r.protocol()).isEqualTo(Protocol.MULTICAST);
        assertThat(r.toBuilder().build()).isEqualTo(r).hasSameHashCodeAs(r);
        assertThat(valid().cacheSize(0xFFFF_FFFFL).authLevel(AuthLevel.NO_AUTH).build().cacheSize()).isEqualTo(0xFFFF_FFFFL);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("server", (UnaryOperator<TransferRequest.Builder>) b -> b.server(null)),
                Arguments.of("server", (UnaryOperator<TransferRequest.Builder>) b -> b.server("  ")),
                Arguments.of("namespace", (UnaryOperator<TransferRequest.Builder>) b -> b.namespace(null)),
                Arguments.of("namespace", (UnaryOperator<TransferRequest.Builder>) b -> b.namespace("")),
                Arguments.of("objectName", (UnaryOperator<TransferRequest.Builder>) b -> b.objectName(null)),
                Arguments.of("objectName", (UnaryOperator<TransferRequest.Builder>) b -> b.objectName("a\0b")),
                Arguments.of("objectName", (UnaryOperator<TransferRequest.Builder>) b -> b.objectName("x".repeat(32768))),
                Arguments.of("cacheSize", (UnaryOperator<TransferRequest.Builder>) b -> b.cacheSize(-1)),
                Arguments.of("cacheSize", (UnaryOperator<TransferRequest.Builder>) b -> b.cacheSize(1L << 32)),
                Arguments.of("authLevel", (UnaryOperator<TransferRequest.Builder>) b -> b.authLevel(null)),
                Arguments.of("protocol", (UnaryOperator<TransferRequest.Builder>) b -> b.protocol(null)));
    }

    @ParameterizedTest(name = "{0} #{index}")
    @MethodSource("invalid")
    void invalidValuesNameTheField(String field, UnaryOperator<TransferRequest.Builder> spoil) {
        assertThatThrownBy(() -> spoil.apply(valid()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(field);
    }

    /** A lone surrogate would be sent as U+FFFD, naming another object: refused, saying where. */
    @Test
    void loneSurrogatesAreRefusedWithTheirPlace() {
        assertThatThrownBy(() -> valid().objectName("image\uD800.wim").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objectName has a lone surrogate U+D800 at index 5");
        assertThatThrownBy(() -> valid().server("\uDC00host").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("server has a lone surrogate U+DC00 at index 0");
        assertThatThrownBy(() -> valid().namespace("ns\uD83D").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("namespace has a lone surrogate U+D83D at index 2");
        // A surrogate pair is a character like any other.
        assertThat(valid().objectName("disk-\uD83D\uDCBE.wim").build().objectName()).isEqualTo("disk-\uD83D\uDCBE.wim");
    }

    @Test
    void enumsMapTheirCodes() {
        assertThat(AuthLevel.of(1)).isEqualTo(AuthLevel.AUTH);
        assertThat(AuthLevel.of(2)).isEqualTo(AuthLevel.NO_AUTH);
        assertThat(Protocol.of(1)).isEqualTo(Protocol.MULTICAST);
        assertThatThrownBy(() -> AuthLevel.of(3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Win32Error.of(1223)).isEqualTo(Win32Error.ERROR_CANCELLED);
        assertThat(Win32Error.of(424242)).isEqualTo(Win32Error.UNKNOWN);
        assertThat(Win32Error.of(-1)).isEqualTo(Win32Error.UNKNOWN);
        assertThat(Win32Error.nameOf(424242)).isEqualTo("WIN32_ERROR_424242");
        assertThat(Win32Error.nameOf(0x80070005)).isEqualTo("HRESULT_0x80070005");
    }
}
