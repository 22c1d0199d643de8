package io.github.wdstci.internal.ffi;

import static io.github.wdstci.internal.ffi.wdstci_h.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.github.wdstci.internal.Wdstptc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Misuse returns a Win32 code and never crashes. The codes are the stand-in's
 * choices where the contract is silent (section 7), as documented in
 * src/library/main/c/standin/api.c and docs/standin.md: ERROR_INVALID_STATE (5023) before
 * Initialize or in the wrong session state, ERROR_INVALID_HANDLE (6) for an
 * unknown or closed handle, ERROR_INVALID_PARAMETER (87) for bad arguments,
 * WAIT_TIMEOUT (258) for a timed-out wait, ERROR_POSSIBLE_DEADLOCK (1131) for
 * a wait or the last Shutdown from a session's own callback.
 */
class StandinMisuseTest extends StandinFixture {

    @Test
    void everyCallBeforeInitializeIsInvalidState() {
        shutdownNow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment h = Raw.bogusHandle();
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment u = arena.allocate(ValueLayout.JAVA_LONG);
            assertThat(Wdstptc.shutdown()).as("Shutdown").isEqualTo(Raw.ERROR_INVALID_STATE);
            assertThat(Wdstptc.initializeSession(Raw.synthetic(arena, "1MiB"), MemorySegment.NULL, out))
                    .as("InitializeSession").isEqualTo(Raw.ERROR_INVALID_STATE);
            assertEverySessionCallReturns(h, u, Raw.ERROR_INVALID_STATE);
        }
        initializeAgain();
    }

    @Test
    void initializeIsCountedAndOnlyTheLastShutdownTearsDown() throws Exception {
        initializeAgain();
        initializeAgain();
        shutdownNow();
        shutdownNow();
        // One Initialize still stands: sessions work.
        RawSession s = startSynthetic("256KiB", 0, x -> { });
        assertThat(s.awaitComplete()).isZero();
    }

    static Stream<Arguments> badRequests() {
        Consumer<MemorySegment> none = r -> { };
        return Stream.of(
                Arguments.of("ulLength too small", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.ulLength(r, 60)),
                Arguments.of("ulLength too large", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.ulLength(r, 72)),
                Arguments.of("ulApiVersion 2", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion(r, 2)),
                Arguments.of("ulApiVersion 0", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion(r, 0)),
                Arguments.of("ulAuthLevel 3", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.ulAuthLevel(r, 3)),
                Arguments.of("ulProtocol 2", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.ulProtocol(r, 2)),
                Arguments.of("protocol data length without data",
                        (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength(r, 8)),
                // "The structure is NULL for WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST protocol."
                Arguments.of("protocol data for multicast", (Consumer<MemorySegment>) r -> {
                    _WDS_TRANSPORTCLIENT_REQUEST.pvProtocolData(r, PROTOCOL_DATA);
                    _WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength(r, 8);
                }),
                Arguments.of("protocol data of length 0 for multicast",
                        (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.pvProtocolData(r, PROTOCOL_DATA)),
                Arguments.of("null server", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.pwszServer(r, MemorySegment.NULL)),
                Arguments.of("null namespace", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.pwszNamespace(r, MemorySegment.NULL)),
                Arguments.of("null object", (Consumer<MemorySegment>) r -> _WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(r, MemorySegment.NULL)),
                Arguments.of("empty server", (Consumer<MemorySegment>) r ->
                        _WDS_TRANSPORTCLIENT_REQUEST.pwszServer(r, EMPTY)),
                Arguments.of("unknown object option", (Consumer<MemorySegment>) r ->
                        _WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(r, BAD_OPTION)),
                Arguments.of("duration with an unknown unit", (Consumer<MemorySegment>) r ->
                        _WDS_TRANSPORTCLIENT_REQUEST.pwszObjectName(r, BAD_DURATION)),
                Arguments.of("well formed (control)", none));
    }

    private static final Arena STRINGS = Arena.global();
    private static final MemorySegment EMPTY = Raw.utf16(STRINGS, "");
    private static final MemorySegment BAD_OPTION = Raw.utf16(STRINGS, "1MiB?colour=blue");
    private static final MemorySegment BAD_DURATION = Raw.utf16(STRINGS, "1MiB?linger=5min");
    private static final MemorySegment PROTOCOL_DATA = STRINGS.allocate(8);

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void initializeSessionChecksTheRequest(String what, Consumer<MemorySegment> spoil) {
        RawSession s = newSession();
        MemorySegment r = Raw.synthetic(s.arena, "1MiB");
        spoil.accept(r);
        int expected = what.endsWith("(control)") ? Raw.ERROR_SUCCESS : Raw.ERROR_INVALID_PARAMETER;
        assertThat(s.initialize(r)).as(what).isEqualTo(expected);
    }

    /**
     * A caller's struct shorter than the request, saying so in ulLength: refused, and not
     * read past its end (the sanitized run would report a heap-buffer-overflow).
     */
    @Test
    void initializeSessionReadsOnlyTheLengthOfAShortRequest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment full = Raw.synthetic(arena, "1MiB");
            for (int length : new int[] {4, 8, 40}) {
                // malloc'ed (not arena) memory of exactly that size, so that ASan sees its end
                MemorySegment shortRequest = Arena.ofAuto().allocate(length, 8);
                shortRequest.copyFrom(full.asSlice(0, length));
                shortRequest.set(ValueLayout.JAVA_INT, 0, length);
                assertThat(Wdstptc.initializeSession(shortRequest, MemorySegment.NULL, out)).as("%d bytes", length)
                        .isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            }
        }
    }

    @Test
    void initializeSessionRejectsNullPointers() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            assertThat(Wdstptc.initializeSession(MemorySegment.NULL, MemorySegment.NULL, out))
                    .isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            assertThat(Wdstptc.initializeSession(Raw.synthetic(arena, "1MiB"), MemorySegment.NULL, MemorySegment.NULL))
                    .isEqualTo(Raw.ERROR_INVALID_PARAMETER);
        }
    }

    /** Each of the eight calls that take a session handle answers {@code expected} for {@code h}. */
    private static void assertEverySessionCallReturns(MemorySegment h, MemorySegment u, int expected) {
        assertThat(Wdstptc.registerCallback(h, 0, u)).as("RegisterCallback").isEqualTo(expected);
        assertThat(Wdstptc.startSession(h)).as("StartSession").isEqualTo(expected);
        assertThat(Wdstptc.completeReceive(h, 1, u)).as("CompleteReceive").isEqualTo(expected);
        assertThat(Wdstptc.cancelSession(h)).as("CancelSession").isEqualTo(expected);
        assertThat(Wdstptc.cancelSessionEx(h, 5)).as("CancelSessionEx").isEqualTo(expected);
        assertThat(Wdstptc.waitForCompletion(h, 0)).as("WaitForCompletion").isEqualTo(expected);
        assertThat(Wdstptc.queryStatus(h, u, u)).as("QueryStatus").isEqualTo(expected);
        assertThat(Wdstptc.closeSession(h)).as("CloseSession").isEqualTo(expected);
    }

    @Test
    void unknownHandlesAreInvalidHandle() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment u = arena.allocate(ValueLayout.JAVA_LONG);
            for (MemorySegment h : new MemorySegment[] {MemorySegment.NULL, Raw.bogusHandle()}) {
                assertEverySessionCallReturns(h, u, Raw.ERROR_INVALID_HANDLE);
            }
        }
    }

    @Test
    void closingTwiceAndUsingAClosedHandleAreInvalidHandle() {
        RawSession s = open(x -> Raw.synthetic(x.arena, "1MiB"));
        assertThat(s.close()).isZero();
        assertThat(s.close()).as("second CloseSession").isEqualTo(Raw.ERROR_INVALID_HANDLE);
        assertThat(Wdstptc.startSession(s.handle)).isEqualTo(Raw.ERROR_INVALID_HANDLE);
        assertThat(Wdstptc.cancelSession(s.handle)).isEqualTo(Raw.ERROR_INVALID_HANDLE);
        // The slot is reused by the next session; the stale handle still does not reach it.
        RawSession next = open(x -> Raw.synthetic(x.arena, "1MiB"));
        assertThat(Wdstptc.closeSession(s.handle)).isEqualTo(Raw.ERROR_INVALID_HANDLE);
        assertThat(next.close()).isZero();
    }

    @Test
    void registerCallbackChecksIdPointerAndState() throws Exception {
        RawSession s = open(x -> Raw.synthetic(x.arena, "256KiB"));
        MemorySegment stub = PFN_WdsTransportClientSessionComplete.allocate((h, c, e) -> { }, s.arena);
        assertThat(Wdstptc.registerCallback(s.handle, -1, stub)).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
        assertThat(Wdstptc.registerCallback(s.handle, WDS_TRANSPORTCLIENT_MAX_CALLBACKS(), stub))
                .isEqualTo(Raw.ERROR_INVALID_PARAMETER);
        assertThat(Wdstptc.registerCallback(s.handle, WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), MemorySegment.NULL))
                .isEqualTo(Raw.ERROR_INVALID_PARAMETER);
        s.registerAll();
        assertThat(s.start()).isZero();
        assertThat(Wdstptc.registerCallback(s.handle, WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), stub))
                .as("RegisterCallback after StartSession").isEqualTo(Raw.ERROR_INVALID_STATE);
        assertThat(Wdstptc.startSession(s.handle)).as("StartSession twice").isEqualTo(Raw.ERROR_INVALID_STATE);
        assertThat(s.awaitComplete()).isZero();
    }

    @Test
    void startSessionWithNoCallbackIsInvalidState() {
        RawSession s = open(x -> Raw.synthetic(x.arena, "256KiB"));
        assertThat(s.start()).as("no callbacks").isEqualTo(Raw.ERROR_INVALID_STATE);
        assertThat(Wdstptc.waitForCompletion(s.handle, 0)).as("wait on a session never started")
                .isEqualTo(Raw.ERROR_INVALID_STATE);
    }

    /**
     * SESSION_START, RECEIVE_CONTENTS and SESSION_COMPLETE are the documented
     * required callbacks: without any one of them StartSession fails, even with
     * every optional one (STARTEX, METADATA, NEGOTIATE) registered; STARTEX does
     * not stand in for START. Registering the missing one then lets it start.
     */
    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"SESSION_START", "RECEIVE_CONTENTS", "SESSION_COMPLETE"})
    void startSessionRefusesAMissingRequiredCallback(String missing) throws Exception {
        int id = switch (missing) {
            case "SESSION_START" -> WDS_TRANSPORTCLIENT_SESSION_START();
            case "RECEIVE_CONTENTS" -> WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS();
            case "SESSION_COMPLETE" -> WDS_TRANSPORTCLIENT_SESSION_COMPLETE();
            default -> throw new AssertionError(missing);
        };
        RawSession s = open(x -> Raw.synthetic(x.arena, "256KiB"));
        s.onNegotiate = (ss, size, block, key) -> { };
        s.registerAllExcept(id);
        assertThat(s.start()).as("StartSession without %s", missing).isEqualTo(Raw.ERROR_INVALID_STATE);
        assertThat(s.status()).as("still not started").containsExactly(WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS(), 0);
        assertThat(Wdstptc.waitForCompletion(s.handle, 0)).as("wait on a session never started")
                .isEqualTo(Raw.ERROR_INVALID_STATE);
        assertThat(s.events).as("callbacks of a refused start").isEmpty();

        MemorySegment stub = switch (missing) {
            case "SESSION_START" -> s.startStub();
            case "RECEIVE_CONTENTS" -> s.contentsStub();
            default -> s.completeStub();
        };
        s.register(id, stub);
        assertThat(s.start()).as("StartSession once %s is registered", missing).isZero();
        assertThat(s.awaitComplete()).isZero();
        assertThat(s.events).startsWith("start", "startex", "negotiate", "contents");
    }

    @Test
    void completeReceiveAcceptsOnlyOutstandingBlocks() throws Exception {
        int[] codes = new int[4];
        RawSession s = startSynthetic("256KiB?block=64KiB", 0, x -> x.onContents = (ss, data, offset, ptr) -> {
            if (offset == 0) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment other = a.allocate(ValueLayout.JAVA_LONG);
                    other.set(ValueLayout.JAVA_LONG, 0, 12345);
                    codes[0] = Wdstptc.completeReceive(ss.handle, (int) data.byteSize(), other);
                    codes[1] = Wdstptc.completeReceive(ss.handle, (int) data.byteSize() - 1, ptr);
                    codes[2] = Wdstptc.completeReceive(ss.handle, (int) data.byteSize(), MemorySegment.NULL);
                }
            }
            RawSession.completeNow(ss, data, offset, ptr);
            if (offset == 0) {
                codes[3] = Wdstptc.completeReceive(ss.handle, (int) data.byteSize(), ptr);
            }
        });
        assertThat(s.awaitComplete()).isZero();
        assertThat(codes).as("unknown offset, wrong size, null offset, completed twice")
                .containsOnly(Raw.ERROR_INVALID_PARAMETER);
    }

    @Test
    void buffersThatAreNotTheLibrarysAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mine = arena.allocate(64);
            assertThat(Wdstptc.addRefBuffer(mine)).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            assertThat(Wdstptc.releaseBuffer(mine)).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            assertThat(Wdstptc.addRefBuffer(MemorySegment.NULL)).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            assertThat(Wdstptc.releaseBuffer(MemorySegment.NULL)).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
        }
    }

    /**
     * ReleaseBuffer drops only references taken with AddRefBuffer: a release
     * without one, or one more than were taken, is refused, and the block stays
     * intact for the rest of its ReceiveContents call.
     */
    @Test
    void releasingMoreThanWasAddedIsRefused() throws Exception {
        int[] codes = new int[4];
        long[] mismatch = {0, 0};
        RawSession s = startSynthetic("128KiB?block=64KiB&seed=5", 0, x -> x.onContents = (ss, data, offset, ptr) -> {
            if (offset == 0) {
                codes[0] = Wdstptc.releaseBuffer(data);
                mismatch[0] = io.github.wdstci.standin.SyntheticContent.mismatch(5, 0, data);
                codes[1] = Wdstptc.addRefBuffer(data);
                codes[2] = Wdstptc.releaseBuffer(data);
                codes[3] = Wdstptc.releaseBuffer(data);
                mismatch[1] = io.github.wdstci.standin.SyntheticContent.mismatch(5, 0, data);
            }
            RawSession.completeNow(ss, data, offset, ptr);
        });
        assertThat(s.awaitComplete()).isZero();
        assertThat(codes).as("release without AddRef, AddRef, release, release once more")
                .containsExactly(Raw.ERROR_INVALID_PARAMETER, 0, 0, Raw.ERROR_INVALID_PARAMETER);
        assertThat(mismatch).as("first differing byte of the block during its callback (-1: none)")
                .containsExactly(-1L, -1L);
    }

    @Test
    void queryStatusAndCancelExCheckTheirArguments() {
        RawSession s = open(x -> Raw.synthetic(x.arena, "256KiB"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment u = arena.allocate(ValueLayout.JAVA_INT);
            assertThat(Wdstptc.queryStatus(s.handle, MemorySegment.NULL, u)).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            assertThat(Wdstptc.queryStatus(s.handle, u, MemorySegment.NULL)).isEqualTo(Raw.ERROR_INVALID_PARAMETER);
        }
        assertThat(Wdstptc.cancelSessionEx(s.handle, 0)).as("cancel with ERROR_SUCCESS")
                .isEqualTo(Raw.ERROR_INVALID_PARAMETER);
        assertThat(s.status()).containsExactly(WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS(), 0);
    }

    @Test
    void waitForCompletionTimesOutWithWaitTimeout() throws Exception {
        RawSession s = startSynthetic("64MiB?delay=10ms", 0, x -> { });
        assertThat(s.firstBlock.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Wdstptc.waitForCompletion(s.handle, 0)).isEqualTo(Raw.WAIT_TIMEOUT);
        assertThat(Wdstptc.waitForCompletion(s.handle, 20)).isEqualTo(Raw.WAIT_TIMEOUT);
        assertThat(Wdstptc.cancelSession(s.handle)).isZero();
        assertThat(Wdstptc.waitForCompletion(s.handle, Raw.INFINITE)).isZero();
        assertThat(s.completed.getCount()).as("SessionComplete has run when the wait returns").isZero();
    }

    @Test
    void waitingOrShuttingDownFromTheSessionsOwnCallbackIsRefused() throws Exception {
        int[] codes = new int[2];
        RawSession s = startSynthetic("256KiB", 0, x -> x.onComplete = ss -> {
            codes[0] = Wdstptc.waitForCompletion(ss.handle, Raw.INFINITE);
            codes[1] = Wdstptc.shutdown();
        });
        assertThat(s.awaitComplete()).isZero();
        assertThat(codes).containsExactly(Raw.ERROR_POSSIBLE_DEADLOCK, Raw.ERROR_POSSIBLE_DEADLOCK);
    }
}
