package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listener that records what its session tells it, usable as a synchronous
 * and as an asynchronous handler (it implements both on purpose: which one is
 * called must depend only on how the session was created). It can throw at an
 * injection point and run hooks at the first block and in onSuccess.
 *
 * <p>As an asynchronous handler it reads and releases each block on a worker
 * thread, through {@link Block#withSegment}.
 */
class Recorder implements ContentHandler, AsyncContentHandler {

    /** Where a handler can throw. */
    enum Point { START, METADATA, BLOCK, SUCCESS }

    /** The exception thrown at an injection point. */
    static final class Injected extends RuntimeException {
        Injected(Point p) {
            super("injected at " + p);
        }
    }

    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger metadata = new AtomicInteger();
    final AtomicInteger syncBlocks = new AtomicInteger();
    final AtomicInteger asyncBlocks = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger successes = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final List<Throwable> causes = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch firstBlock = new CountDownLatch(1);
    final CountDownLatch ended = new CountDownLatch(1);
    volatile Thread endThread;
    volatile StartInfo startInfo;

    volatile Point throwAt;
    volatile Injected injected;
    volatile Runnable atFirstBlock;
    volatile Runnable atSuccess;
    private final ExecutorService worker = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "recorder-worker");
        t.setDaemon(true);
        return t;
    });

    /** Throws an {@link Injected} at {@code p}; returns it. */
    Injected throwAt(Point p) {
        injected = new Injected(p);
        throwAt = p;
        return injected;
    }

    private void maybeThrow(Point p) {
        if (throwAt == p) {
            throw injected;
        }
    }

    @Override
    public void onStart(StartInfo info) {
        startInfo = info;
        starts.incrementAndGet();
        maybeThrow(Point.START);
    }

    @Override
    public void onMetadata(MemorySegment m) {
        metadata.incrementAndGet();
        maybeThrow(Point.METADATA);
    }

    @Override
    public void onContent(MemorySegment block, long offset) {
        syncBlocks.incrementAndGet();
        block.get(ValueLayout.JAVA_BYTE, 0);              // readable during the call
        bytes.addAndGet(block.byteSize());
        first();
        maybeThrow(Point.BLOCK);
    }

    @Override
    public void onBlock(Block block) {
        asyncBlocks.incrementAndGet();
        block.segment().get(ValueLayout.JAVA_BYTE, 0);    // readable during onBlock
        first();
        maybeThrow(Point.BLOCK);
        worker.execute(() -> {
            try {
                bytes.addAndGet(block.withSegment(MemorySegment::byteSize));
            } catch (IllegalStateException released) {
                // the session closed and released it meanwhile: fine
            } finally {
                block.release();
            }
        });
    }

    private void first() {
        if (firstBlock.getCount() > 0) {
            firstBlock.countDown();
            Runnable r = atFirstBlock;
            if (r != null) {
                r.run();
            }
        }
    }

    @Override
    public void onSuccess() {
        successes.incrementAndGet();
        Runnable r = atSuccess;
        if (r != null) {
            r.run();
        }
        maybeThrow(Point.SUCCESS);
        endThread = Thread.currentThread();
        ended.countDown();
        worker.shutdown();
    }

    @Override
    public void onFailure(Throwable cause) {
        failures.incrementAndGet();
        causes.add(cause);
        endThread = Thread.currentThread();
        ended.countDown();
        worker.shutdown();
    }

    void awaitFirstBlock() throws InterruptedException {
        assertThat(firstBlock.await(StandinExtension.GUARD_SECONDS, TimeUnit.SECONDS)).as("a first block arrived").isTrue();
    }

    void awaitEnd() throws InterruptedException {
        assertThat(ended.await(StandinExtension.GUARD_SECONDS, TimeUnit.SECONDS)).as("the listener heard the end").isTrue();
    }

    /** The listener heard success, exactly once, and no failure. */
    void assertSucceededOnce() {
        assertThat(successes.get()).as("onSuccess calls").isEqualTo(1);
        assertThat(failures.get()).as("onFailure calls, causes %s", causes).isZero();
    }

    /** The listener heard exactly one failure, and returns it. */
    Throwable assertFailedOnce() {
        assertThat(failures.get()).as("onFailure calls").isEqualTo(1);
        assertThat(successes.get()).as("onSuccess calls").isLessThanOrEqualTo(throwAt == Point.SUCCESS ? 1 : 0);
        return causes.get(0);
    }
}
