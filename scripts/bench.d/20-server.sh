#!/usr/bin/env bash
# Server start-up benchmark: time from nothing to the `Server started` line with 50 generated
# packages (Config.toml open and rewrite, session log, manifests, requirement graph, load into
# the no-op script host, shutdown), against the reference of only reading the same 50
# Package.toml files with internal/manifest; the same start-up with each package's Lua run by
# the real script host; the built binary started as a process until it prints `Server started`
# (50 packages with Lua); the cost of one idle tick; resolving 50 packages in memory.
# Each benchmark runs 5 times; the fastest run of each is compared (the machine may be busy).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench-lib.sh
out="$(go test "${server_pgo[@]}" -run '^$' -bench 'Startup50|ReadManifests50|Step$|Resolve50' -benchmem -count 5 ./internal/server/ ./internal/packages/ ./e2e/server/)"
echo "$out" | grep -E '^Benchmark' || true
echo "$out" | bench_fastest | awk '
  { best[$1] = $2 + 0 }
  END {
    s = best["BenchmarkStartup50"]; r = best["BenchmarkReadManifests50"]; t = best["BenchmarkStep"]
    if (s == 0 || r == 0) { print "server: missing benchmark results" > "/dev/stderr"; exit 1 }
    printf "server start-up, 50 packages:      %8.2f ms\n", s / 1e6
    printf "reference, read 50 manifests:      %8.2f ms\n", r / 1e6
    printf "ratio start-up / manifests:        %8.2f x\n", s / r
    if (t > 0) printf "idle tick (loop overhead):         %8.2f us (%.4f%% of a 33.3 ms budget)\n", t / 1e3, t / 333333.33
    if (best["BenchmarkStartup50Lua"] > 0) printf "start-up, 50 packages with Lua:    %8.2f ms (%.2f x the manifests)\n", best["BenchmarkStartup50Lua"] / 1e6, best["BenchmarkStartup50Lua"] / r
    if (best["BenchmarkBinaryStartup50"] > 0) printf "nanoforge process to ready line:   %8.2f ms (50 packages with Lua; %.2f x the manifests)\n", best["BenchmarkBinaryStartup50"] / 1e6, best["BenchmarkBinaryStartup50"] / r
    if (best["BenchmarkResolve50"] > 0) printf "resolve 50 packages in memory:     %8.2f us\n", best["BenchmarkResolve50"] / 1e3
  }'
