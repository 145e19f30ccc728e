#!/usr/bin/env bash
# Lua binding benchmark: each workload of internal/lua/testdata/bench runs through the binding
# and through the stand-alone lua5.4 interpreter in the same run, timed in CPU time of the thread
# running Lua (compilation excluded), so the ratio holds on a busy machine. The two call
# benchmarks compare one call across the cgo boundary with a Lua-to-Lua call inside lua5.4.
# Each benchmark runs 5 times; the median of each column is shown (the machine may be busy).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v lua5.4 >/dev/null; then
  echo "lua5.4 is not installed (apt-get install lua5.4): ratios need it" >&2
fi
out="$(go test -run '^$' -bench 'Workload|LuaToGo|GoToLua' -count 5 ./internal/lua/)"
echo "$out" | grep -E '^Benchmark' || true
echo "$out" | awk '
  function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((n + 1) / 2)]
  }
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkWorkload\//, "", name)
    sub(/^BenchmarkLuaToGo$/, "call Lua->Go", name); sub(/^BenchmarkGoToLua$/, "call Go->Lua", name)
    if (!(name in seen)) { order[++n] = name; seen[name] = 1 }
    for (i = 3; i < NF; i += 2) {
      if ($(i + 1) == "cpu-ns/op" || $(i + 1) == "cpu-ns/call") ours[name] = ours[name] " " $i
      if ($(i + 1) == "lua5.4-ns/op" || $(i + 1) == "lua5.4-ns/call") ref[name] = ref[name] " " $i
      if ($(i + 1) == "ratio") ratio[name] = ratio[name] " " $i
      if ($(i + 1) ~ /-ns\/call$/) unit[name] = "ns"
    }
  }
  END {
    if (n == 0) { print "lua: no benchmark results" > "/dev/stderr"; exit 1 }
    printf "%-14s %14s %14s %8s\n", "workload", "ours", "lua5.4", "ratio"
    for (k = 1; k <= n; k++) {
      w = order[k]; o = median(ours[w]); r = median(ref[w])
      if (unit[w] == "ns") { os = sprintf("%.1f ns", o); rs = (r == "" ? "n/a" : sprintf("%.1f ns", r)) }
      else { os = sprintf("%.1f ms", o / 1e6); rs = (r == "" ? "n/a" : sprintf("%.1f ms", r / 1e6)) }
      printf "%-14s %14s %14s %8s\n", w, os, rs, (ratio[w] == "" ? "n/a" : sprintf("%.2f", median(ratio[w])))
    }
    print "(workloads: target ratio <= 1.10; calls: target < 60 ns, lua5.4 column is a Lua-to-Lua call)"
  }'
