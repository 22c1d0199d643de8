package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * What a part file holds ({@link RangeSet}), what it lacks ({@link Resumable#missing}), and the
 * ranges asked for when a transport takes at most so many ({@link Resumable#toAsk}).
 */
class RangeSetTest {

    static Resumable.Range r(long start, long end) {
        return new Resumable.Range(start, end);
    }

    @Test
    void rangesThatOverlapOrTouchBecomeOne() {
        RangeSet s = new RangeSet(List.of());
        s.add(10, 20);
        s.add(30, 40);
        assertThat(s.snapshot()).containsExactly(r(10, 20), r(30, 40));
        s.add(20, 30);                                   // touches both
        assertThat(s.snapshot()).containsExactly(r(10, 40));
        s.add(5, 15);                                    // overlaps the start
        s.add(12, 18);                                   // inside: nothing new
        s.add(50, 50);                                   // empty: nothing
        assertThat(s.snapshot()).containsExactly(r(5, 40));
        assertThat(s.bytes()).isEqualTo(35);
        s.add(0, 100);                                   // covers everything
        assertThat(s.snapshot()).containsExactly(r(0, 100));
        assertThat(s.covers(100)).isTrue();
        assertThat(s.covers(101)).isFalse();
    }

    /** Blocks in any order end as the same ranges, counted once, as a bitmap of bytes says. */
    @Test
    void blocksInAnyOrderAreCountedOnce() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            boolean[] bytes = new boolean[300];
            RangeSet s = new RangeSet(List.of());
            for (int i = 0; i < 20; i++) {
                int a = random.nextInt(300);
                int b = Math.min(300, a + 1 + random.nextInt(40));
                s.add(a, b);
                for (int k = a; k < b; k++) {
                    bytes[k] = true;
                }
            }
            List<Resumable.Range> expected = new ArrayList<>();
            long count = 0;
            for (int k = 0; k < 300; k++) {
                if (bytes[k]) {
                    count++;
                    int start = k;
                    while (k + 1 < 300 && bytes[k + 1]) {
                        k++;
                        count++;
                    }
                    expected.add(r(start, k + 1));
                }
            }
            assertThat(s.snapshot()).isEqualTo(expected);
            assertThat(s.bytes()).isEqualTo(count);
        }
    }

    @Test
    void whatIsMissingIsTheGapsAndTheTail() {
        Resumable held = new Resumable(java.nio.file.Path.of("p"), "o", 100, List.of(r(10, 20), r(30, 40)));
        assertThat(held.missing()).containsExactly(r(0, 10), r(20, 30), r(40, 100));
        assertThat(held.bytes()).isEqualTo(20);
        assertThat(new Resumable(java.nio.file.Path.of("p"), "o", 40, List.of(r(0, 40))).missing()).isEmpty();
        assertThatThrownBy(() -> new Resumable(java.nio.file.Path.of("p"), "o", 40, List.of(r(0, 10), r(10, 20))))
                .as("touching ranges are one").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Resumable(java.nio.file.Path.of("p"), "o", 40, List.of(r(30, 41))))
                .as("beyond the object").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> held.toAsk(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sixteenGapsOrFewerAreAskedForAsTheyAre() {
        List<Resumable.Range> held = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            held.add(r(100L * i + 10, 100L * i + 60));
        }
        Resumable r = new Resumable(java.nio.file.Path.of("p"), "o", 1500, held);
        assertThat(r.missing()).hasSize(16);
        assertThat(r.toAsk(16)).isEqualTo(r.missing());
    }

    /**
     * With more gaps than ranges, the closest gaps are joined: the runs of received bytes that
     * are asked for again are the shortest ones, and the fewest bytes are asked for again that
     * any choice of that many ranges allows (checked against every choice, on random cases).
     */
    @Test
    void moreGapsThanRangesJoinTheClosestAndReceiveTheFewestBytesAgain() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            int gaps = 2 + random.nextInt(9);
            int max = 1 + random.nextInt(gaps);
            List<Resumable.Range> held = new ArrayList<>();
            long at = 1 + random.nextInt(50);            // a gap first
            for (int i = 0; i < gaps - 1; i++) {
                long len = 1 + random.nextInt(100);
                held.add(r(at, at + len));
                at += len + 1 + random.nextInt(50);
            }
            long size = at + random.nextInt(2) * (1 + random.nextInt(30));    // a gap last, or the last run ends there
            if (size == at) {
                long len = 1 + random.nextInt(10);
                held.add(r(at, at + len));
                size = at + len;
            }
            Resumable res = new Resumable(java.nio.file.Path.of("p"), "o", size, held);
            List<Resumable.Range> missing = res.missing();
            List<Resumable.Range> ask = res.toAsk(max);

            assertThat(ask).hasSize(Math.min(max, missing.size()));
            for (Resumable.Range m : missing) {
                assertThat(ask).as("every missing range is asked for").anyMatch(a -> a.start() <= m.start() && m.end() <= a.end());
            }
            for (int i = 1; i < ask.size(); i++) {
                assertThat(ask.get(i).start()).as("ascending, apart").isGreaterThan(ask.get(i - 1).end());
            }
            long asked = ask.stream().mapToLong(Resumable.Range::length).sum();
            assertThat(asked).as("round %d: %d gaps into %d ranges", round, missing.size(), max)
                    .isEqualTo(fewestBytes(missing, max));
        }
    }

    /** The fewest bytes that {@code max} ranges covering every one of {@code missing} hold, by trying every choice. */
    static long fewestBytes(List<Resumable.Range> missing, int max) {
        int n = missing.size();
        if (n <= max) {
            return missing.stream().mapToLong(Resumable.Range::length).sum();
        }
        long best = Long.MAX_VALUE;
        for (int cuts = 0; cuts < 1 << (n - 1); cuts++) {   // bit i: a range ends after gap i
            if (Integer.bitCount(cuts) != max - 1) {
                continue;
            }
            long total = 0;
            long start = missing.get(0).start();
            for (int i = 0; i < n; i++) {
                if (i == n - 1 || (cuts & 1 << i) != 0) {
                    total += missing.get(i).end() - start;
                    if (i < n - 1) {
                        start = missing.get(i + 1).start();
                    }
                }
            }
            best = Math.min(best, total);
        }
        return best;
    }

    @Test
    void theLargestRangesAreKeptInOrder() {
        List<Resumable.Range> ranges = List.of(r(0, 5), r(10, 30), r(40, 42), r(50, 60));
        assertThat(RangeSet.largest(ranges, 2)).containsExactly(r(10, 30), r(50, 60));
        assertThat(RangeSet.largest(ranges, 4)).isEqualTo(ranges);
    }
}
