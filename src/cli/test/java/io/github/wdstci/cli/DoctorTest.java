package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code wdsget doctor} against the stand-in. */
class DoctorTest {

    @Test
    void reportsTheLibraryItsExportsAndTheJdk() {
        CliRun r = CliRun.inProcess("doctor");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith("wdsget ")
                .contains("java: Java " + Runtime.version())
                .contains("native access: enabled")
                .containsPattern("(?m)^library: stand-in: loopback, no network \\(/.+\\)$")
                .contains("export WdsTransportClientCancelSessionEx: ")
                .contains("export WdsTransportClientNegotiateRequiredDataRange: ")
                .contains("server: not checked");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void anUnknownHostIsUnreachable() {
        CliRun r = CliRun.inProcess("doctor", "-s", "wds01.invalid");
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.out()).contains("server wds01.invalid: does not answer (WSAHOST_NOT_FOUND, 11001)")
                .contains("the name does not resolve");
    }

    @Test
    void aServerThatAnswersIsSaidToAnswer() {
        CliRun r = CliRun.inProcess("doctor", "-s", "wds01");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).contains("server wds01: answers").contains("note: the stand-in answers for any server name");
    }

    @Test
    void anObjectIsLookedForWithoutReceivingIt() {
        CliRun found = CliRun.inProcess("doctor", "-s", "wds01", "-n", "synthetic", "1GiB");
        assertThat(found.exitCode()).as(found.out()).isZero();
        assertThat(found.out()).contains("namespace synthetic: found")
                .contains("object 1GiB: found, 1073741824 bytes (1.00 GiB)");

        CliRun noObject = CliRun.inProcess("doctor", "-s", "wds01", "-n", "synthetic", "no-such-object");
        assertThat(noObject.exitCode()).isEqualTo(3);
        assertThat(noObject.out()).contains("namespace synthetic: found")
                .contains("object no-such-object: not found (ERROR_FILE_NOT_FOUND, 2)");

        CliRun noNamespace = CliRun.inProcess("doctor", "-s", "wds01", "-n", "images", "boot.wim");
        assertThat(noNamespace.exitCode()).isEqualTo(3);
        assertThat(noNamespace.out()).contains("namespace images: not found (ERROR_PATH_NOT_FOUND, 3)");
    }

    @Test
    void aNamespaceWithoutAServerIsAUsageError() {
        CliRun r = CliRun.inProcess("doctor", "-n", "images");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("need -s SERVER");
    }
}
