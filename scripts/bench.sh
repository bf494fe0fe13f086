#!/usr/bin/env bash
# Benchmarks (not timed tests): wall time and peak memory of `inetsift scan` on fixed inputs, median of N runs.
# usage: scripts/bench.sh [RUNS] [SECTION...]   (results go into docs/benchmarks.md by hand, with the machine they
# ran on). Sections: basic verify volume evtx bigevtx fleet image; all of them when none is named.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-15}
shift || true
SECTIONS=("$@")
want() { [ ${#SECTIONS[@]} -eq 0 ] || [[ " ${SECTIONS[*]} " == *" $1 "* ]]; }
cargo build --release -q
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/inetsift
CORPUS=../shared/corpus

TIMES=$(mktemp)
TEMP=("$TIMES")
cleanup() {
    [ -n "${IMG:-}" ] && umount "$IMG/m" 2>/dev/null || true
    rm -rf "${TEMP[@]}"
}
trap cleanup EXIT

# One row: median wall time of RUNS runs of the command and the highest peak RSS seen.
measure() {
    local label=$1; shift
    local times=() mem=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -o "$TIMES" -f "%e %M" "$@" >/dev/null 2>&1
        local out
        out=$(tail -1 "$TIMES")
        times+=("${out% *}")
        local m=${out#* }
        (( m > mem )) && mem=$m
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %s | %s s | %s MiB |\n' "$label" "$median" "$((mem / 1024))"
}

bench() {
    local label=$1; shift
    measure "$label" "$BIN" scan "$@" --json /dev/null
}

echo "| input | median wall time ($RUNS runs) | peak RSS |"
echo "|---|---|---|"
if want basic; then
bench "regipy/SYSTEM_WIN_10_1709 (15 MB, dirty, no logs): open + all IIS facts" "$CORPUS/hives/regipy/SYSTEM_WIN_10_1709"
bench "regipy/SYSTEM_B + LOG1/LOG2 (12 MB, 24 log entries replayed)" "$CORPUS/hives/regipy/SYSTEM_B"
bench "cssexchange_E16_applicationHost.config (174 KB, 150 components)" "$CORPUS/iisconfig/cssexchange_E16_applicationHost.config"
bench "samples/iis-compromised-kape.zip (whole sample)" samples/iis-compromised-kape.zip

fi

if want verify; then
# Signatures: verify over every corpus PE with the corpus catalogs.
PE=("$CORPUS"/pe/*.exe "$CORPUS"/pe/*.dll "$CORPUS"/pe/*.sys "$CORPUS"/pe/*.tmp)
measure "verify: ${#PE[@]} corpus PE files, 5 corpus catalogs" "$BIN" verify "${PE[@]}" --catalog "$CORPUS/pe" --json /dev/null

fi

if want volume; then
# A whole-volume folder: 100 DLLs in inetsrv (signed and unsigned corpus/fixture PEs) and a CatRoot of 2,000
# catalogs (copies of real Windows catalogs), so the catalog index dominates.
VOL=$(mktemp -d)
TEMP+=("$VOL")
mkdir -p "$VOL/Windows/System32/inetsrv/config" "$VOL/Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"
cp samples/host/applicationHost.config "$VOL/Windows/System32/inetsrv/config/"
SRC=("$CORPUS/pe/signify_DXCore.dll" "$CORPUS/pe/signify_kdbazis.dll" "$CORPUS/pe/velociraptor_wkscli.dll" tests/fixtures/authenticode/dll/*.dll)
for i in $(seq 1 100); do cp "${SRC[$((i % ${#SRC[@]}))]}" "$VOL/Windows/System32/inetsrv/bench$i.dll"; done
CATS=("$CORPUS"/pe/*.cat)
for i in $(seq 1 2000); do cp "${CATS[$((i % ${#CATS[@]}))]}" "$VOL/Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/c$i.cat"; done
bench "volume folder: 100 DLLs in inetsrv + 2,000 catalogs in CatRoot" "$VOL"

fi

# Event logs against evtx_dump (the evtx crate's own CLI, same parser) on the same files, in the same run:
# all corpus EVTX, then a folder of ~300 MB of copies. evtx_dump renders every record to JSON lines, once per file;
# inetsift renders only the records it wants, and also hashes every log.
EVTX_DUMP=${EVTX_DUMP:-$(command -v evtx_dump || true)}
if [ -z "$EVTX_DUMP" ]; then
    cargo install -q evtx --version 0.15.1 --root target/bench-tools
    EVTX_DUMP=target/bench-tools/bin/evtx_dump
fi
dbench() {
    measure "$1" sh -c 'for f in "$1"/*.evtx; do "$2" -t 2 -o jsonl "$f"; done' _ "$2" "$EVTX_DUMP"
}
if want evtx; then
LOGS=$(mktemp -d)
TEMP+=("$LOGS")
i=0
while [ "$(du -sm "$LOGS" | cut -f1)" -lt 300 ]; do
    i=$((i + 1))
    for f in "$CORPUS"/evtx/*.evtx; do cp "$f" "$LOGS/c$i-$(basename "$f")"; done
done
N=$(ls "$CORPUS"/evtx/*.evtx | wc -l)
bench "EVTX: all $N corpus logs ($(du -sh "$CORPUS/evtx" | cut -f1)), inetsift scan" "$CORPUS/evtx"
dbench "EVTX: all $N corpus logs, evtx_dump -t 2 -o jsonl per file" "$CORPUS/evtx"
bench "EVTX: $(ls "$LOGS" | wc -l) copies ($(du -sh "$LOGS" | cut -f1)), inetsift scan" "$LOGS"
dbench "EVTX: $(ls "$LOGS" | wc -l) copies, evtx_dump -t 2 -o jsonl per file" "$LOGS"

fi

if want bigevtx; then
# Large server Security logs written by the repository's EVTX writer from scripts/make_security_log.py (a realistic
# mix: logons, logoffs, privileges, process starts, object access, HTTP.sys connections, NTLM; four w3wp.exe ->
# cmd.exe process starts hidden at 1/5..4/5): ~256 MB (418,000 records), and ~1 GB made of four copies of its
# chunks (scripts/repeat_evtx.py: ids and times continued; the writer would need the whole list in memory), the
# parser-bound case, against evtx_dump on the same file in the same run. inetsift's time includes the SHA-256 of
# every byte; both must read the same number of records, and the scan must find the w3wp shell starts.
cargo build -q --release --example mkevtx
BIG=$(mktemp -d)
TEMP+=("$BIG")
python3 scripts/make_security_log.py "$BIG/events.json" 418000
"$TARGET"/release/examples/mkevtx "$BIG/events.json" "$BIG/one.evtx"
rm "$BIG/events.json"
for spec in "256MB 1 418000" "1GB 4 1672000"; do
    set -- $spec
    mkdir -p "$BIG/$1"
    python3 scripts/repeat_evtx.py "$BIG/one.evtx" "$BIG/$1/Security.evtx" "$2"
    set -- "$1" "$3"
    bench "EVTX: one $(du -sh "$BIG/$1/Security.evtx" | cut -f1) Security log ($2 records), inetsift scan" "$BIG/$1/Security.evtx"
    dbench "EVTX: the same log, evtx_dump -t 2 -o jsonl" "$BIG/$1"
    "$BIN" scan "$BIG/$1/Security.evtx" --json "$BIG/r.json" >/dev/null
    dumped=$("$EVTX_DUMP" -t 2 -o jsonl "$BIG/$1/Security.evtx" | wc -l)
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); f=[x for x in r["findings"] if x["rule"]=="evtx_w3wp_shell"]; print("    (records: inetsift", r["event_logs"]["logs"][0]["records"], "evtx_dump", sys.argv[2], "; w3wp shell finding:", "yes" if f else "NO", ")")' "$BIG/r.json" "$dumped"
    rm -rf "$BIG/$1"
done

fi

if want fleet; then
# Forty host collections (tests/fixtures/fleet/make.py: WEB01..WEB40, WEB07 and WEB23 compromised) in one run, with
# one and two jobs.
FLEET=$(mktemp -d)
TEMP+=("$FLEET")
python3 tests/fixtures/fleet/make.py "$FLEET" 40 7 23
measure "fleet: $(ls "$FLEET" | wc -l) host collections ($(du -sh "$FLEET" | cut -f1)), --jobs 1" "$BIN" scan "$FLEET" --jobs 1 --json /dev/null
measure "fleet: the same, --jobs 2" "$BIN" scan "$FLEET" --jobs 2 --json /dev/null

fi

# A sparse 8 GiB GPT disk whose one 8 GiB NTFS partition holds the sample host (mkntfs + ntfs-3g: needs root and
# /dev/fuse; skipped otherwise), against the same files as a folder.
if want image && [ "$(id -u)" = 0 ] && [ -e /dev/fuse ] && command -v mkntfs >/dev/null && command -v sfdisk >/dev/null; then
    IMG=$(mktemp -d)
    TEMP+=("$IMG")
    unzip -q samples/iis-compromised-kape.zip -d "$IMG/tree"
    truncate -s 8G "$IMG/vol.img"
    mkntfs -F -Q -L WINSYS -s 512 -c 4096 "$IMG/vol.img" >/dev/null 2>&1
    mkdir "$IMG/m" && ntfs-3g "$IMG/vol.img" "$IMG/m" && cp -r "$IMG/tree/C/." "$IMG/m/" && umount "$IMG/m"
    truncate -s 8200M "$IMG/disk.raw"
    printf 'label: gpt\nstart=2048, size=16777216, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' | sfdisk -q "$IMG/disk.raw"
    dd if="$IMG/vol.img" of="$IMG/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
    rm "$IMG/vol.img"
    bench "image: sparse 8 GiB GPT raw disk, 8 GiB NTFS partition with the sample host ($(du -sh "$IMG/disk.raw" | cut -f1) allocated)" "$IMG/disk.raw"
    if command -v qemu-img >/dev/null; then
        qemu-img convert -f raw -O vhdx "$IMG/disk.raw" "$IMG/disk.vhdx"
        bench "image: the same disk as VHDX ($(du -sh "$IMG/disk.vhdx" | cut -f1))" "$IMG/disk.vhdx"
    fi
    if command -v ewfacquire >/dev/null; then
        ewfacquire -u -t "$IMG/disk" -f encase6 -c deflate:fast -S 0 "$IMG/disk.raw" >/dev/null 2>&1
        bench "image: the same disk as E01 ($(du -sh "$IMG/disk.E01" | cut -f1))" "$IMG/disk.E01"
    fi
    bench "the same host's files as a folder (volume root)" "$IMG/tree/C"
fi
