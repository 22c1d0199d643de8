package io.github.wdstci.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Live sessions by the key given to native code as {@code pCallerData}: the
 * upcall stubs are shared by every session, so each callback finds its session
 * here. A key is {@code generation << 32 | (slot + 1)}: never 0 (a NULL
 * {@code pCallerData}), and a stale key never finds a newer session in the
 * same slot.
 *
 * <p>Lookups are lock-free (one volatile array read and a compare, no
 * allocation: they run once per content block); registration and removal take
 * a lock.
 *
 * @param <T> what is registered
 */
public final class SessionRegistry<T> {

    private record Entry<T>(long key, T value) {
    }

    private final Object lock = new Object();
    private volatile AtomicReferenceArray<Entry<T>> slots = new AtomicReferenceArray<>(64);
    private int[] generations = new int[64];          // guarded by lock
    private int[] free = new int[64];                 // guarded by lock: a stack of free slots
    private int freeCount;                            // guarded by lock
    private int size;                                 // guarded by lock

    public SessionRegistry() {
        for (int i = 63; i >= 0; i--) {
            free[freeCount++] = i;
        }
    }

    /**
     * Makes {@code value} the value of {@code key}: a key may be registered
     * with null (found as nothing) and published once its value is complete.
     */
    public void publish(long key, T value) {
        synchronized (lock) {
            int slot = (int) key - 1;
            Entry<T> e = slots.get(slot);
            if (e == null || e.key != key) {
                throw new IllegalStateException("key " + key + " is not registered");
            }
            slots.set(slot, new Entry<>(key, value));
        }
    }

    /** Registers {@code value} (null: found as nothing until {@link #publish}) and returns its key (never 0). */
    public long register(T value) {
        synchronized (lock) {
            if (freeCount == 0) {
                grow();
            }
            int slot = free[--freeCount];
            long key = ((long) generations[slot] << 32) | (slot + 1L);
            slots.set(slot, new Entry<>(key, value));
            size++;
            return key;
        }
    }

    private void grow() {
        AtomicReferenceArray<Entry<T>> old = slots;
        int n = old.length();
        if (n >= (1 << 30)) {
            throw new IllegalStateException("too many live sessions: " + n);
        }
        AtomicReferenceArray<Entry<T>> bigger = new AtomicReferenceArray<>(2 * n);
        for (int i = 0; i < n; i++) {
            bigger.set(i, old.get(i));
        }
        generations = java.util.Arrays.copyOf(generations, 2 * n);
        free = java.util.Arrays.copyOf(free, 2 * n);
        for (int i = 2 * n - 1; i >= n; i--) {
            free[freeCount++] = i;
        }
        slots = bigger;
    }

    /** The value registered under {@code key}, or null. */
    public T get(long key) {
        int slot = (int) key - 1;
        AtomicReferenceArray<Entry<T>> s = slots;
        if (slot < 0 || slot >= s.length()) {
            return null;
        }
        Entry<T> e = s.get(slot);
        return e != null && e.key == key ? e.value : null;
    }

    /** Removes {@code key} if it is registered; later lookups of it find nothing. */
    public void remove(long key) {
        synchronized (lock) {
            int slot = (int) key - 1;
            AtomicReferenceArray<Entry<T>> s = slots;
            if (slot < 0 || slot >= s.length()) {
                return;
            }
            Entry<T> e = s.get(slot);
            if (e != null && e.key == key) {
                s.set(slot, null);
                generations[slot]++;
                free[freeCount++] = slot;
                size--;
            }
        }
    }

    /** Values registered now (a snapshot). */
    public java.util.List<T> values() {
        java.util.List<T> out = new java.util.ArrayList<>();
        AtomicReferenceArray<Entry<T>> s = slots;
        for (int i = 0; i < s.length(); i++) {
            Entry<T> e = s.get(i);
            if (e != null) {
                out.add(e.value);
            }
        }
        return out;
    }

    /** How many values are registered. */
    public int size() {
        synchronized (lock) {
            return size;
        }
    }
}
