#!/usr/bin/env bash
# Package.toml benchmark: parsing a typical game-mode manifest into the model (any generation,
# with key positions and warnings) against the reference of the TOML decoder alone on the same
# bytes. Each benchmark runs 5 times; the fastest run of each is compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench-lib.sh
out="$(go test "${server_pgo[@]}" -run '^$' -bench . -benchmem -count 5 ./internal/manifest/)"
echo "$out" | grep -E '^Benchmark' || true
echo "$out" | bench_fastest | awk '
  { best[$1] = $2 + 0 }
  END {
    p = best["BenchmarkParsePackageGameMode"]; r = best["BenchmarkReferenceDecodeGameMode"]
    if (p == 0 || r == 0) { print "manifest: missing benchmark results" > "/dev/stderr"; exit 1 }
    printf "game-mode Package.toml parse:   %8.1f us\n", p / 1e3
    printf "reference, toml.Unmarshal alone: %8.1f us\n", r / 1e3
    printf "ratio parse / decode:           %8.2f x\n", p / r
  }'
