#!/usr/bin/env bash
# Helpers shared by the benchmark groups in scripts/bench.d/ (source this file; it runs nothing).

# bench_fastest reads `go test -bench` output on stdin and prints one line per benchmark,
# "name ns/op", holding the fastest of its runs. The fastest run rather than the mean is kept
# because the machine may be busy with other work, which only ever makes a run slower. The
# -N GOMAXPROCS suffix is dropped so that reports can look a benchmark up by its plain name, and
# the ns/op figure is passed on as printed so that no digits are lost.
bench_fastest() {
  awk '
    /^Benchmark/ {
      name = $1; sub(/-[0-9]+$/, "", name)
      ns = $3 + 0
      if (!(name in best) || ns < best[name]) { best[name] = ns; text[name] = $3 }
    }
    END { for (name in best) print name, text[name] }'
}

# server_pgo holds the go test flag that builds with the server's profile (cmd/nanoforge/
# default.pgo, see scripts/pgo-profile.sh), so that groups measuring code of the nanoforge
# binary measure it as `go build ./cmd/nanoforge` compiles it. Empty when there is no profile.
server_pgo=()
if [ -f cmd/nanoforge/default.pgo ]; then
  server_pgo=("-pgo=$PWD/cmd/nanoforge/default.pgo")
fi
