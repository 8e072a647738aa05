#!/usr/bin/env bash
# Compares verifyRepository with a bare paginated ListObjectsV2 over a virtual repository of
# SEGMENTS WAL objects (default 1,000,000). Usage: bash bench/run.sh [segments] [latencyMs]
# Env: CONCURRENCY (default 8); NODE_HEAP_FLAGS (e.g. "--max-old-space-size=64 --max-semi-space-size=2")
# runs both clients under the same heap limits, to show live memory stays flat; ROUNDS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
segments="${1:-1000000}"
latency="${2:-0}"
out=../../.cache/bench/s3-verify
mkdir -p "$out"
build() { ../../node_modules/.bin/esbuild "bench/$1.ts" --bundle --platform=node --format=esm --target=node20 \
  --conditions=@chronos/source --log-level=warning \
  --banner:js="import{createRequire}from'module';const require=createRequire(import.meta.url);" --outfile="$out/$1.mjs"; }
build synthetic-s3; build list-baseline; build verify-run
port=$((20000 + RANDOM % 20000))
FIXTURES="$PWD/test/fixtures/repo/plain/" node "$out/synthetic-s3.mjs" "$port" "$segments" "$latency" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
for _round in $(seq 1 "${ROUNDS:-2}"); do
  node ${NODE_HEAP_FLAGS:-} "$out/list-baseline.mjs" "http://127.0.0.1:$port" "archive/fx/"
  node ${NODE_HEAP_FLAGS:-} "$out/verify-run.mjs" "http://127.0.0.1:$port" "${CONCURRENCY:-8}"
done
