#!/usr/bin/env bash
# Starts bin/nanoforge in the given server folder (default ./server) with the repository's
# example packages: example-gamemode (which requires example-utils) on example-map.
# The folder is created if missing; example packages are copied in only where absent, so local
# edits survive. Extra arguments are passed to the server, e.g.
#   scripts/run-example.sh server --custom_settings "round_seconds = 60"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-server}"; shift || true
if [ ! -x "$root/bin/nanoforge" ]; then
  echo "bin/nanoforge not found: run 'make build' first (or 'make run')" >&2
  exit 1
fi
mkdir -p "$dir/Packages"
for pkg in "$root"/examples/packages/*/; do
  name="$(basename "$pkg")"
  [ -e "$dir/Packages/$name" ] || cp -r "$pkg" "$dir/Packages/$name"
done
cd "$dir"
exec "$root/bin/nanoforge" --game_mode example-gamemode --map example-map "$@"
