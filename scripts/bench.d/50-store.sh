#!/usr/bin/env bash
# Store benchmarks: 1 MiB release downloads at 64 concurrent clients against net/http.FileServer
# over the same bytes (the reference; Verdaccio is not run here), resource-page and search latency
# at 10,000 and 100,000 resources (seeded in bulk SQL, SQLite), and a 100 MiB upload with its
# peak heap growth.
set -euo pipefail
cd "$(dirname "$0")/../.."
pkg=./internal/store/
out=$(go test -run '^$' -bench 'Download1MiB' -benchtime 3s "$pkg")
echo "$out" | grep -E '^Benchmark'
store=$(echo "$out" | awk '/^BenchmarkDownload1MiB-/{print $3}')
ref=$(echo "$out" | awk '/^BenchmarkDownload1MiBFileServer-/{print $3}')
awk -v s="$store" -v r="$ref" 'BEGIN{printf "download 1 MiB x64 clients: store %.2f ms/op, http.FileServer %.2f ms/op, ratio store/reference %.2f\n", s/1e6, r/1e6, s/r}'
for n in 10000 100000; do
  out=$(NANOFORGE_BENCH_RESOURCES=$n go test -run '^$' -bench 'ResourcePage|Search' -benchtime 2s -timeout 10m "$pkg")
  echo "$out" | grep -E '^Benchmark' | sed "s/^/[$n resources] /"
done
go test -run '^$' -bench 'Upload100MiB' -benchtime 3x "$pkg" | grep -E '^Benchmark'
