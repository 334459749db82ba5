#!/usr/bin/env bash
# An unchanged re-run through ./idem as a whole process (JVM start, pipeline file, DuckDB, ledger,
# hashing every input file), against its floor measured in the same run: `./idem --help` plus
# `sha256sum` of the same files. Median of 5 of each.
#
#   ./mvnw -q -pl idem-bench -am package -DskipTests && idem-bench/rerun-floor.sh [rows] [days]
#
# Defaults: 735,000 records in 14 day files (the workload of issue 14). The scan cache is a fresh
# directory (IDEM_SCAN_CACHE); `off` as a third argument runs without it, as before it existed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
rows="${1:-735000}"
days="${2:-14}"
cache="${3:-}"
work="$(mktemp -d "${TMPDIR:-/tmp}/idem-rerun.XXXXXX")"
trap 'rm -rf "$work"' EXIT
java -cp "$(ls "$root"/idem-bench/target/idem-bench-*-all.jar)" dev.idem.bench.Bench generate "$work/data" "$rows" "$days"
cat >"$work/pipeline.yaml" <<YAML
pipeline: rerun-floor
source:
  type: csv
  path: data/orders-*.csv
columns:
  order_id: integer not null
  customer: string
  product: string
  quantity: integer
  amount: decimal(12,2)
  status: string
  updated_at: timestamp not null
windows:
  kind: day
  column: updated_at
  zone: UTC
target:
  table: orders
  key: [order_id]
  strategy: merge
  order_by: [updated_at]
YAML
export IDEM_SCAN_CACHE="${cache:-$work/scan-cache}"
"$root/idem" --help >/dev/null # builds the command line if needed, untimed

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { # runs "$@" 5 times, prints the median wall time in seconds
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo "scale=3; ($t1 - $t0) / 1000000000" | bc
  done | median
}

t0=$(date +%s%N)
"$root/idem" run "$work/pipeline.yaml" >/dev/null 2>&1
first=$(echo "scale=3; ($(date +%s%N) - $t0) / 1000000000" | bc)
rerun=$(seconds "$root/idem" run "$work/pipeline.yaml")
"$root/idem" run "$work/pipeline.yaml" 2>/dev/null | grep -q "$days unchanged" || {
  echo "the re-run did not report $days unchanged windows" >&2
  exit 1
}
help=$(seconds "$root/idem" --help)
sha=$(seconds sha256sum "$work"/data/*.csv)
floor=$(echo "$help + $sha" | bc)
printf 'input: %s records in %s day files (%s MB); scan cache: %s\n' "$rows" "$days" \
  "$(du -sm "$work/data" | cut -f1)" "$IDEM_SCAN_CACHE"
printf 'first load                 %7.2f s\n' "$first"
printf 'unchanged re-run           %7.2f s (median of 5)\n' "$rerun"
printf './idem --help              %7.2f s\n' "$help"
printf 'sha256sum of the files     %7.2f s\n' "$sha"
printf 're-run / (help + sha256sum) %6.2f (target <= 2)\n' "$(echo "scale=3; $rerun / $floor" | bc)"
