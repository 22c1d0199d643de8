package io.github.wdstci;

import java.util.concurrent.locks.Lock;

import io.github.wdstci.check.ControlledLock;
import io.github.wdstci.check.Explorer;
import io.github.wdstci.check.Sched;

/**
 * The planted bug that shows the checker works before it is trusted with the
 * lifecycle: two threads each run "if not done, mark done and act" on a shared flag,
 * the plain check-then-act race. Without the lock both may act; the checker must find
 * the schedule in which they do, and find none with the lock.
 */
abstract class RacyOnceModel implements Explorer.Model {

    private boolean done;
    private int acted;
    private Lock lock;

    abstract boolean locked();

    @Override
    public void build(Sched sched) {
        lock = new ControlledLock(sched);
        for (int i = 0; i < 2; i++) {
            sched.spawn("t" + i, false, this::once);
        }
    }

    private void once() {
        if (locked()) {
            lock.lock();
        }
        try {
            if (!done) {
                done = true;
                acted++;
            }
        } finally {
            if (locked()) {
                lock.unlock();
            }
        }
    }

    @Override
    public void check() {
        if (acted != 1) {
            throw new AssertionError("acted " + acted + " times");
        }
    }

    /** Without the lock: the race is there to be found. */
    static final class Unlocked extends RacyOnceModel {
        @Override
        boolean locked() {
            return false;
        }
    }

    /** With it: no schedule acts twice. */
    static final class Locked extends RacyOnceModel {
        @Override
        boolean locked() {
            return true;
        }
    }
}
