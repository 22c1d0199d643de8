package io.github.wdstci.bench;

/**
 * What a consumer does per block besides its work, for the latency and
 * memory benchmarks: called first thing in each content callback, on the
 * delivery thread. Never throws.
 */
@FunctionalInterface
interface BlockProbe {

    void onBlock();
}
