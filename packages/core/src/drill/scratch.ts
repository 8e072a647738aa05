import { DrillRefusedError } from './errors.js';

/** Where a drill keeps its files, all under the scratch directory. */
export interface ScratchLayout {
  readonly root: string;
  /** The restored data directory (`pg1-path` of the drill's restore). */
  readonly dataPath: string;
  /** The private Unix socket directory (mode 0700). */
  readonly socketDir: string;
  readonly logPath: string;
  /** Where every tablespace is restored (`tablespace-map-all`). */
  readonly tablespacePath: string;
  /** The file that marks the directory as a drill's. */
  readonly markerPath: string;
  /**
   * pgBackRest's own paths for the drill's `archive-get` (spool, lock, log): private to the drill, so an asynchronous
   * archive-get never shares production's spool queue or archive lock.
   */
  readonly pgbackrest: { readonly spoolPath: string; readonly lockPath: string; readonly logPath: string };
}

/** The file that marks a scratch directory as a restore drill's. */
export const DRILL_MARKER = '.chronos-drill';

const PLAIN_PATH = /^\/[A-Za-z0-9_.@%+=:,/-]+$/;

/**
 * Checks the scratch path's shape (absolute, plain characters, not a system directory) and lays out the drill's
 * files under it. Pure: looks at nothing on disk.
 *
 * @example
 * scratchLayout('/srv/drill'); // { root: '/srv/drill', dataPath: '/srv/drill/pgdata', socketDir: '/srv/drill/run', … }
 */
export function scratchLayout(scratch: string): ScratchLayout {
  const root = scratch.replace(/\/+$/, '');
  if (!PLAIN_PATH.test(root) || root.split('/').some((part) => part === '..' || part === '.')) {
    throw new DrillRefusedError(
      `scratch directory '${scratch}' must be an absolute path of plain characters (letters, digits, _ . @ % + = : , - /), without . or .. parts`,
    );
  }
  if (root.split('/').filter(Boolean).length < 2) {
    throw new DrillRefusedError(
      `scratch directory '${scratch}' is too close to the file system root; give a directory of its own, e.g. /var/lib/chronos-drill`,
    );
  }
  return {
    root,
    dataPath: `${root}/pgdata`,
    socketDir: `${root}/run`,
    logPath: `${root}/postgresql.log`,
    tablespacePath: `${root}/tablespaces`,
    markerPath: `${root}/${DRILL_MARKER}`,
    pgbackrest: {
      spoolPath: `${root}/pgbackrest/spool`,
      lockPath: `${root}/pgbackrest/lock`,
      logPath: `${root}/pgbackrest/log`,
    },
  };
}

/** What the scratch directory holds, as probed where the cluster lives. */
export type ScratchState =
  | { readonly state: 'absent' | 'empty' | 'previous-drill'; readonly real: string; readonly clusterReal?: string }
  | { readonly state: 'live-postmaster'; readonly pid: number; readonly real: string; readonly clusterReal?: string }
  | {
      readonly state: 'not-directory' | 'data-directory' | 'not-empty';
      readonly real: string;
      readonly clusterReal?: string;
    };

/** Prints `pg1-path` of section `s` (else of `[global]`) of a pgbackrest.conf. */
const CONF_PG1_PATH_AWK = String.raw`/^[ 	]*\[/ { sec = $0; gsub(/^[ 	]*\[|\][ 	]*$/, "", sec); next }
(sec == s || sec == "global") && /^[ 	]*pg1-path[ 	]*=/ { v = $0; sub(/^[^=]*=[ 	]*/, "", v); sub(/[ 	]*$/, "", v); found[sec] = v }
END { if (s in found) print found[s]; else if ("global" in found) print found["global"] }`;

/**
 * Prints `key=value` lines describing the scratch directory `$1` and the canonical path of the cluster's data
 * directory: `$2` when given, else `pg1-path` of stanza `$4` (or `[global]`) in the pgbackrest.conf `$3`.
 */
export const SCRATCH_PROBE_SCRIPT = [
  'd=$1; c=$2; conf=$3; stanza=$4',
  'if [ -z "$conf" ]; then conf=/etc/pgbackrest/pgbackrest.conf; fi',
  'if [ -z "$c" ] && [ -n "$PGBACKREST_PG1_PATH" ]; then c=$PGBACKREST_PG1_PATH; fi',
  'if [ -z "$c" ] && [ -r "$conf" ]; then',
  `  c=$(awk -v s="$stanza" '${CONF_PG1_PATH_AWK}' "$conf")`,
  'fi',
  'canon() { if [ -d "$1" ]; then (cd "$1" && pwd -P); else printf "%s\\n" "$1"; fi; }',
  'echo "real=$(canon "$d")"',
  'if [ -n "$c" ]; then echo "cluster=$(canon "$c")"; fi',
  'if [ ! -e "$d" ]; then echo state=absent; exit 0; fi',
  'if [ ! -d "$d" ]; then echo state=not-directory; exit 0; fi',
  'for f in "$d" "$d/pgdata"; do',
  '  if [ -f "$f/postmaster.pid" ]; then',
  '    p=$(head -n 1 "$f/postmaster.pid")',
  '    if [ -n "$p" ] && { kill -0 "$p" 2>/dev/null || [ -d "/proc/$p" ]; }; then echo state=live-postmaster; echo "pid=$p"; exit 0; fi',
  '  fi',
  'done',
  `if [ -f "$d/${DRILL_MARKER}" ]; then echo state=previous-drill; exit 0; fi`,
  'if [ -z "$(ls -A "$d" 2>/dev/null)" ]; then echo state=empty; exit 0; fi',
  'if [ -f "$d/PG_VERSION" ]; then echo state=data-directory; exit 0; fi',
  'echo state=not-empty',
].join('\n');

/**
 * Parses the output of {@link SCRATCH_PROBE_SCRIPT}.
 *
 * @example
 * parseScratchProbe('real=/srv/drill\nstate=empty\n'); // { state: 'empty', real: '/srv/drill' }
 */
export function parseScratchProbe(stdout: string): ScratchState {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1));
  }
  const state = values.get('state');
  const real = values.get('real') ?? '';
  const clusterReal = values.get('cluster');
  const common = { real, ...(clusterReal === undefined ? {} : { clusterReal }) };
  switch (state) {
    case 'absent':
    case 'empty':
    case 'previous-drill':
    case 'not-directory':
    case 'data-directory':
    case 'not-empty':
      return { state, ...common };
    case 'live-postmaster':
      return { state, pid: Number(values.get('pid')), ...common };
    default:
      throw new DrillRefusedError(
        `could not inspect the scratch directory (probe printed: ${stdout.trim().slice(0, 200)})`,
      );
  }
}

function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer.replace(/\/$/, '')}/`);
}

/**
 * The isolation rules, applied to a probed scratch directory: throws {@link DrillRefusedError} when the scratch is, holds
 * or lies inside the cluster's data directory, holds a live postmaster, or holds anything but a previous drill.
 *
 * @example
 * assertScratchIsolated({ state: 'empty', real: '/srv/drill', clusterReal: '/var/lib/postgresql/15/main' });
 */
export function assertScratchIsolated(probe: ScratchState): void {
  const { real, clusterReal } = probe;
  if (clusterReal !== undefined && (within(real, clusterReal) || within(clusterReal, real))) {
    throw new DrillRefusedError(
      `scratch directory ${real} ${real === clusterReal ? 'is' : within(real, clusterReal) ? 'is inside' : 'contains'} the cluster's data directory (pg1-path ${clusterReal}); a drill restores into a directory of its own`,
    );
  }
  switch (probe.state) {
    case 'absent':
    case 'empty':
    case 'previous-drill':
      return;
    case 'live-postmaster':
      throw new DrillRefusedError(
        `scratch directory ${real} holds a running PostgreSQL (postmaster.pid, process ${probe.pid}); a drill never restores over a live cluster`,
      );
    case 'not-directory':
      throw new DrillRefusedError(`scratch path ${real} exists and is not a directory`);
    case 'data-directory':
      throw new DrillRefusedError(
        `scratch directory ${real} is a PostgreSQL data directory (PG_VERSION); a drill restores only into an empty directory or a previous drill's`,
      );
    case 'not-empty':
      throw new DrillRefusedError(
        `scratch directory ${real} is not empty and not a previous drill's (no ${DRILL_MARKER}); empty it or choose another`,
      );
  }
}

/** Makes the scratch layout under `$1` (created when absent); clears a previous drill's files first. */
export const SCRATCH_PREPARE_SCRIPT = [
  'set -e',
  'd=$1',
  'mkdir -p "$d"',
  'find "$d" -mindepth 1 -maxdepth 1 -exec rm -rf {} +',
  'mkdir -m 700 "$d/pgdata" "$d/run" "$d/pgbackrest"',
  'mkdir -m 700 "$d/pgbackrest/spool" "$d/pgbackrest/lock" "$d/pgbackrest/log"',
  `echo "chronos restore drill, started $(date -u +%Y-%m-%dT%H:%M:%SZ); remove the whole directory when done" > "$d/${DRILL_MARKER}"`,
].join('\n');

/**
 * Stops whatever server still runs on the drill's data directory (SIGQUIT: immediate shutdown, then SIGKILL), kills
 * every process whose command line names one of the drill's own paths (its data directory, pgBackRest paths, socket
 * directory or tablespaces: a restore's or an asynchronous archive-get's pgBackRest processes that outlive their
 * parent; never the process that named the scratch directory itself), then removes the scratch directory (`$2` = 1) or only
 * its contents (`$2` = 0, a directory the user made), retrying while such processes still write into it.
 */
export const SCRATCH_REMOVE_SCRIPT = [
  'd=$1; whole=$2',
  'if [ -f "$d/pgdata/postmaster.pid" ]; then',
  '  p=$(head -n 1 "$d/pgdata/postmaster.pid")',
  '  if [ -n "$p" ] && kill -QUIT "$p" 2>/dev/null; then',
  '    i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
  '    kill -KILL "$p" 2>/dev/null || true',
  '  fi',
  'fi',
  'sweep() {',
  '  for p in $(grep -lasF -e "$d/pgdata" -e "$d/pgbackrest/" -e "$d/run" -e "$d/tablespaces" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do',
  '    [ "$p" = "$$" ] || kill -KILL "$p" 2>/dev/null || true',
  '  done',
  '}',
  'i=0',
  'while :; do',
  '  sweep',
  '  if [ "$whole" = 1 ]; then rm -rf "$d" 2>/dev/null; else find "$d" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null; fi',
  '  if [ "$whole" = 1 ]; then [ ! -e "$d" ] && break; else [ ! -e "$d/pgdata" ] && break; fi',
  '  i=$((i+1)); [ $i -ge 20 ] && break',
  '  sleep 0.25',
  'done',
  'if [ "$whole" = 1 ]; then rm -rf "$d"; test ! -e "$d"; else test ! -e "$d/pgdata"; fi',
].join('\n');
