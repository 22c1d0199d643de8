package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions record JDK Flight Recorder events for start, completion and failure. */
class SessionEventsTest {

    @Test
    void startCompleteAndFailureAreRecorded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wdstci.jfr");
        try (Recording recording = new Recording()) {
            for (String e : List.of("SessionStart", "SessionComplete", "SessionFailed")) {
                recording.enable("io.github.wdstci." + e).withThreshold(java.time.Duration.ZERO);
            }
            recording.start();
            try (WdsClient client = WdsClient.open()) {
                client.receive(StandinExtension.synthetic("1MiB"), ContentHandlers.discarding()).get(30, TimeUnit.SECONDS);
                StandinExtension.causeOf(client.receive(StandinExtension.synthetic("1MiB?fail=1236@256KiB"), ContentHandlers.discarding()));
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertThat(events).extracting(e -> e.getEventType().getName()).containsExactlyInAnyOrder(
                "io.github.wdstci.SessionStart", "io.github.wdstci.SessionStart",
                "io.github.wdstci.SessionComplete", "io.github.wdstci.SessionFailed");
        RecordedEvent complete = events.stream()
                .filter(e -> e.getEventType().getName().endsWith("SessionComplete")).findFirst().orElseThrow();
        assertThat(complete.getLong("bytes")).isEqualTo(1 << 20);
        assertThat(complete.getString("objectName")).isEqualTo("1MiB");
        RecordedEvent failed = events.stream()
                .filter(e -> e.getEventType().getName().endsWith("SessionFailed")).findFirst().orElseThrow();
        assertThat(failed.getInt("code")).isEqualTo(1236);
        assertThat(failed.getString("error")).isEqualTo("ERROR_CONNECTION_ABORTED");
        assertThat(failed.getLong("bytes")).isEqualTo(256 << 10);
    }
}
