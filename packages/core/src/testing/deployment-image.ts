import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../exec/process.js';

/** Options of {@link buildDeploymentImage}. */
export interface DeploymentImageOptions {
  /** Image with PostgreSQL and pgBackRest to derive from (local; nothing is pulled). Default `chronos-pg:15-2.45`. */
  readonly base?: string;
  /** Tag of the derived image. Default `<base repository>-db:<base tag>`, e.g. `chronos-pg-db:15-2.45`. */
  readonly tag?: string;
}

/**
 * Entrypoint of the derived image, in the manner of the official `postgres` images: as root it prepares the data
 * directory (`PGDATA`, default `/var/lib/postgresql/data`, usually a named volume) and pgBackRest's paths, then
 * re-runs itself as postgres (setpriv: PostgreSQL ends up as process 1 and gets `docker stop`'s signal, SIGINT, a
 * fast shutdown); an empty data directory gets `initdb` with archiving to pgBackRest for stanza
 * `CHRONOS_STANZA` (default `chronos`); then PostgreSQL becomes the container's main process. The port comes from
 * `PGPORT` (host networking: give each container its own).
 */
const ENTRYPOINT = `#!/bin/sh
set -e
PGDATA="\${PGDATA:-/var/lib/postgresql/data}"
export PGDATA
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql /var/log/pgbackrest /var/spool/pgbackrest /tmp/pgbackrest
  chown postgres:postgres "$PGDATA" /var/run/postgresql /var/log/pgbackrest /var/spool/pgbackrest /tmp/pgbackrest
  chmod 700 "$PGDATA"
  if [ -d /var/lib/pgbackrest ]; then chown postgres:postgres /var/lib/pgbackrest; fi
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  "$BIN/initdb" -D "$PGDATA" --auth=trust --username=postgres >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '/var/run/postgresql'"
    echo "archive_mode = on"
    echo "archive_command = 'pgbackrest --stanza=\${CHRONOS_STANZA:-chronos} archive-push %p'"
  } >> "$PGDATA/postgresql.conf"
fi
exec "$BIN/postgres" -D "$PGDATA" "$@"
`;

const DOCKERFILE = `ARG BASE
FROM \${BASE}
COPY chronos-entrypoint.sh /usr/local/bin/chronos-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/chronos-entrypoint.sh"]
`;

/**
 * Builds (from a local image, without a registry) an image whose main process is PostgreSQL with its data in
 * `PGDATA` (mount a named volume there), pgBackRest inside: the shape of a production database container. Returns
 * the tag.
 *
 * @example
 * const image = await buildDeploymentImage({ base: 'chronos-pg:15-2.45' });
 * // docker run -d --name chronos-db --network host -e PGPORT=54329 -v timescale-data:/var/lib/postgresql/data <image>
 */
export async function buildDeploymentImage(options: DeploymentImageOptions = {}): Promise<string> {
  const base = options.base ?? 'chronos-pg:15-2.45';
  const [repository, tag = 'latest'] = base.split(':');
  const target = options.tag ?? `${repository}-db:${tag}`;
  const context = await mkdtemp(join(tmpdir(), 'chronos-image-'));
  try {
    await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(context, 'chronos-entrypoint.sh'), ENTRYPOINT, { mode: 0o755 });
    const result = await runProcess({
      file: 'docker',
      args: ['build', '-q', '--build-arg', `BASE=${base}`, '-t', target, context],
      timeout: 300_000,
    });
    if (result.exitCode !== 0) {
      throw new Error(
        `docker build of ${target} from ${base} failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    return target;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
