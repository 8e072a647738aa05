#!/usr/bin/env bash
# Records real pgBackRest output (stderr of failures, version) from the local binary into
# packages/core/test/fixtures/recorded-local/. Run as root on a machine with pgbackrest and a postgres user.
set -euo pipefail
out="$(cd "$(dirname "$0")/../.." && pwd)/packages/core/test/fixtures/recorded-local"
mkdir -p "$out"
work="$(mktemp -d)"; chmod 777 "$work"
trap 'rm -rf "$work"' EXIT
pgb() { runuser -u postgres -- pgbackrest "$@"; }
ver="$(pgb version | awk '{print $2}')"

pgb version > "$out/version-$ver.txt"
pgb version --output=num > "$out/version-num-$ver.txt" 2>&1 || echo "exit=$?" >> "$out/version-num-$ver.txt"

record() { # name, args...
  local name="$1"; shift
  set +e; pgb "$@" >"$out/$name-$ver.stdout" 2>"$out/$name-$ver.stderr"; echo $? >"$out/$name-$ver.exit"; set -e
}
record error-055-file-missing --stanza=demo --repo1-path="$work/repo" --pg1-path="$work/pg" backup
record error-031-secure-on-command-line --stanza=demo --repo1-cipher-pass=x info
record error-032-invalid-value --stanza=demo --pg1-path="$work/pg" --type=weekly backup
record error-037-option-required --stanza=demo backup
record error-031-unknown-option --stanza=demo --no-such-option backup
mkdir -p "$work/lock"; chown postgres "$work/lock"
record error-055-console-format --stanza=demo --repo1-path="$work/repo" --pg1-path="$work/pg" --lock-path="$work/lock" --log-level-console=info --log-level-stderr=off --log-path="$work" backup

# `help <command>` of every user command: the option lists the catalogue is checked against.
commands="annotate archive-get archive-push backup check expire info repo-get repo-ls restore server-ping stanza-create stanza-delete stanza-upgrade start stop verify version"
mkdir -p "$out/help-$ver"
for c in $commands; do pgb help "$c" > "$out/help-$ver/$c.txt" 2>&1 || true; done
# Same from the container images when they exist (PostgreSQL + pgBackRest images built by scripts/stack).
for image in chronos-pg:17-2.55.1 chronos-pg:18-2.60.0; do
  docker image inspect "$image" >/dev/null 2>&1 || continue
  iver="$(docker run --rm --network host -u postgres --entrypoint pgbackrest "$image" version | awk '{print $2}')"
  mkdir -p "$out/help-$iver"
  for c in $commands; do
    docker run --rm --network host -u postgres --entrypoint pgbackrest "$image" help "$c" > "$out/help-$iver/$c.txt" 2>&1 || true
  done
done
