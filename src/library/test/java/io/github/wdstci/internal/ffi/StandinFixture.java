package io.github.wdstci.internal.ffi;

import static io.github.wdstci.internal.ffi.wdstci_h.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import io.github.wdstci.internal.Wdstptc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * Base of the stand-in contract tests: Initialize before each test, and after
 * it cancel and wait for whatever still runs, Shutdown (which waits for every
 * delivery thread), free the sessions' arenas, check each session kept the
 * callback protocol, and check the stand-in holds no session, buffer or thread.
 */
@Tag("contract")
abstract class StandinFixture {

    private final List<RawSession> sessions = new ArrayList<>();
    private int initialized;

    @BeforeEach
    void initializeTransport() {
        assertThat(Raw.counters()).as("stand-in counters before the test").containsOnly(0L);
        assertThat(Wdstptc.initialize()).as("Initialize").isZero();
        initialized = 1;
    }

    /** For tests that balance Initialize/Shutdown themselves. */
    void shutdownNow() {
        assertThat(Wdstptc.shutdown()).as("Shutdown").isZero();
        initialized--;
    }

    /** Initialize once more; the fixture balances it with a Shutdown. */
    void initializeAgain() {
        assertThat(Wdstptc.initialize()).as("Initialize").isZero();
        initialized++;
    }

    @AfterEach
    void shutdownTransport() {
        for (RawSession s : sessions) {
            if (s.started && !s.closed) {
                Wdstptc.cancelSession(s.handle);
                Wdstptc.waitForCompletion(s.handle, Raw.INFINITE);
            }
        }
        for (RawSession s : sessions) {
            if (!s.closed && !s.handle.equals(MemorySegment.NULL)) {
                s.close();
            }
        }
        while (initialized-- > 0) {
            assertThat(Wdstptc.shutdown()).as("Shutdown").isZero();
        }
        // No delivery thread runs now: the stubs can go.
        for (RawSession s : sessions) {
            s.arena.close();
        }
        for (RawSession s : sessions) {
            s.verifyProtocol();
        }
        assertThat(Raw.counters()).as("stand-in counters (sessions, buffers, bytes, threads) after Shutdown")
                .containsExactly(0L, 0L, 0L, 0L);
    }

    /** A new session (not yet initialized) whose arena the fixture frees. */
    RawSession newSession() {
        RawSession s = new RawSession();
        sessions.add(s);
        return s;
    }

    /** A session initialized with this request and with every callback registered. */
    RawSession open(java.util.function.Function<RawSession, MemorySegment> request) {
        RawSession s = newSession();
        assertThat(s.initialize(request.apply(s))).as("InitializeSession").isZero();
        return s;
    }

    /** Opens, registers every callback and starts a synthetic-object session. */
    RawSession startSynthetic(String object, int cacheSize, java.util.function.Consumer<RawSession> setup) {
        RawSession s = open(x -> Raw.request(x.arena, "wds.example", "synthetic", object, cacheSize));
        setup.accept(s);
        s.registerAll();
        assertThat(s.start()).as("StartSession").isZero();
        return s;
    }
}
