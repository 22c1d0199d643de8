package io.github.wdstci.internal.ffi;

import static io.github.wdstci.internal.ffi.Raw.MiB;
import static io.github.wdstci.internal.ffi.wdstci_h.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.wdstci.internal.Wdstptc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How sessions end: success, injected and real failures, cancellation from
 * outside and inside callbacks, Shutdown. The fixture checks after every test
 * that SessionComplete came exactly once and last, on a library thread.
 */
class StandinCompletionTest extends StandinFixture {

    @Test
    void successReportsSuccessEverywhere() throws Exception {
        RawSession s = startSynthetic("2MiB", 0, x -> { });
        assertThat(s.awaitComplete()).isZero();
        assertThat(Wdstptc.waitForCompletion(s.handle, Raw.INFINITE)).isZero();
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_SUCCESS(), 0);
        // Cancelling a finished session changes nothing.
        assertThat(Wdstptc.cancelSession(s.handle)).isZero();
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_SUCCESS(), 0);
        assertThat(s.close()).isZero();
    }

    @Test
    void callbacksRunOnOneThreadTheLibraryCreated() throws Exception {
        RawSession s = startSynthetic("1MiB?block=16KiB&meta=x", 0, x -> { });
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.threads).hasSize(1).doesNotContain(Thread.currentThread());
    }

    @Test
    void cancelSessionEndsWithErrorCancelled() throws Exception {
        RawSession s = startSynthetic("64MiB?delay=1ms", 0, x -> { });
        assertThat(s.firstBlock.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Wdstptc.cancelSession(s.handle)).isZero();
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_CANCELLED);
        assertThat(Wdstptc.waitForCompletion(s.handle, Raw.INFINITE)).isZero();
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_FAILURE(), Raw.ERROR_CANCELLED);
        assertThat(s.blocks().size()).as("blocks delivered before the cancel").isLessThan(1024);
    }

    @Test
    void cancelSessionExReportsTheGivenCode() throws Exception {
        RawSession s = startSynthetic("64MiB?delay=1ms", 0, x -> { });
        assertThat(s.firstBlock.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Wdstptc.cancelSessionEx(s.handle, Raw.ERROR_TIMEOUT)).isZero();
        // The first cancel wins.
        assertThat(Wdstptc.cancelSession(s.handle)).isZero();
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_TIMEOUT);
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_FAILURE(), Raw.ERROR_TIMEOUT);
    }

    @Test
    void cancelFromInsideACallback() throws Exception {
        RawSession s = startSynthetic("8MiB", 0, x -> x.onContents = (ss, data, offset, ptr) -> {
            RawSession.completeNow(ss, data, offset, ptr);
            if (ss.blocks().size() == 3) {
                assertThat(Wdstptc.cancelSessionEx(ss.handle, Raw.ERROR_CONNECTION_ABORTED)).isZero();
            }
        });
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_CONNECTION_ABORTED);
        assertThat(s.blocks()).hasSize(3);
    }

    @Test
    void cancelBeforeStartCompletesAtOnceWithoutContents() throws Exception {
        RawSession s = open(x -> Raw.synthetic(x.arena, "1MiB"));
        s.registerAll();
        assertThat(Wdstptc.cancelSession(s.handle)).isZero();
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_CANCELLED);
        assertThat(s.events).containsExactly("complete");
    }

    /** CloseSession does not cancel: the session runs on and still completes (contract 1.9). */
    @Test
    void closeSessionDoesNotCancel() throws Exception {
        // Blocks are never completed: once the handle is closed nobody can, and the
        // stand-in then counts them as completed (its documented choice).
        RawSession s = startSynthetic("4MiB?delay=100us", 0, x -> x.onContents = (ss, data, offset, ptr) -> { });
        assertThat(s.firstBlock.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(s.close()).isZero();
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.blocks()).hasSize(64);
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("unknown server", "wds.invalid", "synthetic", "1MiB", Raw.WSAHOST_NOT_FOUND),
                Arguments.of("injected before start", "wds.example", "synthetic", "1MiB?fail=1236", Raw.ERROR_CONNECTION_ABORTED),
                Arguments.of("injected, hex", "wds.example", "synthetic", "1MiB?fail=0x4C4", 1220),
                Arguments.of("injected after 1 MiB", "wds.example", "synthetic", "8MiB?fail=5@1MiB", Raw.ERROR_ACCESS_DENIED),
                Arguments.of("authentication required", "wds.example", "synthetic", "1MiB?auth=required", Raw.ERROR_ACCESS_DENIED),
                Arguments.of("no content root", "wds.example", "images", "boot.wim", Raw.ERROR_PATH_NOT_FOUND));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void failuresEndTheSessionWithTheirCode(String what, String server, String ns, String object, int expected)
            throws Exception {
        RawSession s = open(x -> Raw.request(x.arena, server, ns, object, 0));
        s.registerAll();
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).isEqualTo(expected);
        assertThat(Wdstptc.waitForCompletion(s.handle, Raw.INFINITE)).isZero();
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_FAILURE(), expected);
        long delivered = s.blocks().stream().mapToLong(b -> b[1]).sum();
        if (object.contains("@")) {
            assertThat(delivered).as("bytes before the injected failure").isEqualTo(MiB);
        } else {
            assertThat(s.events).as("a session that fails while connecting").containsExactly("complete");
        }
    }

    @Test
    void unknownObjectIsFileNotFound(@TempDir Path root) throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("images"));
        RawSession s = open(x -> Raw.request(x.arena, root.toString(), "images", "missing.wim", 0));
        s.registerAll();
        assertThat(s.start()).isZero();
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_FILE_NOT_FOUND);
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_FAILURE(), Raw.ERROR_FILE_NOT_FOUND);

        RawSession noNamespace = open(x -> Raw.request(x.arena, root.toString(), "drivers", "missing.wim", 0));
        noNamespace.registerAll();
        assertThat(noNamespace.start()).isZero();
        assertThat(noNamespace.awaitComplete()).as("a namespace folder that does not exist")
                .isEqualTo(Raw.ERROR_PATH_NOT_FOUND);
    }

    /** Blocks still un-completed after a failure may be completed until CloseSession. */
    @Test
    void outstandingBlocksMayBeCompletedAfterAFailure() throws Exception {
        java.util.List<long[]> held = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        RawSession s = startSynthetic("4MiB?fail=1236@256KiB", 0,
                x -> x.onContents = (ss, data, offset, ptr) -> held.add(new long[] {offset, data.byteSize()}));
        assertThat(s.awaitComplete()).isEqualTo(Raw.ERROR_CONNECTION_ABORTED);
        assertThat(held).hasSize(4);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var off = arena.allocate(java.lang.foreign.ValueLayout.JAVA_LONG);
            for (long[] b : held) {
                off.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, b[0]);
                assertThat(Wdstptc.completeReceive(s.handle, (int) b[1], off)).isZero();
            }
        }
    }

    /** The last Shutdown cancels running sessions and returns once their delivery threads are gone. */
    @Test
    void shutdownCancelsRunningSessions() throws Exception {
        // A block delivered while Shutdown runs can no longer be completed (5023): not an error here.
        RawSession.ContentsAction tolerant = (ss, data, offset, ptr) ->
                Wdstptc.completeReceive(ss.handle, (int) data.byteSize(), ptr);
        RawSession a = startSynthetic("64MiB?delay=1ms", 0, x -> x.onContents = tolerant);
        RawSession b = startSynthetic("64MiB?delay=1ms", 0, x -> x.onContents = tolerant);
        assertThat(a.firstBlock.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(b.firstBlock.await(30, TimeUnit.SECONDS)).isTrue();
        shutdownNow();
        assertThat(a.completed.getCount()).as("a completed before Shutdown returned").isZero();
        assertThat(b.completed.getCount()).as("b completed before Shutdown returned").isZero();
        assertThat(a.code).isEqualTo(Raw.ERROR_CANCELLED);
        assertThat(b.code).isEqualTo(Raw.ERROR_CANCELLED);
        assertThat(Raw.counters()[3]).as("delivery threads").isZero();
        // The handles died with the last Shutdown.
        assertThat(Wdstptc.queryStatus(a.handle, java.lang.foreign.MemorySegment.NULL,
                java.lang.foreign.MemorySegment.NULL)).isEqualTo(Raw.ERROR_INVALID_STATE);
        initializeAgain();
        assertThat(a.close()).as("a handle from before the last Shutdown").isEqualTo(Raw.ERROR_INVALID_HANDLE);
        a.closed = b.closed = true;   // nothing left for the fixture to close
    }
}
