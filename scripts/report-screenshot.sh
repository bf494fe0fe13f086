#!/usr/bin/env bash
# Renders the sample's case report with headless Chromium, for people to look at: writes the case folder of
# samples/iis-compromised-kape.zip to a temporary folder and a full-page PNG (and a PDF print) beside OUT.
# Usage: scripts/report-screenshot.sh [OUT.png]   (default: target/report.png; Debian: apt-get install chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/report.png}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "no Chromium found (Debian: apt-get install chromium)" >&2
    exit 1
fi
cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1796083200}" ./target/release/inetsift scan samples/iis-compromised-kape.zip \
    --out "$work/case" --case SAMPLE-001 --examiner "inetsift sample" --notes "synthetic compromised IIS 10 host" \
    > /dev/null
mkdir -p "$(dirname "$out")"
flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$work/profile")
"$browser" "${flags[@]}" --window-size=1400,6000 --screenshot="$out" "file://$work/case/report.html" 2>/dev/null
"$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="${out%.png}.pdf" "file://$work/case/report.html" 2>/dev/null
echo "wrote $out and ${out%.png}.pdf"
