#!/usr/bin/env bash
# Lua scripting host benchmarks, each against plain Lua doing the same work in the same run:
#  - Events.Call fanned out to 10 subscribers in 10 packages (target: over 2 million handler
#    calls a second), against 10 local functions called in a loop;
#  - one server tick with 20 packages subscribed to Server "Tick" (target: under 1 ms), each
#    callback a separate call into Lua under the watchdog budget, against one call into Lua
#    running the 20 functions.
# Each benchmark runs 5 times; the fastest run of each is compared (the machine may be busy).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench-lib.sh
out="$(go test "${server_pgo[@]}" -run '^$' -bench 'EventsCall|Tick20Packages' -benchmem -count 5 ./internal/script/)"
echo "$out" | grep -E '^Benchmark' || true
echo "$out" | bench_fastest | awk '
  { best[$1] = $2 + 0 }
  END {
    e = best["BenchmarkEventsCall"]; er = best["BenchmarkEventsCallReference"]
    t = best["BenchmarkTick20Packages"]; tr = best["BenchmarkTick20PackagesReference"]
    if (e == 0 || er == 0 || t == 0 || tr == 0) { print "script: missing benchmark results" > "/dev/stderr"; exit 1 }
    printf "Events.Call, 10 subscribers:       %8.0f ns/call  %6.2f M handlers/s (target > 2)\n", e, 10e3 / e
    printf "reference, 10 plain Lua calls:     %8.0f ns/call  %6.2f M handlers/s\n", er, 10e3 / er
    printf "ratio host / plain Lua:            %8.2f x\n", e / er
    printf "tick, 20 packages on Tick:         %8.1f us/tick (target < 1000)\n", t / 1e3
    printf "reference, 20 calls in one call:   %8.1f us/tick\n", tr / 1e3
    printf "ratio host / plain Lua:            %8.2f x\n", t / tr
  }'
