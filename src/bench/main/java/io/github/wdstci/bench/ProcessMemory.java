package io.github.wdstci.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

/**
 * The process's memory, two ways:
 * <ul>
 *   <li>resident set size from {@code /proc/self/smaps_rollup} (it walks the
 *       page tables; VmRSS in /proc/self/status lags behind): everything, the
 *       library's buffers and every thread stack included;</li>
 *   <li>Native Memory Tracking's committed memory, from the DiagnosticCommand
 *       MBean's {@code vmNativeMemory summary} (the same report as
 *       {@code jcmd PID VM.native_memory summary}): the JVM's own native
 *       memory (thread structures, code cache with the upcall stubs, class
 *       metadata, arenas' malloc under Other), not the library's mallocs;
 *       summed over every category but the heap and the JIT's scratch arenas.
 *       Needs {@code -XX:NativeMemoryTracking=summary}; {@code -1} without it.</li>
 * </ul>
 */
final class ProcessMemory {

    private static final Pattern NMT_CATEGORY =
            Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB");

    /**
     * NMT categories left out: the heap (fixed by the benchmark's flags), and
     * the JIT's scratch memory (Compiler, Arena Chunk), which comes and goes with
     * compilations and would drown a session's share; NMT's own bookkeeping.
     */
    private static final Set<String> NMT_EXCLUDED = Set.of("Java Heap", "Compiler", "Arena Chunk", "Native Memory Tracking");
    private static final Pattern RSS = Pattern.compile("(?m)^Rss:\\s+(\\d+) kB");

    private ProcessMemory() {
    }

    static long rssBytes() {
        try {
            Matcher m = RSS.matcher(Files.readString(Path.of("/proc/self/smaps_rollup")));
            if (!m.find()) {
                throw new IllegalStateException("no Rss line in /proc/self/smaps_rollup");
            }
            return Long.parseLong(m.group(1)) * 1024;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** NMT's committed memory in bytes over the categories that count (see NMT_EXCLUDED), or -1 when NMT is off. */
    static long nmtCommittedBytes() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = NMT_CATEGORY.matcher(String.valueOf(out));
            long kb = 0;
            boolean any = false;
            while (m.find()) {
                any = true;
                if (!NMT_EXCLUDED.contains(m.group(1).strip())) {
                    kb += Long.parseLong(m.group(3));
                }
            }
            return any ? kb * 1024 : -1;
        } catch (Exception e) {
            throw new IllegalStateException("vmNativeMemory summary failed", e);
        }
    }
}
