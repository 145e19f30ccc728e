#!/usr/bin/env bash
# Runs every benchmark group in scripts/bench.d/ in name order and prints their figures.
# Each group measures against a reference in the same run and prints ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for group in scripts/bench.d/*.sh; do
  [ -e "$group" ] || continue
  echo "== $(basename "$group" .sh)"
  bash "$group" || { echo "benchmark group $group failed" >&2; status=1; }
done
exit $status
