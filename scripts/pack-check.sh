#!/usr/bin/env bash
# Packs each publishable package as users receive it and checks the tarball with publint and
# @arethetypeswrong/cli (ESM, CJS and TypeScript resolution of every export).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.cache/pack"
rm -rf "$out" && mkdir -p "$out"
status=0
for pkg in core s3-verify cli-example; do
  dir="$root/packages/$pkg"
  tarball=$(cd "$dir" && pnpm pack --pack-destination "$out" 2>/dev/null | tail -n 1)
  echo "== $pkg: $(basename "$tarball")"
  (cd "$dir" && pnpm exec publint run "$tarball" --strict) || status=1
  # engines.node >= 20.19: node10 resolution (no exports maps) is not a supported consumer.
  pnpm exec attw "$tarball" --format ascii --profile node16 --exclude-entrypoints package.json || status=1
done
exit $status
