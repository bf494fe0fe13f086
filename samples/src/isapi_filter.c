/* A stand-in for a malicious ISAPI filter: GetFilterVersion + HttpFilterProc, the two exports IIS calls. */
#include <windows.h>

typedef struct {
    DWORD server_filter_version;
    DWORD filter_version;
    CHAR description[257];
    DWORD flags;
} FILTER_VERSION;

__declspec(dllexport) BOOL WINAPI GetFilterVersion(FILTER_VERSION *version)
{
    version->filter_version = 0x00080000;
    version->flags = 0x00080000; /* SF_NOTIFY_ORDER_HIGH */
    lstrcpynA(version->description, "session filter", 256);
    return TRUE;
}

__declspec(dllexport) DWORD WINAPI HttpFilterProc(void *context, DWORD notification, void *data)
{
    (void)context;
    (void)notification;
    (void)data;
    return 0x08000000; /* SF_STATUS_REQ_NEXT_NOTIFICATION */
}
