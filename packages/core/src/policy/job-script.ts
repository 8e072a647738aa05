import type { SecretBinding } from './compile-types.js';
import type { Policy, PolicyRuntime } from './schema.js';
import { shellCommand, shellQuote } from './shell.js';

/** What the host-side job script needs besides the job: where pgBackRest runs, the log and the notification. */
export interface JobScriptOptions {
  readonly runtime: PolicyRuntime;
  /** File the job appends one timestamped line per event to. */
  readonly logFile: string;
  readonly onFailure?: Policy['jobs']['onFailure'];
}

/** The parts of a scheduled job the host script is built from. */
interface JobLines {
  readonly name: string;
  readonly script: readonly string[];
}

const STEP_SUFFIX = ' || rc=$?';

/**
 * Default log file of a stanza's compiled jobs.
 *
 * @example
 * defaultJobLogFile('chronos'); // '/var/log/chronos-chronos.log'
 */
export function defaultJobLogFile(stanza: string): string {
  return `/var/log/chronos-${stanza.toLowerCase().replaceAll(/[^a-z0-9.-]/g, '-')}.log`;
}

function secretNames(secrets: readonly SecretBinding[]): string[] {
  return [...new Set(secrets.map((secret) => secret.env))];
}

/** The shell command text that runs `command` (one shell command line) where the runtime says. */
function inRuntime(command: string, simple: boolean, runtime: PolicyRuntime, names: readonly string[]): string {
  if (runtime === 'host') return command;
  if ('docker' in runtime) {
    const prefix = shellCommand([
      'docker',
      'exec',
      '-u',
      runtime.docker.user,
      ...names.flatMap((name) => ['-e', name]),
      runtime.docker.container,
    ]);
    return simple ? `${prefix} ${command}` : `${prefix} sh -c ${shellQuote(command)}`;
  }
  const remote =
    names.length > 0
      ? `while IFS= read -r l; do export "$l"; done; exec ${command}`
      : simple
        ? `exec ${command}`
        : command;
  const ssh = shellCommand([
    'ssh',
    '-o',
    'BatchMode=yes',
    ...(runtime.ssh.port === undefined ? [] : ['-p', String(runtime.ssh.port)]),
    ...(runtime.ssh.user === undefined ? [] : ['-l', runtime.ssh.user]),
    '--',
    runtime.ssh.host,
    remote,
  ]);
  if (names.length === 0) return ssh;
  return `printf '%s\\n' ${names.map((name) => `"${name}=$${name}"`).join(' ')} | ${ssh}`;
}

function stepLabel(command: string, index: number): string {
  if (command.startsWith('chronos '))
    return command.split(' ').find((word) => !word.startsWith('-') && word !== 'chronos') ?? 'chronos';
  if (!command.startsWith('pgbackrest ')) return `step ${index + 1}`;
  const words = command.split(' ');
  const repo = words.find((word) => word.startsWith('--repo='))?.slice('--repo='.length);
  const type = words.find((word) => word.startsWith('--type='))?.slice('--type='.length);
  return [words.at(-1), repo === undefined ? '' : `repo${repo}`, type === undefined ? '' : `(${type})`]
    .filter((part) => part !== '')
    .join(' ');
}

function notifyLines(onFailure: JobScriptOptions['onFailure']): string[] {
  if (onFailure === undefined) return [];
  const message = '"$job on $(uname -n): $summary"';
  if ('command' in onFailure) {
    return [
      `if ${shellCommand(onFailure.command)} ${message} >/dev/null 2>&1; then log "notification sent"; else log "notification failed (exit $?)"; fi`,
    ];
  }
  const url = onFailure.httpPost.urlEnv;
  return [
    `if [ -z "\${${url}:-}" ]; then log "notification not sent: ${url} is not set"; elif printf 'url = "%s"\\n' "$${url}" | curl -fsS -m 30 -o /dev/null -K - -H 'Content-Type: text/plain' --data-raw ${message} 2>/dev/null; then log "notification sent"; else log "notification failed (exit $?)"; fi`,
  ];
}

/**
 * The POSIX shell script a host scheduler (cron, systemd) runs for a job: pgBackRest runs where the policy's
 * runtime says (`docker exec -u postgres -e PGBACKREST_… chronos-db pgbackrest …`, or `ssh`), secrets pass by
 * variable name only (never a value in the script or an argv), every event is appended to the log file as one line
 * `<UTC timestamp> <job>: <event>`, the script exits with the first failure's status, and on failure the
 * notification (a command, or an HTTP POST to a URL from the environment) gets the one-line summary.
 *
 * @example
 * hostJobScript(job, secrets, { runtime: { docker: { container: 'chronos-db', user: 'postgres' } }, logFile: '/var/log/chronos-chronos.log' }).join('\n');
 */
export function hostJobScript(job: JobLines, secrets: readonly SecretBinding[], options: JobScriptOptions): string[] {
  const names = secretNames(secrets);
  const exports = job.script.filter((line) => line.startsWith('export '));
  const commands = job.script.filter((line) => !line.startsWith('export ') && line !== 'rc=0' && line !== 'exit $rc');
  const where =
    options.runtime === 'host'
      ? 'on this host'
      : 'docker' in options.runtime
        ? `in container ${options.runtime.docker.container}`
        : `on ${options.runtime.ssh.host} over ssh`;
  return [
    `job=${shellQuote(job.name)}`,
    `log_file=${shellQuote(options.logFile)}`,
    `log() { printf '%s %s: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$job" "$*" >> "$log_file"; }`,
    `step() { log "$1 started"; if out=$(eval "$2" 2>&1); then log "$1 ok"; else code=$?; printf '%s\\n' "$out" >&2; detail=$(printf '%s\\n' "$out" | grep -m1 -E 'ERROR|FATAL' || printf '%s\\n' "$out" | tail -n1); detail=$(printf '%s' "$detail" | tr -d '\\r' | cut -c1-300); line="$1 failed (exit $code)\${detail:+: $detail}"; log "$line"; [ -n "$summary" ] || summary=$line; rc=$code; fi; }`,
    'rc=0',
    'summary=',
    `log "started (pgBackRest ${where})"`,
    ...exports,
    ...commands.map((line, index) => {
      const simpleStep = line.endsWith(STEP_SUFFIX);
      const command = simpleStep ? line.slice(0, -STEP_SUFFIX.length) : line;
      const simple = simpleStep && command.startsWith('pgbackrest ');
      // chronos runs on this host and reaches pgBackRest itself (--docker / --ssh on its command line).
      const where = command.startsWith('chronos ') ? command : inRuntime(command, simple, options.runtime, names);
      return `step ${shellQuote(stepLabel(command, index))} ${shellQuote(where)}`;
    }),
    `if [ "$rc" -eq 0 ]; then log "finished ok"; else log "failed: $summary"; fi`,
    ...(options.onFailure === undefined ? [] : [`if [ "$rc" -ne 0 ]; then ${notifyLines(options.onFailure)[0]}; fi`]),
    'exit "$rc"',
  ];
}
