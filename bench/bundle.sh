#!/usr/bin/env bash
# Bundles the benchmark runner, scenarios and probes (TypeScript, using the packages' sources) into
# packages/core/node_modules/.cache/chronos-bench/, where Node resolves the optional s3rver peer. Code shared by
# several entries, and code loaded by `import()` (the AWS SDK of a posix verification), goes to chunks/, loaded
# only when needed, as in the packages' own builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/packages/core/node_modules/.cache/chronos-bench"
mkdir -p "$out"
cd "$root"
"$root/node_modules/.bin/esbuild" bench/run.ts bench/scenarios/*.ts bench/probes/*.ts \
  --bundle --splitting --chunk-names=chunks/[name]-[hash] --platform=node --format=esm --target=node20 \
  --conditions=@chronos/source --outbase=bench --outdir="$out" --out-extension:.js=.mjs --log-level=warning \
  --banner:js="import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);"
"$root/node_modules/.bin/esbuild" packages/s3-verify/bench/synthetic-s3.ts \
  --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile="$out/probes/virtual-s3.mjs"
