#!/usr/bin/env bash
# Store benchmarks (see docs/store.md):
#  - 1 MiB release downloads at 64 concurrent clients through the Store, against Verdaccio (the npm
#    registry server, installed into a temporary folder) serving a 1 MiB tarball and against
#    net/http.FileServer over the same bytes; printed as ratios.
#  - resource-page and search latency at 10,000 and 100,000 resources (SQLite, seeded in bulk SQL),
#    and at 100,000 on PostgreSQL when NANOFORGE_TEST_POSTGRES is set; the same catalogue seeded
#    into Verdaccio (package documents and /-/v1/search) side by side, printed as ratios.
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

# seed_verdaccio N writes N packages into a fresh Verdaccio storage, named, titled, described and
# tagged like the Store's benchmark seed (same made-up words; vocab as in bench_test.go).
seed_verdaccio() {
  local n=$1 st="$tmp/storage-$1"
  rm -rf "$st"; mkdir -p "$st"
  (cd "$st" && seq 0 $((n - 1)) | sed 's/^/pkg-/' | xargs mkdir)
  awk -v n="$n" -v st="$st" 'function w(i,  c, v) { c = "bcdfghklmnprstvz"; v = "aeiou";
      return substr(c, i % 16 + 1, 1) substr(v, int(i / 16) % 5 + 1, 1) substr(c, int(i / 80) % 16 + 1, 1) substr(v, int(i / 7) % 5 + 1, 1) substr(c, int(i / 3) % 16 + 1, 1) }
    BEGIN { split("vehicle weapon chat map admin", cat, " ");
      for (i = 0; i < n; i++) {
        name = "pkg-" i; desc = "A " cat[i % 5 + 1] " script: " w((i*31)%1000) " " w((i*17+3)%1000) " " w((i*101+11)%1000) " " w((i*7+1)%1000);
        title = w((i*7)%1000) " " w((i*13+5)%1000); f = st "/" name "/package.json";
        printf "{\"name\":\"%s\",\"description\":\"%s\",\"versions\":{\"1.0.0\":{\"name\":\"%s\",\"version\":\"1.0.0\",\"description\":\"%s\",\"keywords\":[\"tag%d\",\"%s\"],\"dist\":{\"tarball\":\"http://127.0.0.1/%s/-/%s-1.0.0.tgz\",\"shasum\":\"0\"}}},\"dist-tags\":{\"latest\":\"1.0.0\"},\"time\":{\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\",\"1.0.0\":\"2026-01-01T00:00:00.000Z\"},\"_distfiles\":{},\"_attachments\":{},\"_uplinks\":{},\"_rev\":\"1-0\",\"readme\":\"%s\"}\n", name, desc, name, desc, i % 50, title, name, name, title > f;
        close(f) } }'
  sed "s|^storage: .*|storage: $st|" "$tmp/config.yaml" > "$tmp/config-$n.yaml"
}

for n in 10000 100000; do
  out=$(NANOFORGE_BENCH_RESOURCES=$n go test -run '^$' -bench 'ResourcePage|Search' -benchtime 1s -timeout 10m "$pkg" | grep -E '^Benchmark')
  echo "$out" | sed "s/^/[$n resources] /"
  if [ -n "$ref_url" ]; then
    # The same catalogue in Verdaccio: package documents and /-/v1/search, side by side.
    seed_verdaccio "$n"
    vport=$(( 20000 + RANDOM % 20000 ))
    "$tmp/node_modules/.bin/verdaccio" --config "$tmp/config-$n.yaml" --listen "127.0.0.1:$vport" >"$tmp/verdaccio-$n.log" 2>&1 &
    spid=$!
    for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$vport/pkg-0" && break; sleep 0.5; done
    hits=$(curl -sf "http://127.0.0.1:$vport/-/v1/search?text=vehicle&size=20" | grep -o '"name":"pkg-' | wc -l || true)
    echo "[$n resources] Verdaccio search for 'vehicle' returns $hits of 20 results (sanity check)"
    ref=$(NANOFORGE_BENCH_RESOURCES=$n NANOFORGE_BENCH_REF_PAGE="http://127.0.0.1:$vport/pkg-%d" \
      NANOFORGE_BENCH_REF_SEARCH="http://127.0.0.1:$vport/-/v1/search?size=20&text=" \
      go test -run '^$' -bench 'RefPackageDocument|RefFind' -benchtime 1s -timeout 20m "$pkg" | grep -E '^Benchmark')
    kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
    echo "$ref" | sed "s/^/[$n resources, Verdaccio] /"
    { echo "$out" | sed 's/^/S /'; echo "$ref" | sed 's/^/R /'; } | awk -v n="$n" '
      { name = $2; sub(/-[0-9]+$/, "", name); t = $4 }
      $1 == "S" && name == "BenchmarkResourcePage" { sp = t }
      $1 == "R" && name == "BenchmarkRefPackageDocument" { rp = t }
      $1 == "S" && name ~ /^BenchmarkSearch\// { q = name; sub(/.*\//, "", q); ss[q] = t }
      $1 == "R" && name ~ /^BenchmarkRefFind\// { q = name; sub(/.*\//, "", q); rs[q] = t }
      END {
        if (sp && rp) printf "[%d resources] resource page: Store %.2f ms, Verdaccio package document %.2f ms: Store/Verdaccio time ratio %.3g\n", n, sp/1e6, rp/1e6, sp/rp
        k = split("rare-word common-word exact-name two-words prefix", order, " ")
        for (j = 1; j <= k; j++) { q = order[j]; if ((q in ss) && (q in rs)) printf "[%d resources] search %s: Store %.2f ms, Verdaccio %.0f ms: Store/Verdaccio time ratio %.3g\n", n, q, ss[q]/1e6, rs[q]/1e6, ss[q]/rs[q] }
      }'
  fi
done
if [ -n "${NANOFORGE_TEST_POSTGRES:-}" ]; then
  NANOFORGE_BENCH_DB=postgres NANOFORGE_BENCH_RESOURCES=100000 go test -run '^$' -bench 'ResourcePage|Search' -benchtime 1s -timeout 10m "$pkg" \
    | grep -E '^Benchmark' | sed "s/^/[100000 resources, PostgreSQL] /"
else
  echo "NANOFORGE_TEST_POSTGRES unset: PostgreSQL search figures skipped"
fi
go test -run '^$' -bench 'Upload100MiB' -benchtime 3x "$pkg" | grep -E '^Benchmark'
