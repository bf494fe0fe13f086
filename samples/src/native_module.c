/* A stand-in for a malicious IIS native module: the only thing IIS needs from a global module is the
 * RegisterModule export. It does nothing; it exists so the sample carries a real PE with the right export. */
#include <windows.h>

__declspec(dllexport) HRESULT __stdcall RegisterModule(DWORD server_version, void *module_info, void *global_info)
{
    (void)server_version;
    (void)module_info;
    (void)global_info;
    return S_OK;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
