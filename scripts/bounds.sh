#!/usr/bin/env bash
# Checks the time and memory bound of issue 15 (docs/fuzzing.md): no input under 10 MB may take more than 2 s or
# 256 MB. Every input of the fuzz corpora (fuzz/corpus/TARGET, made by scripts/fuzz.sh) and of the targets' seed
# folders is run through the release CLI placed where the target places it (a hive as the SYSTEM hive of a
# collection, a log as Security.evtx, a zip or image as the evidence, ...), timed by /usr/bin/time.
# Prints, per target, the inputs run and the slowest and largest; lists every input over a bound; exits 1 if any.
# The pseudo-target `matrix` runs the bad-input matrix of tests/hostile.rs the same way: the sample's configuration,
# SYSTEM hive, Security log and DLL, the sample zip and the fixture images under 10 MB, each cut at a quarter, a
# half, three quarters and one byte short, with a zero-filled region and with runs of 0xFF (lengths and counts at
# their maximum) at several offsets; each variant is placed as its kind's target places it.
# Usage: scripts/bounds.sh [TARGET...]      (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/release/inetsift"
[ -x "$bin" ] || bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/inetsift"
shared="$(cd .. && pwd)/shared/corpus"
all=(config_xml hive hive_log evtx pe catalog zip image mft usn matrix)
targets=("${@:-${all[@]}}")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The matrix's variants, as files under $work/matrix/KIND/ (KIND: the target whose placement it takes).
make_matrix() {
    python3 - "$work/matrix" <<'PY'
import io, os, sys, zipfile
out = sys.argv[1]
def variants(kind, name, good):
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    n = len(good)
    vs = {"cut%d" % c: good[:c] for c in (n // 4, n // 2, 3 * n // 4, n - 1)}
    z = bytearray(good); z[n // 3:n // 3 + 512] = bytes(len(z[n // 3:n // 3 + 512])); vs["zero"] = bytes(z)
    for at in (0, 0x20, 0x40, 0x1000, n // 2):
        f = bytearray(good); end = min(at + 64, n); f[min(at, n):end] = b"\xff" * (end - min(at, n)); vs["ff%d" % at] = bytes(f)
    for v, b in vs.items():
        ext = os.path.splitext(name)[1]
        open(os.path.join(out, kind, "%s.%s%s" % (os.path.splitext(name)[0], v, ext)), "wb").write(b)
sample = zipfile.ZipFile("samples/iis-compromised-kape.zip")
for kind, rel in (("config_xml", "C/Windows/System32/inetsrv/config/applicationHost.config"),
                  ("hive", "C/Windows/System32/config/SYSTEM"),
                  ("evtx", "C/Windows/System32/winevt/Logs/Security.evtx"),
                  ("pe", "C/Windows/System32/inetsrv/cachehttpex.dll")):
    variants(kind, os.path.basename(rel), sample.read(rel))
variants("zip", "iis-compromised-kape.zip", open("samples/iis-compromised-kape.zip", "rb").read())
images = zipfile.ZipFile("tests/fixtures/images/iis-host-images.zip")
for n in images.namelist():
    if images.getinfo(n).file_size < 10 * 1000 * 1000:
        variants("image", os.path.basename(n), images.read(n))
PY
}
max_bytes=$((10 * 1000 * 1000))
limit_s=2
limit_mb=256
failed=0

inputs() {
    local t="$1"
    if [ "$t" = matrix ]; then
        find "$work/matrix" -type f
        return 0
    fi
    local dirs=("fuzz/corpus/$t")
    case "$t" in
        config_xml) dirs+=("$shared/iisconfig" "$shared/iisconfig-benign" tests/fixtures/benign-host tests/fixtures/benign-web tests/fixtures/hostile) ;;
        hive) dirs+=("$shared/hives/regipy" "$shared/hives/yarp" samples/hives) ;;
        evtx) dirs+=("$shared/evtx") ;;
        pe) dirs+=("$shared/pe" tests/fixtures/managed) ;;
        zip) dirs+=("$shared/zips" tests/fixtures/history) ;;
        image) dirs+=("$shared/images") ;;
    esac
    for d in "${dirs[@]}"; do
        [ -d "$d" ] && find "$d" -maxdepth 1 -type f -size -"${max_bytes}"c
    done
    return 0
}

# Lays out one input as its target does and prints the command line to run.
place() {
    local t="$1" f="$2" e="$work/e"
    rm -rf "$e"
    mkdir -p "$e"
    case "$t" in
        config_xml)
            mkdir -p "$e/C/Windows/System32/inetsrv/config" "$e/C/inetpub/history/CFGHISTORY_0000000001" "$e/C/inetpub/wwwroot"
            cp "$f" "$e/C/Windows/System32/inetsrv/config/applicationHost.config"
            cp "$f" "$e/C/inetpub/history/CFGHISTORY_0000000001/applicationHost.config"
            cp "$f" "$e/C/inetpub/wwwroot/web.config"
            echo "scan $e" ;;
        hive) mkdir -p "$e/C/Windows/System32/config"; cp "$f" "$e/C/Windows/System32/config/SYSTEM"; echo "scan $e" ;;
        hive_log)
            mkdir -p "$e/C/Windows/System32/config"
            cp samples/hives/SOFTWARE "$e/C/Windows/System32/config/SOFTWARE"
            cp "$f" "$e/C/Windows/System32/config/SOFTWARE.LOG1"
            echo "scan $e" ;;
        evtx) mkdir -p "$e/C/Windows/System32/winevt/Logs"; cp "$f" "$e/C/Windows/System32/winevt/Logs/Security.evtx"; echo "scan $e" ;;
        pe)
            mkdir -p "$e/C/Windows/System32/inetsrv/config"
            cp "$f" "$e/C/Windows/System32/inetsrv/probe.dll"
            printf '<configuration><system.webServer><globalModules><add name="Probe" image="%%windir%%\\System32\\inetsrv\\probe.dll"/></globalModules></system.webServer></configuration>' \
                > "$e/C/Windows/System32/inetsrv/config/applicationHost.config"
            echo "scan $e" ;;
        catalog) echo "verify $(ls "$(pwd)"/tests/fixtures/managed/*.dll | head -1) --catalog $f" ;;
        zip|image) echo "scan $f" ;;
        mft) mkdir -p "$e/C"; cp "$f" "$e/C/\$MFT"; echo "scan $e" ;;
        usn) mkdir -p "$e/C/\$Extend"; cp "$f" "$e/C/\$Extend/\$J"; echo "scan $e" ;;
    esac
}

for t in "${targets[@]}"; do
    [ "$t" = matrix ] && make_matrix
    n=0 worst_s=0 worst_s_file="" worst_mb=0 worst_mb_file=""
    while IFS= read -r f; do
        kind="$t"
        [ "$t" = matrix ] && kind="$(basename "$(dirname "$f")")"
        cmd="$(place "$kind" "$f")"
        # shellcheck disable=SC2086
        timeout 60 /usr/bin/time -f '%e %M' -o "$work/time" "$bin" $cmd --json /dev/null >/dev/null 2>&1 || true
        # time(1) puts "Command exited with non-zero status N" first when the scan refuses its input: the figures
        # are on the last line.
        read -r s kb < <(tail -n 1 "$work/time" 2>/dev/null) || { s=60; kb=0; }
        case "$kb" in *[!0-9]*|'') kb=0 ;; esac
        case "$s" in *[!0-9.]*|'') s=60 ;; esac
        mb=$((kb / 1024))
        n=$((n + 1))
        if awk -v a="$s" -v b="$worst_s" 'BEGIN { exit !(a > b) }'; then worst_s="$s" worst_s_file="$f"; fi
        if [ "$mb" -gt "$worst_mb" ]; then worst_mb="$mb" worst_mb_file="$f"; fi
        if awk -v a="$s" -v l="$limit_s" 'BEGIN { exit !(a > l) }' || [ "$mb" -gt "$limit_mb" ]; then
            echo "OVER $t: $f ${s}s ${mb} MB"
            failed=1
        fi
    done < <(inputs "$t")
    echo "$t: $n inputs; slowest ${worst_s}s (${worst_s_file##*/}); most memory ${worst_mb} MB (${worst_mb_file##*/})"
done
exit "$failed"
