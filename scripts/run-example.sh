#!/usr/bin/env bash
# Starts bin/nanoforge in the given server folder with the repository's example packages.
# The folder is created if missing; example packages are copied in only where absent,
# so local edits survive.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-server}"; shift || true
mkdir -p "$dir/Packages"
for pkg in "$root"/examples/packages/*/; do
  name="$(basename "$pkg")"
  [ -e "$dir/Packages/$name" ] || cp -r "$pkg" "$dir/Packages/$name"
done
cd "$dir"
exec "$root/bin/nanoforge" --game_mode example-gamemode "$@"
