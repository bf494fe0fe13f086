#!/bin/bash
# Rebuilds samples/iis-compromised-kape.zip: a KAPE-style triage zip (C/Windows/...) of a synthetic, compromised
# IIS 10 server. Everything in it is made here from the sources beside this script:
#   - host/*.config: hand-written IIS and .NET configuration files (the planted components are listed at the top
#     of host/applicationHost.config);
#   - hives/: SYSTEM, SOFTWARE (dirty) and SOFTWARE.LOG1/.LOG2 made by make_hives.py (IIS 10 installed, a
#     legacy filter registration, an attacker root certificate that only the transaction log holds);
#   - logs/*.json: the host's event logs (IIS configuration audit, Security, Sysmon, PowerShell, Application,
#     System), written as EVTX by the repository's own writer (examples/mkevtx.rs, tests/support/evtx_writer.rs);
#   - src/*.c: two stand-in DLLs compiled with mingw-w64, a native module exporting RegisterModule (dropped as
#     inetsrv\cachehttpex.dll and ProgramData\Microsoft\Network\custerr.dll) and an ISAPI filter exporting
#     GetFilterVersion/HttpFilterProc (Windows\Temp\sfilter.dll).
# Output is byte-for-byte reproducible (fixed times, sorted entries, no PE timestamps); tests/sample.rs checks the
# committed zip's SHA-256 against samples/SHA256SUMS, so regenerate both together.
#
# Needs (Debian): gcc-mingw-w64-x86-64 zip osslsigncode, and cargo; run make_hives.py first when the hives change.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC SOURCE_DATE_EPOCH=1700000000 LC_ALL=C
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

CC=x86_64-w64-mingw32-gcc
# A fixed image base: ld otherwise derives one from the output path, and SOURCE_DATE_EPOCH fixes the PE times.
CFLAGS=(-shared -O2 -s -fno-ident -Wl,--kill-at -Wl,--disable-auto-image-base -Wl,--image-base=0x180000000)
x86_64-w64-mingw32-windres "$HERE/src/version.rc" -O coff -o "$WORK/version.o"
$CC "${CFLAGS[@]}" -o "$WORK/native_module.dll" "$HERE/src/native_module.c" "$WORK/version.o"
$CC "${CFLAGS[@]}" -o "$WORK/isapi_filter.dll" "$HERE/src/isapi_filter.c"

# The look-alike module is signed in Microsoft's name by a certificate of the attacker's root (samples/src/
# rogue-leaf.*, made by make_hives.py), which only the host's own ROOT store trusts. RSA PKCS#1 v1.5 and a fixed
# signing time keep the signature reproducible.
osslsigncode sign -certs "$HERE/src/rogue-leaf.pem" -key "$HERE/src/rogue-leaf.key" -h sha256 \
    -n "HTTP Cache Extension Module" -time 1699999000 -in "$WORK/native_module.dll" -out "$WORK/native_module.signed.dll" >/dev/null

T="$WORK/tree/C"
mkdir -p "$T/Windows/System32/inetsrv/config" "$T/Windows/System32/config" "$T/Windows/Temp" "$T/ProgramData/Microsoft/Network" \
         "$T/inetpub/wwwroot" "$T/inetpub/portal" "$T/Windows/Microsoft.NET/Framework64/v4.0.30319/Config"
cp "$HERE/host/applicationHost.config" "$HERE/host/administration.config" "$HERE/host/redirection.config" \
   "$T/Windows/System32/inetsrv/config/"
cp "$HERE/host/wwwroot-web.config" "$T/inetpub/wwwroot/web.config"
cp "$HERE/host/portal-web.config" "$T/inetpub/portal/web.config"
cp "$HERE/host/framework64-web.config" "$T/Windows/Microsoft.NET/Framework64/v4.0.30319/Config/web.config"
cp "$HERE/hives/SYSTEM" "$HERE/hives/SOFTWARE" "$HERE/hives/SOFTWARE.LOG1" "$HERE/hives/SOFTWARE.LOG2" \
   "$T/Windows/System32/config/"
cp "$WORK/native_module.signed.dll" "$T/Windows/System32/inetsrv/cachehttpex.dll"
cp "$WORK/native_module.dll" "$T/ProgramData/Microsoft/Network/custerr.dll"
cp "$WORK/isapi_filter.dll" "$T/Windows/Temp/sfilter.dll"
mkdir -p "$T/Windows/System32/winevt/Logs"
(cd "$HERE/.." && cargo build --quiet --release --example mkevtx)
for spec in "$HERE"/logs/*.json; do
    "$HERE/../target/release/examples/mkevtx" "$spec" "$T/Windows/System32/winevt/Logs/$(basename "$spec" .json).evtx"
done

find "$WORK/tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
rm -f "$HERE/iis-compromised-kape.zip"
(cd "$WORK/tree" && find C -type f | sort | zip -X -D -q "$HERE/iis-compromised-kape.zip" -@)
(cd "$HERE" && sha256sum iis-compromised-kape.zip hives/SYSTEM hives/SOFTWARE hives/SOFTWARE.LOG1 hives/SOFTWARE.LOG2 > SHA256SUMS)
cat "$HERE/SHA256SUMS"
