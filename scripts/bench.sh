#!/usr/bin/env bash
# Benchmarks (not timed tests): wall time and peak memory of `inetsift scan` on fixed inputs, median of N runs.
# usage: scripts/bench.sh [RUNS]      (results go into docs/benchmarks.md by hand, with the machine they ran on)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-15}
cargo build --release -q
BIN=target/release/inetsift
CORPUS=../shared/corpus

bench() {
    local label=$1; shift
    local times=() mem=0
    for _ in $(seq "$RUNS"); do
        local out
        out=$( { /usr/bin/time -f "%e %M" "$BIN" scan "$@" --json /dev/null >/dev/null; } 2>&1 | tail -1)
        times+=("${out% *}")
        local m=${out#* }
        (( m > mem )) && mem=$m
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %s | %s s | %s MiB |\n' "$label" "$median" "$((mem / 1024))"
}

echo "| input | median wall time ($RUNS runs) | peak RSS |"
echo "|---|---|---|"
bench "regipy/SYSTEM_WIN_10_1709 (15 MB, dirty, no logs): open + all IIS facts" "$CORPUS/hives/regipy/SYSTEM_WIN_10_1709"
bench "regipy/SYSTEM_B + LOG1/LOG2 (12 MB, 24 log entries replayed)" "$CORPUS/hives/regipy/SYSTEM_B"
bench "cssexchange_E16_applicationHost.config (174 KB, 150 components)" "$CORPUS/iisconfig/cssexchange_E16_applicationHost.config"
bench "samples/iis-compromised-kape.zip (whole sample)" samples/iis-compromised-kape.zip
