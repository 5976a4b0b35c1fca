#!/usr/bin/env bash
# Writes what `check` prints for every fixture, sample and bench input, to compare two builds
# byte for byte (a performance change must not change a finding):
#
#   npx webpack --mode production --config-name cli && cp dist/cli.js /tmp/before.js
#   bash scripts/bench/check-outputs.sh /tmp/before.js /tmp/out-before
#   ... change, rebuild ...
#   bash scripts/bench/check-outputs.sh dist/cli.js /tmp/out-after
#   diff -r /tmp/out-before /tmp/out-after      # must print nothing
#
# Inputs: test/fixtures and samples (JSON, SARIF and stderr each), bench-data/quick/* and the
# two 200 MB captures when they exist (npm run bench builds them).
set -euo pipefail
cli=$(realpath "$1")
out=$2
mkdir -p "$out"
cd "$(dirname "$0")/../.."
files=$( (find test/fixtures samples -type f ! -name '*.json' ! -name '*.md'; ls bench-data/quick/* 2>/dev/null | grep -v -e json -e '\.md$'; ls bench-data/capture-200m.pcap bench-data/capture-200m.pcapng 2>/dev/null) | sort)
for f in $files; do
  n=$(echo "$f" | tr '/' '_')
  node "$cli" check "$f" --format json --fail-on never > "$out/$n.json" 2> "$out/$n.err" || true
  case $f in test/fixtures/*|samples/*) node "$cli" check "$f" --format sarif --fail-on never > "$out/$n.sarif" 2>/dev/null || true ;; esac
done
echo "$(ls "$out" | wc -l) files written to $out"
