#!/usr/bin/env bash
# The main job on a fresh machine: installs what it needs (the demo's own packages with --install-packages), builds, and runs `chronos demo`
# (a throwaway PostgreSQL + pgBackRest and a TLS S3 endpoint on loopback, the reference policy,
# backups, verification and a point-in-time restore drill). Extra arguments go to `chronos demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "10.34.9" ]; then
  npm install -g pnpm@10.34.9
fi
pnpm install --frozen-lockfile >/dev/null
pnpm build >/dev/null
exec node packages/cli-example/dist/cli.cjs demo --install-packages "$@"
