#!/usr/bin/env bash
# What the tests leave behind: `leftovers.sh snapshot FILE` records the containers, volumes, chronos
# directories in the temporary directory and PostgreSQL/pgBackRest/s3rver/sshd processes; `leftovers.sh
# compare FILE` lists what appeared since. Exit 1 when something is left.
set -uo pipefail
list() {
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    docker ps -aq --no-trunc | sed 's/^/container /'
    docker volume ls -q | sed 's/^/volume /'
  fi
  find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'chronos*' -printf 'path %p\n' 2>/dev/null
  ps -eo pid=,comm= | awk '$2 ~ /^(postgres|pgbackrest|sshd)$/ || $2 ~ /s3rver/ { print "process " $1 " " $2 }'
}
case "${1:-}" in
  snapshot) list | sort >"${2:?snapshot FILE}" ;;
  compare)
    left=$(comm -13 "${2:?compare FILE}" <(list | sort))
    if [ -z "$left" ]; then echo "nothing left behind"; exit 0; fi
    echo "left behind by the tests:"; echo "$left"; exit 1 ;;
  *) echo "usage: leftovers.sh snapshot|compare FILE" >&2; exit 2 ;;
esac
