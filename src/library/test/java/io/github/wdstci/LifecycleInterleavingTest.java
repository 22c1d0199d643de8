package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Stream;

import io.github.wdstci.check.Explorer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The session's lifecycle over every interleaving of its events within a preemption
 * bound ({@link Explorer}): start returning, SessionComplete with success or failure,
 * cancel, close from one or two threads, a timeout, {@code complete()}, a handler
 * throwing, a block released late, a stage or a listener closing, against a Java
 * native side ({@link LifecycleModel}). The checker is first shown to find a planted
 * check-then-act race, and the same race in the lifecycle when one of its transitions
 * runs without the lock.
 */
@Tag("session")
class LifecycleInterleavingTest {

    /** Deviations per schedule (see Explorer): the bound the whole suite explores within a minute. */
    static final int BOUND = 3;

    /** A guard: more runs than this means the state space grew beyond what CI should pay. */
    static final int MAX_RUNS = 200_000;

    /** Whose fields are shared state: every access to them outside the lock is a scheduling point. */
    private static final Set<String> LIFECYCLE = Set.of(SessionState.class.getName(), Leases.class.getName());

    static Stream<String> scenarios() {
        String only = System.getenv("EXPLORER_ONLY");        // a scenario's simple name, to explore it alone
        return LifecycleModel.scenarios().stream().filter(s -> only == null || s.endsWith("$" + only));
    }

    @Test
    void theCheckerFindsAPlantedCheckThenActRace() throws Exception {
        Set<String> racy = Set.of(RacyOnceModel.class.getName());
        Explorer.Result unlocked = new Explorer(BOUND, MAX_RUNS).explore(RacyOnceModel.Unlocked.class.getName(), racy);
        assertThat(unlocked.violation()).as("%s", unlocked).isNotNull().hasMessageContaining("acted 2 times");
        Explorer.Result locked = new Explorer(BOUND, MAX_RUNS).explore(RacyOnceModel.Locked.class.getName(), racy);
        assertThat(locked.passed()).as("%s", locked).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyScheduleKeepsEveryPromise(String scenario) throws Exception {
        Explorer.Result r = new Explorer(BOUND, MAX_RUNS).explore(scenario, LIFECYCLE);
        System.out.println(r);
        if (r.violation() != null) {
            throw new AssertionError(r.toString(), r.violation());
        }
        assertThat(r.runs()).as("schedules explored").isGreaterThan(1);
    }

    /**
     * The executor's claim of the listener made without the lock, as if that transition
     * had been written so: the checker finds the schedule in which a closer claims it too
     * and the listener hears the end twice.
     */
    @Test
    void theCheckerFindsTheRaceWhenOneTransitionRunsWithoutTheLock() throws Exception {
        Explorer.Result r = new Explorer(BOUND, MAX_RUNS).explore(LifecycleModel.PlantedUnlockedClaim.class.getName(),
                LIFECYCLE);
        assertThat(r.violation()).as("%s", r).isNotNull();
        System.out.println(r);
    }
}
