/*
 * wdstci.h - Windows Deployment Services Transport Client API (WDSTPTC.dll).
 *
 * A self-contained restatement of the declarations in the Windows SDK header
 * of the same name, for jextract and for the project's Linux stand-in.
 * It includes nothing: every Win32 type is spelled with a C type whose size
 * is the same under Windows x64 (LLP64) and Linux x86-64 (LP64), so that
 * every layout and every signature below is the Windows x64 one whatever
 * the host compiler:
 *
 *   ULONG, DWORD    32-bit unsigned   (unsigned int, never long)
 *   ULONGLONG       64-bit unsigned   (unsigned long long)
 *   WCHAR           16-bit UTF-16 code unit
 *   HANDLE, PVOID   pointers
 *
 * When windows.h (or mingw-w64's windef.h) was included first, its own
 * typedefs are used instead and none are redeclared here.
 *
 * Sources, constants and the behaviour of every function are described in
 * the project's reference notes (wdstci-contract.md) and in Microsoft's
 * documentation of wdstci.h.
 */
#ifndef WDSTCI_H
#define WDSTCI_H

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Calling convention and linkage.
 * WDSTCIAPI and CALLBACK are __stdcall on 32-bit Windows; on x64 every
 * convention collapses into the single Microsoft x64 one, and elsewhere
 * there is nothing to say.  WDSTCI_IMPORT lets an implementation of this
 * API (the stand-in) mark the 14 functions as exported.
 * ---------------------------------------------------------------------- */
#ifndef WDSTCIAPI
#  if defined(_WIN32) && !defined(_WIN64)
#    define WDSTCIAPI __stdcall
#  else
#    define WDSTCIAPI
#  endif
#endif

#ifndef WDSTCI_CALLBACK
#  if defined(_WIN32) && !defined(_WIN64)
#    define WDSTCI_CALLBACK __stdcall
#  else
#    define WDSTCI_CALLBACK
#  endif
#endif

#ifndef WDSTCI_IMPORT
#  define WDSTCI_IMPORT
#endif

/* ------------------------------------------------------------------------
 * Win32 base types, LLP64-exact.
 * ---------------------------------------------------------------------- */
#if !defined(_WINDEF_) && !defined(_WINDEF_H)
typedef unsigned int       ULONG;
typedef ULONG             *PULONG;
typedef unsigned int       DWORD;
typedef unsigned long long ULONGLONG;
typedef unsigned short     WCHAR;
typedef const WCHAR       *LPCWSTR;
typedef void              *PVOID;
typedef void              *HANDLE;
typedef HANDLE            *PHANDLE;

/* ULARGE_INTEGER: 8 bytes, 8-aligned; a 64-bit value seen whole or as two
 * 32-bit halves (little-endian: LowPart first). */
typedef union _ULARGE_INTEGER {
    struct {
        DWORD LowPart;
        DWORD HighPart;
    };
    struct {
        DWORD LowPart;
        DWORD HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;
#endif /* !_WINDEF_ */

/* ------------------------------------------------------------------------
 * Constants.
 * ---------------------------------------------------------------------- */

/* WDS_TRANSPORTCLIENT_REQUEST.ulApiVersion: the only version there is.
 * (Microsoft's documentation and mingw-w64 spell it with an underscore
 * between TRANSPORT and CLIENT; both spellings are given.) */
#define WDS_TRANSPORTCLIENT_CURRENT_API_VERSION  1
#define WDS_TRANSPORT_CLIENT_CURRENT_API_VERSION WDS_TRANSPORTCLIENT_CURRENT_API_VERSION

/* WDS_TRANSPORTCLIENT_REQUEST.ulProtocol */
#define WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST   0x00000001

/* WDS_TRANSPORTCLIENT_REQUEST.ulAuthLevel */
#define WDS_TRANSPORTCLIENT_AUTH                 0x1
#define WDS_TRANSPORTCLIENT_NO_AUTH              0x2

/* WDS_TRANSPORTCLIENT_REQUEST.ulCacheSize: no documented meaning. */
#define WDS_TRANSPORTCLIENT_NO_CACHE             0

/* WdsTransportClientQueryStatus *puStatus */
#define WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS   0x0001
#define WDS_TRANSPORTCLIENT_STATUS_SUCCESS       0x0002
#define WDS_TRANSPORTCLIENT_STATUS_FAILURE       0x0003

/* Identifiers for WdsTransportClientRegisterCallback (a 32-bit int). */
typedef enum _TRANSPORTCLIENT_CALLBACK_ID {
    WDS_TRANSPORTCLIENT_SESSION_START     = 0,
    WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS  = 1,
    WDS_TRANSPORTCLIENT_SESSION_COMPLETE  = 2,
    WDS_TRANSPORTCLIENT_RECEIVE_METADATA  = 3,
    WDS_TRANSPORTCLIENT_SESSION_STARTEX   = 4,
    WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE = 5,
    WDS_TRANSPORTCLIENT_MAX_CALLBACKS     = 6
} TRANSPORTCLIENT_CALLBACK_ID, *PTRANSPORTCLIENT_CALLBACK_ID;

/* ------------------------------------------------------------------------
 * Structures.  x64 layouts (offsets in brackets) are checked by the tests.
 * ---------------------------------------------------------------------- */

/* Given to SessionStartEx and SessionNegotiate.  24 bytes, align 8. */
typedef struct _TRANSPORTCLIENT_SESSION_INFO {
    ULONG          ulStructureLength;   /* [0]  sizeof the structure    */
    ULARGE_INTEGER ullFileSize;         /* [8]  object size in bytes    */
    ULONG          ulBlockSize;         /* [16] receive block size      */
} TRANSPORTCLIENT_SESSION_INFO, *PTRANSPORTCLIENT_SESSION_INFO;

/* Input to WdsTransportClientInitializeSession.  64 bytes, align 8. */
typedef struct _WDS_TRANSPORTCLIENT_REQUEST {
    ULONG   ulLength;              /* [0]  sizeof the structure           */
    ULONG   ulApiVersion;          /* [4]  CURRENT_API_VERSION            */
    ULONG   ulAuthLevel;           /* [8]  AUTH or NO_AUTH                */
    LPCWSTR pwszServer;            /* [16] server host name or address    */
    LPCWSTR pwszNamespace;         /* [24] WDS transport namespace        */
    LPCWSTR pwszObjectName;        /* [32] object within the namespace    */
    ULONG   ulCacheSize;           /* [40] bytes delivered, not completed */
    ULONG   ulProtocol;            /* [44] PROTOCOL_MULTICAST             */
    PVOID   pvProtocolData;        /* [48] NULL for multicast             */
    ULONG   ulProtocolDataLength;  /* [56] bytes at pvProtocolData        */
} WDS_TRANSPORTCLIENT_REQUEST, *PWDS_TRANSPORTCLIENT_REQUEST;

/* ------------------------------------------------------------------------
 * Callbacks.  All return nothing; pCallerData is the value given to
 * WdsTransportClientInitializeSession.
 * ---------------------------------------------------------------------- */

/* WDS_TRANSPORTCLIENT_SESSION_START: *ullFileSize is the object size. */
typedef void (WDSTCI_CALLBACK *PFN_WdsTransportClientSessionStart)(
    HANDLE hSessionKey,
    PVOID pCallerData,
    PULARGE_INTEGER ullFileSize);

/* WDS_TRANSPORTCLIENT_SESSION_STARTEX: size and receive block size. */
typedef void (WDSTCI_CALLBACK *PFN_WdsTransportClientSessionStartEx)(
    HANDLE hSessionKey,
    PVOID pCallerData,
    PTRANSPORTCLIENT_SESSION_INFO Info);

/* WDS_TRANSPORTCLIENT_RECEIVE_METADATA: opaque provider metadata. */
typedef void (WDSTCI_CALLBACK *PFN_WdsTransportClientReceiveMetadata)(
    HANDLE hSessionKey,
    PVOID pCallerData,
    PVOID pMetadata,
    ULONG ulSize);

/* WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS: ulSize bytes at pContents belong at
 * *pullContentOffset; answered by exactly one CompleteReceive. */
typedef void (WDSTCI_CALLBACK *PFN_WdsTransportClientReceiveContents)(
    HANDLE hSessionKey,
    PVOID pCallerData,
    PVOID pContents,
    ULONG ulSize,
    PULARGE_INTEGER pullContentOffset);

/* WDS_TRANSPORTCLIENT_SESSION_COMPLETE: last callback, always delivered. */
typedef void (WDSTCI_CALLBACK *PFN_WdsTransportClientSessionComplete)(
    HANDLE hSessionKey,
    PVOID pCallerData,
    DWORD dwError);

/* WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE: answered with
 * WdsTransportClientNegotiateRequiredDataRange(hSessionKey, hNegotiateKey, ...). */
typedef void (WDSTCI_CALLBACK *PFN_WdsTransportClientSessionNegotiate)(
    HANDLE hSessionKey,
    PVOID pCallerData,
    PTRANSPORTCLIENT_SESSION_INFO pInfo,
    HANDLE hNegotiateKey);

/* The six callbacks as one table (declared by the SDK, taken by no function;
 * note the member order differs from the callback ids).  48 bytes, align 8. */
typedef struct _WDS_TRANSPORTCLIENT_CALLBACKS {
    PFN_WdsTransportClientSessionStart     SessionStart;      /* [0]  */
    PFN_WdsTransportClientSessionStartEx   SessionStartEx;    /* [8]  */
    PFN_WdsTransportClientReceiveContents  ReceiveContents;   /* [16] */
    PFN_WdsTransportClientReceiveMetadata  ReceiveMetadata;   /* [24] */
    PFN_WdsTransportClientSessionComplete  SessionComplete;   /* [32] */
    PFN_WdsTransportClientSessionNegotiate SessionNegotiate;  /* [40] */
} WDS_TRANSPORTCLIENT_CALLBACKS, *PWDS_TRANSPORTCLIENT_CALLBACKS;

/* ------------------------------------------------------------------------
 * Functions.  Each returns a Win32 error code, ERROR_SUCCESS (0) on success.
 * ---------------------------------------------------------------------- */

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientInitialize(void);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientInitializeSession(
    PWDS_TRANSPORTCLIENT_REQUEST pSessionRequest,
    PVOID pCallerData,
    PHANDLE hSessionKey);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientRegisterCallback(
    HANDLE hSessionKey,
    TRANSPORTCLIENT_CALLBACK_ID CallbackId,
    PVOID pfnCallback);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientStartSession(
    HANDLE hSessionKey);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientCompleteReceive(
    HANDLE hSessionKey,
    ULONG ulSize,
    PULARGE_INTEGER pullOffset);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientCancelSession(
    HANDLE hSessionKey);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientCancelSessionEx(
    HANDLE hSessionKey,
    DWORD dwErrorCode);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientWaitForCompletion(
    HANDLE hSessionKey,
    ULONG uTimeout);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientQueryStatus(
    HANDLE hSessionKey,
    PULONG puStatus,
    PULONG puErrorCode);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientCloseSession(
    HANDLE hSessionKey);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientAddRefBuffer(
    PVOID pvBuffer);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientReleaseBuffer(
    PVOID pvBuffer);

WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientShutdown(void);

/* Declared by the SDK header but exported by no known WDSTPTC.dll import
 * library: callers must look it up at run time. */
WDSTCI_IMPORT DWORD WDSTCIAPI WdsTransportClientNegotiateRequiredDataRange(
    HANDLE hSessionKey,
    HANDLE hNegotiateKey,
    ULARGE_INTEGER ullDataRangeStart,
    ULARGE_INTEGER ullDataRangeSize);

#ifdef __cplusplus
}
#endif

#endif /* WDSTCI_H */
