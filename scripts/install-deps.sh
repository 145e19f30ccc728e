#!/usr/bin/env bash
# Installs the system packages Nanoforge needs to build and test on Debian/Ubuntu.
# Safe to run repeatedly: it does nothing when everything is present.
#   install-deps.sh          what building and running needs (the Lua 5.4 library, a C compiler)
#   install-deps.sh --test   also what the tests and benchmarks use (lua5.4, chromium, and
#                            mimalloc for the build with the tag mimalloc)
set -euo pipefail
mode="${1:-build}"

need=()
pkg-config --exists lua5.4 2>/dev/null || need+=(liblua5.4-dev pkg-config)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
if [ "$mode" = --test ]; then
  command -v lua5.4 >/dev/null 2>&1 || need+=(lua5.4)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # Optional (only the build with the tag mimalloc uses it): asked for where the distribution
  # has it, so a release without the package still gets everything else.
  if [ ! -f /usr/include/mimalloc.h ] && apt-cache show libmimalloc-dev >/dev/null 2>&1; then
    need+=(libmimalloc-dev)
  fi
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "missing system packages; run as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
echo "installing system packages: ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
