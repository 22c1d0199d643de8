package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

/** docs/standin.md says enough to reproduce a synthetic object, checked against what wdsget receives. */
class StandinDocsTest {

    /**
     * The content's formula, as the document writes it (a code block of four steps, constants
     * and shifts read from it), computes the bytes the stand-in delivers for a seed.
     */
    @Test
    void theDocumentedContentFormulaGivesTheStandInsBytes() throws Exception {
        // a code block in docs/standin.md starting 'z = seed + (k + 1)'
        String block = "(?s)```\\n(z = seed \\+ \\(k \\+ 1\\).*?)```";
        List<Long> constants = Repository.find("docs/standin.md", block, "0x([0-9A-Fa-f]{16})", 1).stream()
                .map(h -> Long.parseUnsignedLong(h, 16)).toList();
        List<Integer> shifts = Repository.find("docs/standin.md", block, ">> (\\d+)", 1).stream()
                .map(Integer::parseInt).toList();
        assertThat(constants).as("the increment and the finaliser's two multipliers").hasSize(3);
        assertThat(shifts).as("the finaliser's three shifts").hasSize(3);

        long seed = 12345;
        int size = 64 << 10;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] exit = new int[1];
        byte[] received = CliRun.inProcessBytes(List.of("get", "-s", "wds01", "-n", "synthetic",
                size + "?seed=" + seed + "&order=shuffle", "-o", "-", "-q"), err, exit);
        assertThat(exit[0]).as(err.toString()).isZero();

        ByteBuffer expected = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (long k = 0; k < size / 8; k++) {
            long z = seed + (k + 1) * constants.get(0);
            z = (z ^ (z >>> shifts.get(0))) * constants.get(1);
            z = (z ^ (z >>> shifts.get(1))) * constants.get(2);
            expected.putLong(z ^ (z >>> shifts.get(2)));
        }
        assertThat(received).isEqualTo(expected.array());
    }
}
