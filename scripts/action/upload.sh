#!/usr/bin/env bash
# Uploads a package or asset pack to a Nanoforge Store with `nanoforge --cli upload`.
# Run by action.yml; usable on its own (any CI) with the same environment variables:
#   NANOFORGE_BIN     the nanoforge binary (default: nanoforge on PATH)
#   INPUT_FOLDER      folder holding Package.toml or Assets.toml, relative to GITHUB_WORKSPACE
#                     (or the current folder); empty for the root
#   INPUT_NAME        the resource name on the Store (required)
#   INPUT_TOKEN       Store token with the publish scope (required)
#   INPUT_STORE_URL   Store address (default: $NANOFORGE_STORE_URL, then the CLI's default)
#   INPUT_PUBLISH     "true" to publish at once instead of leaving a draft
#   INPUT_CHANNEL     stable, beta, alpha or private (default: the Store's, stable)
#   RELEASE_BODY      changelog (the GitHub release body)
set -euo pipefail

die() { echo "::error::$*" >&2; exit 1; }

bin="${NANOFORGE_BIN:-nanoforge}"
name="${INPUT_NAME:-}"
[ -n "$name" ] || die "the 'name' input is required: the package or asset pack name on the Store"
[ -n "${INPUT_TOKEN:-}" ] || die "the 'token' input is required: store a Store token as a repository secret and pass it"
case "$name" in
  *[!a-z0-9-]* | "") die "name '$name' is not a valid Store name: lowercase letters, digits and '-' only" ;;
esac

workspace="${GITHUB_WORKSPACE:-$PWD}"
src="$workspace/${INPUT_FOLDER:-}"
src="${src%/}"
[ -d "$src" ] || die "folder '${INPUT_FOLDER:-.}' does not exist in $workspace"

if [ -f "$src/Assets.toml" ]; then
  kind=assets
elif [ -f "$src/Package.toml" ]; then
  kind=package
else
  die "no Package.toml or Assets.toml in '${INPUT_FOLDER:-.}': set the 'folder' input to the folder that holds it"
fi

# The CLI uploads from a server layout (Packages/<name> or Assets/<name>): copy the folder into
# a scratch one, leaving version control out.
scratch="$(mktemp -d "${RUNNER_TEMP:-/tmp}/nanoforge-action.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
if [ "$kind" = assets ]; then dest="$scratch/Assets/$name"; else dest="$scratch/Packages/$name"; fi
mkdir -p "$dest"
tar -C "$src" --exclude=./.git --exclude=./.github -cf - . | tar -C "$dest" -xf -

printf '%s' "${RELEASE_BODY:-}" > "$scratch/changelog.md"

args=(--cli upload "$kind" "$name" --dir "$scratch" --changelog-file "$scratch/changelog.md")
store="${INPUT_STORE_URL:-${NANOFORGE_STORE_URL:-}}"
[ -n "$store" ] && args+=(--store "$store")
[ -n "${INPUT_CHANNEL:-}" ] && args+=(--channel "$INPUT_CHANNEL")
case "${INPUT_PUBLISH:-false}" in
  true | 1 | yes) args+=(--publish) ;;
  false | 0 | no | "") ;;
  *) die "the 'publish' input must be true or false, not '${INPUT_PUBLISH}'" ;;
esac

# The token travels in the environment, never on the command line where process listings show it.
NANOFORGE_TOKEN="$INPUT_TOKEN" "$bin" "${args[@]}"
