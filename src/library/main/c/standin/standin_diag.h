/*
 * Diagnostics of the Linux stand-in; not part of wdstci.h, not in any
 * Windows DLL.  Tests use it to check that sessions, buffers and threads
 * return to their starting counts.
 */
#ifndef STANDIN_DIAG_H
#define STANDIN_DIAG_H

#include "wdstci.h"

#define WDS_STANDIN_COUNTERS 4
/* counters[0]  sessions allocated (open, or closed but still running)
 * counters[1]  content buffers allocated (live, or pooled: a session's pool
 *              stays while one of its buffers is live, even past the session)
 * counters[2]  bytes of those buffers
 * counters[3]  delivery threads running
 * Copies min(count, 4) values; ERROR_INVALID_PARAMETER (87) if count > 4
 * or counters is NULL with a non-zero count. */
WDSTCI_IMPORT DWORD WdsStandinQueryCounters(unsigned long long *counters, ULONG count);

#endif
