#!/usr/bin/env bash
# Store benchmarks (see docs/store.md):
#  - 1 MiB release downloads at 64 concurrent clients through the Store, against Verdaccio (the npm
#    registry server, installed into a temporary folder) serving a 1 MiB tarball and against
#    net/http.FileServer over the same bytes; printed as ratios.
#  - resource-page and search latency at 10,000 and 100,000 resources (SQLite, seeded in bulk SQL),
#    and at 100,000 on PostgreSQL when NANOFORGE_TEST_POSTGRES is set.
#  - a 100 MiB upload, with the peak heap growth of the Store while it streams.
set -euo pipefail
cd "$(dirname "$0")/../.."
pkg=./internal/store/
size=$((1 << 20))

# Reference registry: Verdaccio when npm can install it, otherwise only http.FileServer.
ref_url= ref_name="http.FileServer"
tmp=$(mktemp -d)
vpid=
cleanup() { [ -n "$vpid" ] && kill "$vpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
if command -v npm >/dev/null && command -v node >/dev/null; then
  (
    cd "$tmp"
    # node-fetch@cjs is a dist-tag some registry mirrors lack; pin the version it names.
    echo '{"name":"nanoforge-bench-reference","private":true,"overrides":{"node-fetch":"2.7.0"}}' > package.json
    timeout 300 npm install --no-audit --no-fund --loglevel=error verdaccio@6 >npm.log 2>&1
  ) || echo "verdaccio could not be installed (see npm output below); using http.FileServer only" >&2
  if [ -x "$tmp/node_modules/.bin/verdaccio" ]; then
    mkdir -p "$tmp/storage/bigpkg"
    head -c "$size" /dev/urandom > "$tmp/storage/bigpkg/bigpkg-1.0.0.tgz"
    sha=$(sha1sum "$tmp/storage/bigpkg/bigpkg-1.0.0.tgz" | cut -d' ' -f1)
    port=$(( 20000 + RANDOM % 20000 ))
    cat > "$tmp/storage/bigpkg/package.json" <<JSON
{"name":"bigpkg","versions":{"1.0.0":{"name":"bigpkg","version":"1.0.0","dist":{"tarball":"http://127.0.0.1:$port/bigpkg/-/bigpkg-1.0.0.tgz","shasum":"$sha"}}},"dist-tags":{"latest":"1.0.0"},"time":{},"_distfiles":{},"_attachments":{"bigpkg-1.0.0.tgz":{"shasum":"$sha"}},"_uplinks":{},"_rev":"1-0"}
JSON
    cat > "$tmp/config.yaml" <<YAML
storage: $tmp/storage
auth: { htpasswd: { file: $tmp/htpasswd, max_users: -1 } }
uplinks: {}
packages: { '**': { access: \$all, publish: \$authenticated } }
log: { type: stdout, format: pretty, level: error }
YAML
    "$tmp/node_modules/.bin/verdaccio" --config "$tmp/config.yaml" --listen "127.0.0.1:$port" >"$tmp/verdaccio.log" 2>&1 &
    vpid=$!
    url="http://127.0.0.1:$port/bigpkg/-/bigpkg-1.0.0.tgz"
    for _ in $(seq 1 60); do
      if curl -sf -o /dev/null "$url"; then ref_url=$url ref_name="Verdaccio 6"; break; fi
      sleep 0.5
    done
    [ -n "$ref_url" ] || { echo "verdaccio did not start:" >&2; cat "$tmp/verdaccio.log" >&2; }
  else
    [ -f "$tmp/npm.log" ] && tail -5 "$tmp/npm.log" >&2
  fi
fi

out=$(NANOFORGE_BENCH_REF_URL="$ref_url" NANOFORGE_BENCH_REF_SIZE="$size" \
  go test -run '^$' -bench 'Download1MiB' -benchtime 3s "$pkg")
echo "$out" | grep -E '^Benchmark'
store=$(echo "$out" | awk '/^BenchmarkDownload1MiB-/{print $3}')
fs=$(echo "$out" | awk '/^BenchmarkDownload1MiBFileServer-/{print $3}')
awk -v s="$store" -v r="$fs" 'BEGIN{printf "download 1 MiB, 64 clients: Store %.2f ms/op, http.FileServer %.2f ms/op: Store/FileServer time ratio %.2f\n", s/1e6, r/1e6, s/r}'
if [ -n "$ref_url" ]; then
  v=$(echo "$out" | awk '/^BenchmarkDownload1MiBReference-/{print $3}')
  awk -v s="$store" -v r="$v" -v n="$ref_name" 'BEGIN{printf "download 1 MiB, 64 clients: Store %.2f ms/op, %s %.2f ms/op: Store/%s time ratio %.2f\n", s/1e6, n, r/1e6, n, s/r}'
else
  echo "reference: Verdaccio unavailable; the ratio above is against http.FileServer only"
fi

for n in 10000 100000; do
  NANOFORGE_BENCH_RESOURCES=$n go test -run '^$' -bench 'ResourcePage|Search' -benchtime 1s -timeout 10m "$pkg" \
    | grep -E '^Benchmark' | sed "s/^/[$n resources] /"
done
if [ -n "${NANOFORGE_TEST_POSTGRES:-}" ]; then
  NANOFORGE_BENCH_DB=postgres NANOFORGE_BENCH_RESOURCES=100000 go test -run '^$' -bench 'ResourcePage|Search' -benchtime 1s -timeout 10m "$pkg" \
    | grep -E '^Benchmark' | sed "s/^/[100000 resources, PostgreSQL] /"
else
  echo "NANOFORGE_TEST_POSTGRES unset: PostgreSQL search figures skipped"
fi
go test -run '^$' -bench 'Upload100MiB' -benchtime 3x "$pkg" | grep -E '^Benchmark'
