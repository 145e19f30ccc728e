#!/usr/bin/env bash
# Regenerates cmd/nanoforge/default.pgo, the CPU profile that `go build ./cmd/nanoforge` uses
# for profile-guided optimisation. The profile comes from the benchmarks of what a running
# server spends its Go time on: calls between Lua and Go in both directions, event dispatch and
# the tick, the script libraries and the server loop. With the profile, the compiler inlines the
# stack accessors (ToNumber, PushNumber, ...) into the host functions that call them, which no
# source change can make it do: each accessor has a slow path, and any call puts a function
# over the inliner's budget.
#
# Run it after changing the Lua binding or the script API's hot paths (make pgo), then check
# the result with make bench. A profile from an older build still works: functions it does not
# know are compiled as without one.
set -euo pipefail
cd "$(dirname "$0")/.."
out=cmd/nanoforge/default.pgo
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# -o keeps the test binaries that -cpuprofile leaves behind out of the working tree.
profile() { # profile NAME PACKAGE BENCH-REGEX
  echo "profiling $2 ($3)" >&2
  go test -run '^$' -bench "$3" -benchtime 2s -count 1 -cpuprofile "$tmp/$1.pprof" \
    -o "$tmp/$1.test" "$2" >/dev/null
}
profile lua ./internal/lua/ 'LuaToGo|GoToLua|PushAnyToAny'
profile script ./internal/script/ 'EventsCall$|Tick20Packages$'
profile lib ./internal/script/lib/ 'Vector|JSONRoundTrip$|ParseJSON'
profile server ./internal/server/ 'Step'

# One profile from all four; each names its functions itself, so no binary is needed.
go tool pprof -proto "$tmp"/*.pprof >"$tmp/merged.pgo"
mv "$tmp/merged.pgo" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)" >&2
