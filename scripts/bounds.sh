#!/usr/bin/env bash
# Checks the time and memory bound of issue 15 (docs/fuzzing.md): no input under 10 MB may take more than 2 s or
# 256 MB. Every input of the fuzz corpora (fuzz/corpus/TARGET, made by scripts/fuzz.sh) and of the targets' seed
# folders is run through the release CLI placed where the target places it (a hive as the SYSTEM hive of a
# collection, a log as Security.evtx, a zip or image as the evidence, ...), timed by /usr/bin/time.
# Prints, per target, the inputs run and the slowest and largest; lists every input over a bound; exits 1 if any.
# Usage: scripts/bounds.sh [TARGET...]      (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/release/inetsift"
[ -x "$bin" ] || bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/inetsift"
shared="$(cd .. && pwd)/shared/corpus"
all=(config_xml hive hive_log evtx pe catalog zip image mft usn)
targets=("${@:-${all[@]}}")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
max_bytes=$((10 * 1000 * 1000))
limit_s=2
limit_mb=256
failed=0

inputs() {
    local t="$1"
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
    n=0 worst_s=0 worst_s_file="" worst_mb=0 worst_mb_file=""
    while IFS= read -r f; do
        cmd="$(place "$t" "$f")"
        # shellcheck disable=SC2086
        timeout 60 /usr/bin/time -f '%e %M' -o "$work/time" "$bin" $cmd --json /dev/null >/dev/null 2>&1 || true
        read -r s kb < "$work/time" 2>/dev/null || { s=60; kb=0; }
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
