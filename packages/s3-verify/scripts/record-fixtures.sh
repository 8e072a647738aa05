#!/usr/bin/env bash
# Records real pgBackRest repository files into test/fixtures/repo/{plain,encrypted}/.
# Needs: root, PostgreSQL 15 binaries, pgbackrest (Debian 12: 2.45). Run by hand; tests only read the output.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/test/fixtures/repo"
bin=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/s3v-record-XXXXXX)"
port="${PGPORT_RECORD:-56432}"
pass='fixture-passphrase-not-secret'
chown postgres:postgres "$work"
as_pg() { runuser -u postgres -- "$@"; }
cleanup() { as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/pgbackrest.conf" <<CONF
[global]
repo1-path=$work/repo-plain
repo1-retention-full=2
repo2-path=$work/repo-encrypted
repo2-retention-full=2
repo2-cipher-type=aes-256-cbc
log-path=$work
lock-path=$work
spool-path=$work
log-level-console=warn
log-level-file=off
start-fast=y

[fx]
pg1-path=$work/data
pg1-port=$port
pg1-socket-path=$work
CONF
chown postgres:postgres "$work/pgbackrest.conf"
export PGBACKREST_CONFIG="$work/pgbackrest.conf"
export PGBACKREST_REPO2_CIPHER_PASS="$pass"
pgbr() { as_pg env PGBACKREST_CONFIG="$PGBACKREST_CONFIG" PGBACKREST_REPO2_CIPHER_PASS="$pass" pgbackrest --stanza=fx "$@"; }
psql() { as_pg "$bin/psql" -h "$work" -p "$port" -d postgres -Atq "$@"; }

as_pg "$bin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$work'
archive_mode = on
archive_command = 'env PGBACKREST_CONFIG=$work/pgbackrest.conf PGBACKREST_REPO2_CIPHER_PASS=$pass pgbackrest --stanza=fx archive-push %p'
wal_level = replica
max_wal_senders = 3
CONF
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w start >/dev/null
pgbr stanza-create
psql -c 'create table t(i int); insert into t select generate_series(1,1000);'
pgbr --repo=1 --type=full backup
pgbr --repo=2 --type=full backup
psql -c 'insert into t select generate_series(1,1000); select pg_switch_wal();' >/dev/null
psql -c 'select pg_switch_wal();' >/dev/null
pgbr --repo=1 --type=diff backup
pgbr --repo=2 --type=incr backup
# PITR: restore the last backup and promote, which starts timeline 2
as_pg "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
pgbr --repo=1 --delta --type=immediate --target-action=promote restore
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w start >/dev/null
for _ in $(seq 1 30); do [ "$(psql -c 'select pg_is_in_recovery()')" = f ] && break; sleep 1; done
psql -c 'insert into t select generate_series(1,10); select pg_switch_wal();' >/dev/null
pgbr check
pgbr info --output=json >"$work/info.json"

rm -rf "$out"
for kind in plain encrypted; do
  repo="$work/repo-$kind"
  dest="$out/$kind"
  mkdir -p "$dest"
  cp "$repo/archive/fx/archive.info" "$repo/archive/fx/archive.info.copy" "$dest/"
  cp "$repo/backup/fx/backup.info" "$repo/backup/fx/backup.info.copy" "$dest/"
  first_label="$(ls "$repo/backup/fx" | grep -E '^[0-9]{8}-[0-9]{6}F$' | head -1)"
  cp "$repo/backup/fx/$first_label/backup.manifest" "$dest/backup.manifest"
  cp "$repo/backup/fx/$first_label/backup.manifest.copy" "$dest/backup.manifest.copy"
  history="$(find "$repo/archive/fx" -name '00000002.history*' | head -1)"
  [ -n "$history" ] && cp "$history" "$dest/00000002.history"
  segment="$(find "$repo/archive/fx" -path '*/0000000100000000/*' -name '000000010000000000000002-*' | head -1)"
  cp "$segment" "$dest/segment-$(basename "$segment")"
  # key and size of every file, as a listing would give them (relative to the repo path)
  (cd "$repo" && find . -type f -printf '%P\t%s\n' | LC_ALL=C sort) >"$dest/listing.tsv"
done
cp "$work/info.json" "$out/info.json"
printf '%s\n' "$pass" >"$out/encrypted/PASSPHRASE"
pgbackrest version >"$out/VERSION"
echo "recorded into $out"
