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
            "1G, 1073741824", "2TiB, 2199023255552", "' 5M ', 5242880", "1GB, 1000000000", "1.5GiB, 1610612736",
            "1kB, 1000", "1KB, 1000", "2.5MB, 2500000", "0.5KiB, 512", "3 MiB, 3145728", "1.5, 2", "1PB, 1000000000000000"})
    void parses(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "-1", "1.5.5G", "12Q", "1KiBB", "8589934592G", "99999999999999999999", "8EiB", "1 2", "."})
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
        assertThat(LinesDisplay.quote("plain")).isEqualTo("plain");
        assertThat(LinesDisplay.quote("a b")).isEqualTo("\"a b\"");
        assertThat(LinesDisplay.quote("say \"x\\y\"")).isEqualTo("\"say \\\"x\\\\y\\\"\"");
        assertThat(LinesDisplay.quote("")).isEqualTo("\"\"");
    }

    @ParameterizedTest
    @CsvSource({"90, 90000", "90s, 90000", "500ms, 500", "5m, 300000", "1h30m, 5400000", "1.5h, 5400000",
            "2d, 172800000", "PT5M, 300000", "pt1h, 3600000", "1ms, 1", "0.001s, 1"})
    void parsesDurations(String text, long millis) {
        assertThat(Durations.parse(text).toMillis()).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "5x", "0", "0s", "-5s", "5m3", "PT-1S", "m", "0.0001s", "0.5ms", "PT0.0001S",
            "1.5ms", "1.0000001ms", "0.0015s", "1m0.0005s", "PT1.0005S", "50000d50000d50000d", "PT99999999999H"})
    void refusesDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    /** Under 1 ms is "shorter", whichever way it is written; 1 ms or more with a rest is "finer". */
    @ParameterizedTest
    @ValueSource(strings = {"0.5ms", "0.0005s", "PT0.0005S", "0.00001m"})
    void aDurationUnderAMillisecondIsShorterInEveryForm(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessageStartingWith("duration shorter than 1ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5ms", "1.0000001ms", "PT1.0005S", "1m0.0005s", "0.0005s1s"})
    void aDurationWithAFractionOfAMillisecondIsFiner(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessageStartingWith("duration finer than a millisecond");
    }

    @Test
    void formatsDurations() {
        assertThat(Durations.format(java.time.Duration.ofSeconds(5400))).isEqualTo("1h30m");
        assertThat(Durations.format(java.time.Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(Durations.format(java.time.Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Durations.format(java.time.Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(java.time.Duration.ofMillis(1001))).isEqualTo("1.001s");
        assertThat(Durations.format(java.time.Duration.ofMillis(1250))).isEqualTo("1.25s");
        assertThat(Durations.format(java.time.Duration.ofMillis(61_500))).isEqualTo("1m1.5s");
        assertThat(Durations.format(java.time.Duration.ofMillis(3_600_001))).isEqualTo("1h0.001s");
        assertThat(Durations.format(java.time.Duration.ofMinutes(60))).isEqualTo("1h");
    }

    /** What is shown reads back as the same duration: every duration accepted is shown exactly. */
    @ParameterizedTest
    @ValueSource(longs = {1, 999, 1000, 1001, 1250, 59_999, 60_000, 61_500, 3_599_999, 3_600_001, 90_061_001})
    void formattedDurationsReadBackExactly(long millis) {
        java.time.Duration d = java.time.Duration.ofMillis(millis);
        assertThat(Durations.parse(Durations.format(d))).as(Durations.format(d)).isEqualTo(d);
    }
}
