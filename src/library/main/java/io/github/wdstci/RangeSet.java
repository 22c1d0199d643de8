package io.github.wdstci;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes of an object that a part file holds, as ranges that touch nothing
 * else: one entry per separate run of bytes, so that blocks arriving in order
 * (or from a point on, round to the start) cost one entry. Thread-safe: blocks
 * may arrive on several threads at once.
 */
final class RangeSet {

    private final TreeMap<Long, Long> ranges = new TreeMap<>();    // start -> end
    private long bytes;

    RangeSet(List<Resumable.Range> initial) {
        for (Resumable.Range r : initial) {
            add(r.start(), r.end());
        }
    }

    /** Adds {@code [start, end)}, joining the ranges it overlaps or touches. */
    synchronized void add(long start, long end) {
        if (end <= start) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            if (before.getValue() >= end) {
                return;                                    // held already
            }
            start = before.getKey();
        }
        for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() <= end;
             e = ranges.ceilingEntry(start)) {
            end = Math.max(end, e.getValue());
            bytes -= e.getValue() - e.getKey();
            ranges.remove(e.getKey());
        }
        ranges.put(start, end);
        bytes += end - start;
    }

    /** How many bytes the ranges hold. */
    synchronized long bytes() {
        return bytes;
    }

    /** Whether the ranges are all of {@code [0, size)}. */
    synchronized boolean covers(long size) {
        return size == 0 || (ranges.size() == 1 && ranges.firstKey() == 0 && ranges.firstEntry().getValue() == size);
    }

    /** The ranges now, in ascending order. */
    synchronized List<Resumable.Range> snapshot() {
        List<Resumable.Range> list = new ArrayList<>(ranges.size());
        ranges.forEach((s, e) -> list.add(new Resumable.Range(s, e)));
        return list;
    }

    /**
     * The ranges to ask a transport for that takes at most {@code max} in one negotiation,
     * covering every one of {@code missing}: as they are when there are few enough; else the
     * gaps either side of the shortest received runs between them are joined, so that those
     * runs are received again, as few bytes as a choice of {@code max} ranges allows (every
     * join costs the run it spans, and the {@code max - 1} longest runs are kept apart).
     *
     * @param missing the gaps, in ascending order, apart
     * @param max     at least 1
     */
    static List<Resumable.Range> toAsk(List<Resumable.Range> missing, int max) {
        int n = missing.size();
        if (n <= max) {
            return missing;
        }
        // run i is the received bytes between gap i and gap i + 1
        Integer[] runs = new Integer[n - 1];
        Arrays.setAll(runs, i -> i);
        Arrays.sort(runs, Comparator.comparingLong((Integer i) -> missing.get(i + 1).start() - missing.get(i).end())
                .reversed().thenComparing(i -> i));
        boolean[] apart = new boolean[n - 1];
        for (int k = 0; k < max - 1; k++) {
            apart[runs[k]] = true;
        }
        List<Resumable.Range> ask = new ArrayList<>(max);
        long start = missing.get(0).start();
        for (int i = 0; i < n - 1; i++) {
            if (apart[i]) {
                ask.add(new Resumable.Range(start, missing.get(i).end()));
                start = missing.get(i + 1).start();
            }
        }
        ask.add(new Resumable.Range(start, missing.get(n - 1).end()));
        return ask;
    }

    /** The largest {@code max} of {@code ranges} (the shorter ones dropped), in ascending order. */
    static List<Resumable.Range> largest(List<Resumable.Range> ranges, int max) {
        if (ranges.size() <= max) {
            return ranges;
        }
        List<Resumable.Range> kept = new ArrayList<>(ranges);
        kept.sort(Comparator.comparingLong(Resumable.Range::length).reversed());
        kept = new ArrayList<>(kept.subList(0, max));
        kept.sort(Comparator.comparingLong(Resumable.Range::start));
        return kept;
    }
}
