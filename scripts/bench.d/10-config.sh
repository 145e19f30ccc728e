#!/usr/bin/env bash
# Config.toml benchmark: one start's work on a typical Config.toml without disk I/O (decode,
# migrate, validate, render the canonical file) against the reference of the TOML decoder alone
# on the same bytes. Each benchmark runs 5 times; the fastest run of each is compared (the machine
# may be busy).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench-lib.sh
out="$(go test "${server_pgo[@]}" -run '^$' -bench . -benchmem -count 5 ./internal/config/)"
echo "$out" | grep -E '^Benchmark' || true
echo "$out" | bench_fastest | awk '
  { best[$1] = $2 + 0 }
  END {
    p = best["BenchmarkParseAndRewrite"]; r = best["BenchmarkReferenceDecode"]
    if (p == 0 || r == 0) { print "config: missing benchmark results" > "/dev/stderr"; exit 1 }
    printf "Config.toml parse+migrate+render: %8.1f us\n", p / 1e3
    printf "reference, toml.Decode alone:     %8.1f us\n", r / 1e3
    printf "ratio parse+rewrite / decode:     %8.2f x\n", p / r
    if (best["BenchmarkParseArgs"] > 0) printf "command line of 15 arguments:     %8.1f us\n", best["BenchmarkParseArgs"] / 1e3
  }'
