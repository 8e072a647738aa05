#!/usr/bin/env bash
# Prepares the real test stack: Debian packages, a Docker engine on loopback, and the
# chronos-pg images (PostgreSQL + pgBackRest). Idempotent; prints what each step did.
#
#   scripts/stack/prepare.sh                  everything
#   scripts/stack/prepare.sh --images 15,17   only these images
#   scripts/stack/prepare.sh --no-images      packages and engine only
#   CHRONOS_SKIP_DOCKER=1                     native stack only (no engine, no images)
#   CHRONOS_IMAGE_SOURCE=debootstrap|dockerfile  force how images are built (default: probe a registry)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

images_wanted="15,17,18"
build_images=1
while [ $# -gt 0 ]; do
  case "$1" in
    --images) images_wanted="${2:?--images needs a list such as 15,17,18}"; shift 2 ;;
    --images=*) images_wanted="${1#--images=}"; shift ;;
    --no-images) build_images=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done

skip_docker=0
case "${CHRONOS_SKIP_DOCKER:-}" in 1|true|yes|y) skip_docker=1 ;; esac
is_ci=0
case "${CI:-}" in ''|false|0) ;; *) is_ci=1 ;; esac

step() { printf '%-34s %s\n' "$1" "$2"; }
die() { echo "prepare: $*" >&2; exit 1; }
now() { date +%s; }

# ---------------------------------------------------------------- Debian packages
pg15_bin=/usr/lib/postgresql/15/bin
# faketime: time-based retention tests; systemd: systemd-analyze checks compiled timers;
# prometheus: promtool checks and unit-tests the alert rules compiled from a policy;
# openssh-server: the ssh transport test starts its own sshd on a loopback port (the package's service is not used);
# strace: the secret-leak test records the execve of every process a scenario starts.
wanted_packages=(pgbackrest openssl faketime prometheus openssh-server strace)
if command -v systemd-analyze >/dev/null 2>&1; then step "systemd-analyze" "already there"; else wanted_packages+=(systemd); fi
if [ -x "$pg15_bin/postgres" ]; then step "postgresql 15 binaries" "already there"; else wanted_packages+=(postgresql-15); fi
if [ "$skip_docker" = 0 ]; then wanted_packages+=(docker.io debootstrap); fi

missing=()
for p in "${wanted_packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    step "package $p" "already there"
  else
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    t0=$(now)
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
    for p in "${missing[@]}"; do step "package $p" "installed in $(( $(now) - t0 )) s"; done
  else
    echo "missing Debian packages; as root run:"
    echo "  apt-get install -y --no-install-recommends ${missing[*]}"
    [ "$is_ci" = 1 ] && exit 1
    echo "(continuing without them: the integration tests that need them will be skipped)"
    exit 0
  fi
fi

if [ "$skip_docker" = 1 ]; then
  step "docker" "skipped (CHRONOS_SKIP_DOCKER=1)"
  exit 0
fi

# ---------------------------------------------------------------- Docker engine
if docker info >/dev/null 2>&1; then
  step "docker engine" "already there"
else
  if [ "$(id -u)" != 0 ]; then
    echo "no Docker engine answers this user; add the user to the docker group, or as root run:"
    echo "  dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2 >>/var/log/chronos-dockerd.log 2>&1 &"
    [ "$is_ci" = 1 ] && exit 1
    echo "(continuing without it: the container tests will be skipped)"
    exit 0
  fi
  t0=$(now)
  setsid nohup dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2 \
    >>/var/log/chronos-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || die "dockerd did not answer within 60 s; see /var/log/chronos-dockerd.log"
  step "docker engine" "started in $(( $(now) - t0 )) s (log /var/log/chronos-dockerd.log)"
fi

[ "$build_images" = 1 ] || { step "images" "skipped (--no-images)"; exit 0; }

# ---------------------------------------------------------------- images
# major -> Debian suite, pgBackRest version that suite ships
image_suite() { case "$1" in 15) echo bookworm ;; 17) echo trixie ;; 18) echo sid ;; *) return 1 ;; esac; }
image_pgbackrest() { case "$1" in 15) echo 2.45 ;; 17) echo 2.55.1 ;; 18) echo 2.60.0 ;; *) return 1 ;; esac; }

apt_mirror() {
  local uri=""
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")"
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/ && $i !~ /security/) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  shopt -u nullglob
  [ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
  echo "$uri"
}

image_source() {
  local major="$1"
  case "${CHRONOS_IMAGE_SOURCE:-}" in
    dockerfile|debootstrap) echo "$CHRONOS_IMAGE_SOURCE"; return ;;
    '') ;;
    *) die "CHRONOS_IMAGE_SOURCE must be dockerfile or debootstrap, not ${CHRONOS_IMAGE_SOURCE}" ;;
  esac
  if timeout 20 docker pull -q "postgres:${major}" >/dev/null 2>&1; then echo dockerfile; else echo debootstrap; fi
}

build_with_debootstrap() {
  local major="$1" tag="$2" suite dir mirror
  suite="$(image_suite "$major")"
  mirror="$(apt_mirror)"
  dir="$(mktemp -d /var/tmp/chronos-rootfs-XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$dir'" RETURN
  debootstrap --variant=minbase \
    --include="postgresql-${major},pgbackrest,ca-certificates,procps" \
    "$suite" "$dir" "$mirror" >"$dir.log" 2>&1 \
    || { tail -20 "$dir.log" >&2; die "debootstrap $suite failed (full log $dir.log)"; }
  rm -f "$dir.log"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/*
  tar -C "$dir" -c . | docker import \
    --change 'ENV PATH=/usr/lib/postgresql/'"$major"'/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["sleep", "infinity"]' \
    --message "chronos-pg: debootstrap $suite postgresql-$major + pgbackrest" \
    - "$tag" >/dev/null
}

build_with_dockerfile() {
  local major="$1" tag="$2"
  docker build -q -f "$root/images/Dockerfile" \
    --build-arg "PG_MAJOR=$major" \
    --build-arg "PGBACKREST_VERSION=$(image_pgbackrest "$major")" \
    -t "$tag" "$root/images" >/dev/null
}

IFS=',' read -r -a majors <<<"$images_wanted"
for major in "${majors[@]}"; do
  major="${major// /}"
  [ -n "$major" ] || continue
  expected="$(image_pgbackrest "$major")" || die "no image defined for PostgreSQL $major (have 15, 17, 18)"
  tag="chronos-pg:${major}-${expected}"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    step "image $tag" "already there"
    continue
  fi
  source="$(image_source "$major")"
  t0=$(now)
  "build_with_$source" "$major" "$tag"
  seconds=$(( $(now) - t0 ))
  found="$(docker run --rm --network host --entrypoint pgbackrest "$tag" version | awk '{ print $2 }')"
  if [ "$found" != "$expected" ]; then
    docker image rm "$tag" >/dev/null
    die "image $tag carries pgBackRest '$found', not $expected (the suite moved on: update the table in $0)"
  fi
  size="$(docker image inspect -f '{{.Size}}' "$tag")"
  step "image $tag" "built in ${seconds} s from $source ($(( size / 1048576 )) MiB, pgBackRest $found)"
done
