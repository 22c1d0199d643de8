/*
 * Diagnostics of the Linux stand-in; not part of wdstci.h, not in any
 * Windows DLL.  Tests use it to check that sessions, buffers and threads
 * return to their starting counts.
 */
#ifndef STANDIN_DIAG_H
#define STANDIN_DIAG_H

#include "wdstci.h"

#define WDS_STANDIN_COUNTERS 5
/* counters[0]  sessions allocated (open, or closed but still running)
 * counters[1]  content buffers allocated (live, or pooled: a session's pool
 *              stays while one of its buffers is live, even past the session)
 * counters[2]  bytes of those buffers
 * counters[3]  delivery threads running
 * counters[4]  CloseSession calls made while another call on the same handle
 *              had not returned (since the library was loaded; a caller's
 *              error: the real DLL frees the session under that call)
 * Copies min(count, 5) values; ERROR_INVALID_PARAMETER (87) if count > 5
 * or counters is NULL with a non-zero count. */
WDSTCI_IMPORT DWORD WdsStandinQueryCounters(unsigned long long *counters, ULONG count);

/* ---- Benchmark harness (harness.c) ----------------------------------------
 * For the benchmarks in src/bench only: they measure a downcall and an upcall
 * apart from the stand-in's session machinery.  No application calls these.
 *
 * WdsStandinHarnessConstant: returns WDS_STANDIN_HARNESS_CONSTANT, nothing else.
 * WdsStandinHarnessOpen: starts a delivery thread; *harness receives its handle.
 * WdsStandinHarnessDeliver: on that thread, calls
 *     callback(hSessionKey, pCallerData, buffer, blockSize, &offset)
 *   count times in a tight loop, with one fixed buffer of blockSize bytes
 *   (allocated before the loop, never written) and offset = i * blockSize;
 *   no lock, map, pool or allocation inside the loop.  Returns once the loop
 *   has ended; *elapsedNs (may be NULL) receives the loop's duration
 *   (CLOCK_MONOTONIC).  blockSize 1 to 64 MiB, else ERROR_INVALID_PARAMETER
 *   (87); ERROR_BUSY (170) while another Deliver runs on the same harness;
 *   ERROR_POSSIBLE_DEADLOCK (1131) from the harness's own thread.
 * WdsStandinHarnessClose: stops the thread and frees the harness (not while
 *   a Deliver runs: ERROR_BUSY; not from its thread: ERROR_POSSIBLE_DEADLOCK).
 * A handle is valid from Open to Close; NULL: ERROR_INVALID_HANDLE (6). */
#define WDS_STANDIN_HARNESS_CONSTANT 0x5744u
WDSTCI_IMPORT ULONG WdsStandinHarnessConstant(void);
WDSTCI_IMPORT DWORD WdsStandinHarnessOpen(HANDLE *harness);
WDSTCI_IMPORT DWORD WdsStandinHarnessDeliver(HANDLE harness, PFN_WdsTransportClientReceiveContents callback,
                                             HANDLE hSessionKey, PVOID pCallerData, ULONG blockSize,
                                             ULONGLONG count, ULONGLONG *elapsedNs);
WDSTCI_IMPORT DWORD WdsStandinHarnessClose(HANDLE harness);

#endif
