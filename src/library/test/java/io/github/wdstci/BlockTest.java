package io.github.wdstci;

import static io.github.wdstci.StandinExtension.GUARD_SECONDS;
import static io.github.wdstci.StandinExtension.synthetic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kept block's bytes: where and when they can be read. The stand-in poisons
 * a buffer (0xDB) when its last reference goes, so a read of a buffer given
 * back too early sees poison instead of the synthetic content.
 */
@ExtendWith(StandinExtension.class)
@Tag("session")
class BlockTest {

    static final long SEED = 41;

    @Test
    void aReleaseWhileAnotherThreadReadsWaitsForTheReaderBeforeReturningTheBuffer(WdsClient client) throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        AtomicReference<Block> kept = new AtomicReference<>();
        AtomicReference<Long> mismatch = new AtomicReference<>();
        Session s = client.newAsyncSession(synthetic("256KiB?block=64KiB&seed=" + SEED), block -> {
            if (kept.compareAndSet(null, block)) {
                Thread.ofPlatform().start(() -> {
                    try {
                        mismatch.set(block.withSegment(seg -> {
                            reading.countDown();
                            released.await(GUARD_SECONDS, TimeUnit.SECONDS);   // the release happens here
                            return SyntheticContent.mismatch(SEED, block.offset(), seg);
                        }));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } else {
                block.release();
            }
        });
        CompletableFuture<Void> f = s.start();
        assertThat(reading.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        Block b = kept.get();
        b.release();
        assertThat(b.isReleased()).isTrue();
        assertThatThrownBy(() -> b.withSegment(MemorySegment::byteSize)).as("a new reader after the release")
                .isInstanceOf(IllegalStateException.class);
        released.countDown();
        f.get(GUARD_SECONDS, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (mismatch.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(mismatch.get()).as("the reader saw the block's bytes, not poison").isEqualTo(-1L);
        s.close();
    }

    @Test
    void segmentIsForOnBlockOnItsThreadOnly(WdsClient client) throws Exception {
        AtomicReference<MemorySegment> keptSegment = new AtomicReference<>();
        AtomicReference<Block> keptBlock = new AtomicReference<>();
        AtomicReference<Throwable> otherThread = new AtomicReference<>();
        AtomicReference<Throwable> afterReleaseHere = new AtomicReference<>();
        AtomicInteger blocks = new AtomicInteger();
        Session s = client.newAsyncSession(synthetic("256KiB?block=64KiB&seed=" + SEED), block -> {
            int n = blocks.getAndIncrement();
            MemorySegment seg = block.segment();
            assertThat(seg.isReadOnly()).isTrue();
            assertThat(SyntheticContent.mismatch(SEED, block.offset(), seg)).isEqualTo(-1);
            if (n == 0) {
                keptSegment.set(seg);
                keptBlock.set(block);
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        block.segment();
                    } catch (Throwable e) {
                        otherThread.set(e);
                    }
                });
                t.join();
                block.release();
            } else if (n == 1) {
                block.release();                       // on the callback thread: the segment ends at once
                try {
                    seg.get(ValueLayout.JAVA_BYTE, 0);
                } catch (Throwable e) {
                    afterReleaseHere.set(e);
                }
            } else {
                block.release();
            }
        });
        s.start().get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(otherThread.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("withSegment");
        assertThat(afterReleaseHere.get()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keptSegment.get().get(ValueLayout.JAVA_BYTE, 0)).as("a segment kept past onBlock")
                .isInstanceOfAny(IllegalStateException.class, WrongThreadException.class);
        assertThatThrownBy(() -> keptBlock.get().segment()).isInstanceOf(IllegalStateException.class);
        s.close();
    }

    /** A handler that is both kinds is driven the way its session was created. */
    @Test
    void aHandlerOfBothKindsIsDrivenAsTheSessionSays(WdsClient client) throws Exception {
        Recorder both = new Recorder();
        client.newAsyncSession(synthetic("1MiB"), both).start().get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(both.asyncBlocks.get()).isEqualTo(16);
        assertThat(both.syncBlocks).hasValue(0);

        Recorder again = new Recorder();
        client.receive(synthetic("1MiB"), again).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(again.syncBlocks.get()).isEqualTo(16);
        assertThat(again.asyncBlocks).hasValue(0);
    }
}
