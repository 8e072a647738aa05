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
