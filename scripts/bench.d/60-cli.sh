#!/usr/bin/env bash
# CLI against a local nanoforge-store (started by the e2e/cli test binary on 127.0.0.1):
#   - `install package` of a game-mode with five requirements (four chained scripts and an asset
#     pack), against plain HTTP GETs of the same six archives;
#   - `upload package` of a 50 MiB package (40 MiB of media, 10 MiB of Lua), against a plain
#     multipart POST of the same archive to a loopback sink, and to the Store itself.
# Prints Go's benchmark lines, then the ratios (CLI time / reference time; lower is better).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench-lib.sh

benchtime="${CLI_BENCHTIME:-5x}"
out="$(go test -run '^$' -bench '^BenchmarkCLI' -benchtime "$benchtime" -count 1 ./e2e/cli/ 2>&1)" || {
  echo "$out"
  exit 1
}
echo "$out" | grep -E '^Benchmark'
echo "$out" | bench_fastest | awk '
  { name = $1; sub(/^BenchmarkCLI/, "", name); ns[name] = $2 }
  function ratio(label, a, b) {
    if (ns[a] == "" || ns[b] == "") { printf "%-58s missing\n", label; return }
    printf "%-58s %8.2f ms vs %8.2f ms  ratio %6.2fx\n", label, ns[a] / 1e6, ns[b] / 1e6, ns[a] / ns[b]
  }
  END {
    ratio("install game-mode + 5 requirements / plain GETs", "InstallGameMode5Reqs", "InstallReferenceHTTP")
    ratio("upload 50 MiB package / plain POST to a sink", "Upload50MiB", "UploadReferenceHTTP")
    ratio("upload 50 MiB package / plain POST of the zip to the Store", "Upload50MiB", "UploadReferenceStore")
  }'
