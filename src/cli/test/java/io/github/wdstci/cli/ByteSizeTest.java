package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({"0, 0", "4096, 4096", "12B, 12", "64K, 65536", "64kib, 65536", "32MiB, 33554432",
            "1G, 1073741824", "2TiB, 2199023255552", "' 5M ', 5242880"})
    void parses(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "-1", "1.5G", "12Q", "1KB", "8589934592G", "99999999999999999999"})
    void refuses(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void formats() {
        assertThat(ByteSize.format(0)).isEqualTo("0 B");
        assertThat(ByteSize.format(1023)).isEqualTo("1023 B");
        assertThat(ByteSize.format(1536)).isEqualTo("1.50 KiB");
        assertThat(ByteSize.format(1L << 30)).isEqualTo("1.00 GiB");
        assertThat(ByteSize.format(Long.MAX_VALUE)).isEqualTo("8.00 EiB");
        assertThat(ByteSize.rate(3.5 * (1 << 20))).isEqualTo("3.50 MiB/s");
    }

    @Test
    void quotesOnlyWhatNeedsIt() {
        assertThat(Display.Lines.quote("plain")).isEqualTo("plain");
        assertThat(Display.Lines.quote("a b")).isEqualTo("\"a b\"");
        assertThat(Display.Lines.quote("say \"x\\y\"")).isEqualTo("\"say \\\"x\\\\y\\\"\"");
        assertThat(Display.Lines.quote("")).isEqualTo("\"\"");
    }
}
