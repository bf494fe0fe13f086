#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (docs/fuzzing.md), each for SECONDS, seeded from the shared corpus, the
# committed fixtures and the sample. New inputs go to fuzz/corpus/TARGET (not committed), crashes to
# fuzz/artifacts/TARGET; one line per target is appended to fuzz/runs.log (executions, new coverage, crashes).
# A target stops at SECONDS or at 10 million executions, whichever comes first (the bar of issue 15).
# The targets that reach C code (pe, catalog: authenticode-parser and OpenSSL) run under AddressSanitizer; the
# pure-Rust ones run without a sanitizer (safe Rust needs none, and they run two to three times as many inputs).
# RSS_LIMIT_MB (default 1024) raises libFuzzer's process memory limit: a long run's own corpus and coverage tables
# grow past 1 GB on the EVTX target while each input stays small (docs/fuzzing.md); any single allocation over
# MALLOC_LIMIT_MB (default 1024) is still a find. Each sanitizer builds in its own target folder, so two runs
# (one of each kind) can go side by side without rebuilding each other's binaries.
# Usage: scripts/fuzz.sh SECONDS [TARGET...]     (needs the nightly toolchain and `cargo install cargo-fuzz`)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}"
shift
all=(config_xml hive hive_log evtx evtx_chunk pe catalog zip image mft usn dotnet)
targets=("${@:-${all[@]}}")
shared="$(cd .. && pwd)/shared/corpus"
seeds="$(mktemp -d)"
trap 'rm -rf "$seeds"' EXIT

# Seeds that are inside zips or files: $MFT, $J and .NET metadata are taken out of the fixtures, in memory.
python3 - "$seeds" <<'PY'
import os, sys, zipfile, glob
out = sys.argv[1]
def put(kind, name, data):
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    open(os.path.join(out, kind, name), "wb").write(data)
for z in glob.glob("tests/fixtures/history/*.zip") + glob.glob("tests/fixtures/images/*.zip"):
    with zipfile.ZipFile(z) as f:
        for n in f.namelist():
            base = os.path.basename(n)
            if base == "$MFT":
                put("mft", os.path.basename(z) + ".mft", f.read(n))
            elif base in ("$J", "$UsnJrnl%3A$J"):
                put("usn", os.path.basename(z) + ".j", f.read(n))
            elif base.lower().endswith((".raw", ".e01", ".vhd", ".vhdx", ".vmdk")) and f.getinfo(n).file_size < 4 << 20:
                put("image", base, f.read(n))
# Chunks of the corpus logs and the sample's, one file each.
logs = glob.glob("../shared/corpus/evtx/*.evtx")
with zipfile.ZipFile("samples/iis-compromised-kape.zip") as f:
    for n in f.namelist():
        if n.endswith(".evtx"):
            put("evtx_logs", os.path.basename(n), f.read(n))
logs += glob.glob(os.path.join(out, "evtx_logs", "*.evtx"))
for log in logs:
    data = open(log, "rb").read()
    for i, at in enumerate(range(4096, len(data) - 65535, 65536)):
        if data[at:at + 8] == b"ElfChnk\0" and i < 8:
            put("evtx_chunk", "%s.%d" % (os.path.basename(log), i), data[at:at + 65536])
for dll in glob.glob("tests/fixtures/managed/*.dll") + glob.glob("../shared/corpus/pe/*"):
    data = open(dll, "rb").read()
    i = data.find(b"BSJB")
    if i >= 0:
        put("dotnet", os.path.basename(dll) + ".md", data[i:])
PY

seed_dirs() {
    case "$1" in
        config_xml) echo "$shared/iisconfig $shared/iisconfig-benign tests/fixtures/benign-host tests/fixtures/benign-web tests/fixtures/hostile samples/host" ;;
        hive) echo "$shared/hives/regipy $shared/hives/yarp samples/hives" ;;
        hive_log) echo "samples/hives" ;;
        evtx) echo "$shared/evtx" ;;
        evtx_chunk) echo "$seeds/evtx_chunk" ;;
        pe) echo "$shared/pe tests/fixtures/managed" ;;
        catalog) echo "$shared/pe" ;;
        zip) echo "$shared/zips samples tests/fixtures/history" ;;
        image) echo "$seeds/image $shared/images" ;;
        mft) echo "$seeds/mft" ;;
        usn) echo "$seeds/usn" ;;
        dotnet) echo "$seeds/dotnet" ;;
    esac
}
sanitizer() {
    case "$1" in
        pe|catalog) echo address ;;
        *) echo none ;;
    esac
}
max_len() {
    case "$1" in
        image|zip|evtx|hive|hive_log|mft) echo 4194304 ;;
        *) echo 1048576 ;;
    esac
}

for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    dirs=()
    for d in $(seed_dirs "$t"); do [ -d "$d" ] && dirs+=("$(cd "$d" && pwd)"); done
    log="$(mktemp)"
    (cd fuzz && cargo +nightly fuzz run -O -s "$(sanitizer "$t")" --target-dir "target/$(sanitizer "$t")" "$t" "corpus/$t" "${dirs[@]}" -- \
        -max_total_time="$secs" -runs=10000000 -timeout=10 -rss_limit_mb="${RSS_LIMIT_MB:-1024}" -malloc_limit_mb="${MALLOC_LIMIT_MB:-1024}" -max_len="$(max_len "$t")" -print_final_stats=1 \
        -close_fd_mask=3) > "$log" 2>&1 || true
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    crashes="$(ls "fuzz/artifacts/$t" 2>/dev/null | wc -l)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')"
    rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
    rss="$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    took="$(awk -v n="$execs" -v r="$rate" 'BEGIN { if (r > 0 && n ~ /^[0-9]+$/) printf "%d", n / r; else printf "?" }')"
    line="$(date -u +%Y-%m-%dT%H:%MZ) $t ($(sanitizer "$t")): about ${took}s (limit ${secs}s), $execs executions, peak RSS ${rss} MB, coverage $cov, $crashes files in fuzz/artifacts/$t"
    echo "$line" | tee -a fuzz/runs.log
    rm -f "$log"
done
