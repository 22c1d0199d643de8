package io.github.wdstci;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

import io.github.wdstci.check.ControlledLock;
import io.github.wdstci.check.Explorer;
import io.github.wdstci.check.Sched;

/**
 * A {@link Lifecycle} with a Java native side, transport, listener and executor, driven
 * by logical threads under a {@link Sched}: the model that {@link LifecycleInterleavingTest}
 * explores over every schedule within a preemption bound. Loaded by the checker's own
 * class loader (the lifecycle's fields become scheduling points), a fresh instance per run.
 *
 * <p>Threads: the transport (a daemon: it waits for StartSession, delivers its script,
 * then SessionComplete, with ERROR_CANCELLED once cancelled), the executor (a daemon
 * serving the tasks the lifecycle dispatches), and the scenario's user threads, each a
 * sequence of {@link Act}s. The fakes check, as they are called: no downcall after
 * CloseSession, CloseSession once, never before a started session's SessionComplete
 * and never during another downcall; the listener once, after the transport's last
 * callback, never on the transport's thread. After a complete run {@link #check()}
 * checks what every thread's calls returned against the future, the listener and
 * {@code status()}.
 */
abstract class LifecycleModel implements Explorer.Model {

    /** What a user thread does. */
    enum Act {
        START, CANCEL, COMPLETE, FAIL, TIMEOUT, SESSION_CANCEL, CLOSE, BEGIN_AND_AWAIT_CLOSE, RELEASE_KEPT
    }

    /** What the transport does after StartSession, before SessionComplete. */
    enum Step {
        /** A block the handler completes during its callback. */
        BLOCK,
        /** A block whose handler throws. */
        BLOCK_THROWS,
        /** A block the (asynchronous) handler keeps, released later. */
        BLOCK_KEPT,
        /** A block whose handler cancels the session (Session.cancel()). */
        BLOCK_CANCELS,
        /** A block whose handler closes the session. */
        BLOCK_CLOSES
    }

    static final int ERROR_CANCELLED = 1223;
    static final int ERROR_TIMEOUT = 1460;

    // ---- the scenario's settings -----------------------------------------------------------
    int startRc = 0;                              // StartSession's result
    boolean startReturnsAfterTheEnd;              // StartSession returns only once SessionComplete returned
    int endCode = 0;                              // the transport's own result
    boolean closeWhenHeard;                       // receive()
    boolean listenerThrows;                       // onSuccess throws
    boolean listenerCloses;                       // onSuccess / onFailure call close()
    boolean stageCloses;                          // a stage of the future calls close()
    Step[] steps = {Step.BLOCK};
    String unlockedIn;                           // a planted bug: the lock does nothing in this method
    final List<Act[]> users = new ArrayList<>();

    // ---- the run ----------------------------------------------------------------------------
    private Sched sched;
    Lifecycle life;
    private final Object startSignal = new Object();
    private final Object transportSignal = new Object();
    private final Object queueSignal = new Object();
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    // the native side's view
    private boolean started;                     // StartSession accepted
    private boolean ended;                       // SessionComplete delivered (its callback may still return)
    private int cancelCode;                      // the first cancel's code, or 0
    private boolean closed;
    private int closes;
    private int inFlight;
    private int outstanding;                     // kept blocks the transport waits for
    private int unreleased;                      // kept blocks nobody released yet

    // the listener's view
    private int successes;
    private int failures;
    private Throwable heard;
    private int stageRuns;
    private int told;                            // onClosed calls

    // what the user threads' calls returned
    private boolean cancelReturnedTrue;
    private boolean completeReturnedTrue;
    private Throwable failedWith;                // completeExceptionally(...) returned true with it
    private boolean closeAsked;

    @Override
    public void build(Sched s) {
        this.sched = s;
        SessionJournal none = new SessionJournal(
                TransferRequest.newBuilder().server("s").namespace("n").objectName("o").build(), () -> 0);
        life = new Lifecycle(new FakeNative(), new FakeListener(), new FakeExecutor(), closeWhenHeard, none,
                this::releaseKept, this::closedHook, new ControlledLock(s).skipWhen(unlockedIn));
        if (closeWhenHeard) {
            closeAsked = true;
        }
        CompletableFuture<Void> f = life.future;
        f.whenComplete((v, t) -> {
            stageRuns++;
            if (stageCloses) {
                closeAsked = true;
                life.close();
            }
        });
        s.spawn("transport", true, this::transport);
        s.spawn("executor", true, this::serve);
        for (int i = 0; i < users.size(); i++) {
            Act[] acts = users.get(i);
            s.spawn("user" + i, false, () -> {
                for (Act a : acts) {
                    act(a);
                }
            });
        }
    }

    // ---- the threads ---------------------------------------------------------------------------

    private void act(Act a) {
        sched.point();
        switch (a) {
            case START -> {
                try {
                    life.start();
                } catch (IllegalStateException closedOrStarted) {
                    // closed meanwhile: refused, as documented
                }
            }
            case CANCEL -> cancelReturnedTrue |= life.future.cancel(true);
            case COMPLETE -> completeReturnedTrue |= life.future.complete(null);
            case FAIL -> {
                IllegalStateException mine = new IllegalStateException("the caller's");
                if (life.future.completeExceptionally(mine)) {
                    failedWith = mine;
                }
            }
            case TIMEOUT -> {
                TimeoutException t = new TimeoutException();
                if (life.future.completeExceptionally(t)) {
                    failedWith = t;
                }
            }
            case SESSION_CANCEL -> {
                try {
                    life.cancel();
                } catch (IllegalStateException closedMeanwhile) {
                    // refused after close, as documented
                }
            }
            case CLOSE -> {
                closeAsked = true;
                life.close();
                closedNow();
            }
            case BEGIN_AND_AWAIT_CLOSE -> {          // what WdsClient.close() does with each session
                closeAsked = true;
                if (life.beginClose()) {
                    life.awaitClosed();
                }
                closedNow();
            }
            case RELEASE_KEPT -> {
                if (unreleased > 0) {
                    unreleased--;
                    life.completeLate(4096, 0);
                }
            }
        }
    }

    /** Right after close() returned on an ordinary thread: all of it is done. */
    private void closedNow() {
        expect(closed, "close() returned before CloseSession ran");
        expect(successes + failures > 0, "close() returned before the listener heard");
        expect(life.future.isDone(), "close() returned before the future was complete");
        expect(!started || ended, "close() returned before the transport stopped");
    }

    private void transport() {
        while (!started) {
            sched.await(startSignal);
        }
        for (Step step : steps) {
            sched.point();
            if (cancelCode != 0) {
                break;
            }
            callback(() -> {
                switch (step) {
                    case BLOCK -> {
                    }
                    case BLOCK_THROWS -> {
                        if (!life.failed()) {
                            life.fail(new IllegalArgumentException("the handler's"));
                        }
                    }
                    case BLOCK_KEPT -> {
                        if (!life.failed()) {
                            outstanding++;
                            unreleased++;
                        }
                    }
                    case BLOCK_CANCELS -> {
                        try {
                            life.cancel();
                        } catch (IllegalStateException closedMeanwhile) {
                            // refused after close, as documented
                        }
                    }
                    case BLOCK_CLOSES -> {
                        closeAsked = true;
                        life.close();
                    }
                }
            });
        }
        // Success is reported once every block was completed; a cancel ends it at once.
        while (cancelCode == 0 && outstanding > 0) {
            sched.await(transportSignal);
        }
        sched.point();
        int code = cancelCode != 0 ? cancelCode : endCode;
        callback(() -> {
            ended = true;
            life.ended(code);
        });
        sched.signal(transportSignal);
    }

    /** Runs {@code body} as a transport callback of the session (as Delivery marks it). */
    private void callback(Runnable body) {
        CallbackThreads.Record r = CallbackThreads.current();
        r.enter(life);
        try {
            body.run();
        } finally {
            r.exit();
        }
    }

    private void serve() {
        while (true) {
            while (queue.isEmpty()) {
                sched.await(queueSignal);
            }
            queue.poll().run();
        }
    }

    /** What the client hears: once, after CloseSession, with the future complete. */
    private void closedHook() {
        told++;
        expect(closed, "the client heard of a close before CloseSession ran");
        expect(life.future.isDone(), "the client heard of a close before the future was complete");
    }

    private void releaseKept() {
        while (unreleased > 0) {
            unreleased--;
            life.completeLate(4096, 0);
        }
    }

    // ---- the fakes -------------------------------------------------------------------------------

    private final class FakeNative implements NativeSide {

        private void enter(String call) {
            sched.point();
            expect(!closed, call + " on a closed handle");
            inFlight++;
        }

        private void exit() {
            sched.point();
            inFlight--;
        }

        @Override
        public int start() {
            enter("StartSession");
            if (startRc == 0) {
                started = true;
                sched.signal(startSignal);
                while (startReturnsAfterTheEnd && !ended) {
                    sched.await(transportSignal);
                }
            }
            exit();
            return startRc;
        }

        @Override
        public int cancel() {
            return cancelEx(ERROR_CANCELLED);
        }

        @Override
        public boolean hasCancelEx() {
            return true;
        }

        @Override
        public int cancelEx(int code) {
            enter("CancelSession");
            if (cancelCode == 0 && !ended) {
                cancelCode = code;
            }
            sched.signal(transportSignal);
            exit();
            return 0;
        }

        @Override
        public int completeReceive(int size, long offset) {
            enter("CompleteReceive");
            outstanding--;
            sched.signal(transportSignal);
            exit();
            return 0;
        }

        @Override
        public int close() {
            sched.point();
            expect(!closed, "CloseSession twice");
            expect(inFlight == 0, "CloseSession while another call on the handle runs");
            expect(!started || ended, "CloseSession before the started session's SessionComplete");
            closes++;
            closed = true;
            return 0;
        }
    }

    private final class FakeListener implements SessionListener {

        private void heardNow() {
            sched.point();
            expect(!"transport".equals(sched.threadName()), "the listener ran on the transport's thread");
            expect(!started || ended, "the listener heard before the transport's last callback");
        }

        @Override
        public void onSuccess() {
            heardNow();
            successes++;
            if (listenerCloses) {
                closeAsked = true;
                life.close();
            }
            if (listenerThrows) {
                throw new IllegalStateException("onSuccess threw");
            }
        }

        @Override
        public void onFailure(Throwable cause) {
            heardNow();
            failures++;
            heard = cause;
            if (listenerCloses && !listenerThrows) {
                closeAsked = true;
                life.close();
            }
        }
    }

    private final class FakeExecutor implements Executor {
        @Override
        public void execute(Runnable task) {
            queue.add(task);
            sched.signal(queueSignal);
        }
    }

    // ---- the invariants -------------------------------------------------------------------------------

    private void expect(boolean ok, String what) {
        if (!ok) {
            sched.fail(new AssertionError(what));
        }
    }

    @Override
    public void check() {
        CompletableFuture<Void> f = life.future;
        check(f.isDone(), "the future is not complete");
        check(stageRuns == 1, "the future's stage ran " + stageRuns + " times");
        int outcomes = successes + failures - (listenerThrows && successes == 1 ? 1 : 0);
        check(outcomes == 1, "the listener heard " + successes + " successes and " + failures + " failures");
        Throwable held = f.handle((v, t) -> t).join();
        boolean listenerSucceeded = failures == 0;
        if (completeReturnedTrue) {
            check(held == null, "complete(null) returned true, but the future holds " + held);
            check(!listenerSucceeded && heard instanceof CancellationException, "complete(null): the listener heard " + heard);
        } else if (cancelReturnedTrue) {
            check(f.isCancelled(), "cancel returned true, but the future holds " + held);
            check(held == heard, "the listener heard " + heard + ", the future holds " + held);
        } else if (failedWith != null) {
            check(held == failedWith, "completeExceptionally returned true, but the future holds " + held);
            check(held == heard, "the listener heard " + heard + ", the future holds " + held);
        } else if (listenerSucceeded) {
            check(held == null, "the listener heard success, the future holds " + held);
        } else {
            check(held == heard, "the listener heard " + heard + ", the future holds " + held);
        }
        SessionStatus.State state = life.status(0, 0, false).state();
        check(state == (listenerSucceeded ? SessionStatus.State.SUCCEEDED : SessionStatus.State.FAILED),
                "status says " + state + ", the listener heard " + (listenerSucceeded ? "success" : heard));
        if (closeAsked) {
            check(closes == 1, "CloseSession ran " + closes + " times for a closed session");
            check(told == 1, "the client heard of the close " + told + " times");
        } else {
            check(closes == 0, "CloseSession ran for a session nobody closed");
        }
        if (started) {
            check(ended, "a started session did not end");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    // ---- the scenarios ---------------------------------------------------------------------------------

    /** A cancel of the future racing the transport's natural end. */
    static final class CancelRacesTheEnd extends LifecycleModel {
        CancelRacesTheEnd() {
            users.add(new Act[] {Act.START, Act.CANCEL});
        }
    }

    /** complete(null) racing the natural end (it must keep its value once it returned true). */
    static final class CompleteRacesTheEnd extends LifecycleModel {
        CompleteRacesTheEnd() {
            users.add(new Act[] {Act.START, Act.COMPLETE});
        }
    }

    /** A timeout (completeExceptionally(TimeoutException)) racing a handler's exception. */
    static final class TimeoutRacesAHandlerException extends LifecycleModel {
        TimeoutRacesAHandlerException() {
            steps = new Step[] {Step.BLOCK_THROWS};
            users.add(new Act[] {Act.START, Act.TIMEOUT});
        }
    }

    /** Session.cancel() on another thread racing a transport failure. */
    static final class SessionCancelRacesATransportFailure extends LifecycleModel {
        SessionCancelRacesATransportFailure() {
            endCode = 1236;
            users.add(new Act[] {Act.START});
            users.add(new Act[] {Act.SESSION_CANCEL});
        }
    }

    /** close() racing the natural end, with receive()'s close once heard. */
    static final class CloseRacesTheEndOfAReceive extends LifecycleModel {
        CloseRacesTheEndOfAReceive() {
            closeWhenHeard = true;
            users.add(new Act[] {Act.START, Act.CLOSE});
        }
    }

    /** Two threads close, one of them the way WdsClient.close() does. */
    static final class TwoClosers extends LifecycleModel {
        TwoClosers() {
            users.add(new Act[] {Act.START, Act.CLOSE});
            users.add(new Act[] {Act.BEGIN_AND_AWAIT_CLOSE});
        }
    }

    /** A cancel before, during or after the start. */
    static final class CancelAroundTheStart extends LifecycleModel {
        CancelAroundTheStart() {
            users.add(new Act[] {Act.START});
            users.add(new Act[] {Act.CANCEL});
        }
    }

    /** A refused StartSession racing a completeExceptionally. */
    static final class RefusedStartRacesAFailure extends LifecycleModel {
        RefusedStartRacesAFailure() {
            startRc = 53;
            users.add(new Act[] {Act.START, Act.CLOSE});
            users.add(new Act[] {Act.FAIL});
        }
    }

    /** SessionComplete before StartSession returns, and a close meanwhile. */
    static final class EndBeforeTheStartReturns extends LifecycleModel {
        EndBeforeTheStartReturns() {
            startReturnsAfterTheEnd = true;
            closeWhenHeard = true;
            users.add(new Act[] {Act.START});
            users.add(new Act[] {Act.CLOSE});
        }
    }

    /** A block kept by the handler, released by one thread while another closes. */
    static final class ALateReleaseRacesTheClose extends LifecycleModel {
        ALateReleaseRacesTheClose() {
            steps = new Step[] {Step.BLOCK_KEPT};
            users.add(new Act[] {Act.START, Act.CLOSE});
            users.add(new Act[] {Act.RELEASE_KEPT});
        }
    }

    /** A stage of the future closes the session; its caller cancels it. */
    static final class AStageClosesOnCancel extends LifecycleModel {
        AStageClosesOnCancel() {
            stageCloses = true;
            users.add(new Act[] {Act.START, Act.CANCEL});
        }
    }

    /** A handler cancels its own session while another thread closes it. */
    static final class ACallbackCancelsWhileAThreadCloses extends LifecycleModel {
        ACallbackCancelsWhileAThreadCloses() {
            steps = new Step[] {Step.BLOCK_CANCELS};
            users.add(new Act[] {Act.START, Act.BEGIN_AND_AWAIT_CLOSE});
        }
    }

    /** A handler closes its own session; onSuccess of a session that ends first would throw. */
    static final class ACallbackClosesAndTheListenerThrows extends LifecycleModel {
        ACallbackClosesAndTheListenerThrows() {
            steps = new Step[] {Step.BLOCK_CLOSES};
            listenerThrows = true;
            users.add(new Act[] {Act.START});
            users.add(new Act[] {Act.COMPLETE});
        }
    }

    /** The listener closes the session while a thread closes it too. */
    static final class TheListenerClosesWhileAThreadCloses extends LifecycleModel {
        TheListenerClosesWhileAThreadCloses() {
            listenerCloses = true;
            users.add(new Act[] {Act.START, Act.CLOSE});
        }
    }

    /** A stage of the future closes the session inside another thread's close (which completed the future). */
    static final class AStageClosesInsideAClose extends LifecycleModel {
        AStageClosesInsideAClose() {
            stageCloses = true;
            users.add(new Act[] {Act.START, Act.BEGIN_AND_AWAIT_CLOSE});
        }
    }

    /** A timeout of the future with a stage that closes the session. */
    static final class AStageClosesOnTimeout extends LifecycleModel {
        AStageClosesOnTimeout() {
            stageCloses = true;
            closeWhenHeard = true;
            users.add(new Act[] {Act.START, Act.TIMEOUT});
        }
    }

    /** onSuccess throws while its caller completes the future. */
    static final class CompleteRacesAThrowingOnSuccess extends LifecycleModel {
        CompleteRacesAThrowingOnSuccess() {
            listenerThrows = true;
            users.add(new Act[] {Act.START, Act.COMPLETE});
        }
    }

    /** A planted bug: the listener is claimed without the lock, by the executor and by a thread that closes. */
    static final class PlantedUnlockedClaim extends LifecycleModel {
        PlantedUnlockedClaim() {
            unlockedIn = "claimListener";
            users.add(new Act[] {Act.START, Act.CLOSE});
        }
    }

    /** The binary names of the scenarios, for the test (the planted bug is not one). */
    static List<String> scenarios() {
        List<String> names = new ArrayList<>();
        for (Class<?> c : LifecycleModel.class.getDeclaredClasses()) {
            if (LifecycleModel.class.isAssignableFrom(c) && c != PlantedUnlockedClaim.class) {
                names.add(c.getName());
            }
        }
        names.sort(null);
        return names;
    }
}
