#!/usr/bin/env bash
# Scripting-library benchmarks: Vector arithmetic against the same arithmetic on plain Lua
# tables (the floor for any Lua implementation of the struct), and a JSON round trip from Lua
# against Go's encoding/json on the same document. Fastest of 5 runs each.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench-lib.sh
out="$(go test "${server_pgo[@]}" -run '^$' -bench 'VectorArithmetic|JSONRoundTrip' -benchmem -count 5 ./internal/script/lib/)"
echo "$out" | grep -E '^Benchmark' || true
echo "$out" | bench_fastest | awk '
  { best[$1] = $2 + 0 }
  END {
    v = best["BenchmarkVectorArithmetic/Vector"]; p = best["BenchmarkVectorArithmetic/plain-table"]
    j = best["BenchmarkJSONRoundTrip"]; g = best["BenchmarkJSONRoundTripGo"]
    if (v == 0 || p == 0 || j == 0 || g == 0) { print "script-lib: missing benchmark results" > "/dev/stderr"; exit 1 }
    printf "v = v + w*2 - u, Vectors:        %8.1f ns\n", v
    printf "same on plain tables:            %8.1f ns   ratio %.2f x\n", p, v / p
    printf "JSON stringify+parse from Lua:   %8.1f us\n", j / 1e3
    printf "same with Go encoding/json:      %8.1f us   ratio %.2f x\n", g / 1e3, j / g
  }'
