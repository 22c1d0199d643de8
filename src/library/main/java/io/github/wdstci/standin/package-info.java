/**
 * Helpers for code that runs against the Linux stand-in for {@code WDSTPTC.dll}
 * shipped in this library: the stand-in serves deterministic synthetic objects
 * (namespace {@code synthetic}), whose bytes {@link io.github.wdstci.standin.SyntheticContent}
 * computes, so that a receiver can check every byte without a copy of the object.
 * Nothing here is needed, or useful, against the real DLL.
 */
package io.github.wdstci.standin;
