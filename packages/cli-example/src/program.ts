import { isatty } from 'node:tty';
import { Command, CommanderError, Option } from 'commander';
import type { CommandContext, CommandOutcome, GlobalOptions } from './context.js';
import { CliError } from './errors.js';
import { EXIT_CODES_HELP, ExitCode, type ExitCodeValue } from './exit-codes.js';
import { coloursFor } from './output/colour.js';
import type { JsonEnvelope } from './output/envelope.js';
import { redact, secretValues } from './output/redact.js';

/** A command module: loaded only when its command runs, so start-up stays cheap. */
export type CommandRun = (
  args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
) => Promise<CommandOutcome>;

type Loader = () => Promise<{ run: CommandRun }>;

const JSON_HELP = `JSON output (--json): one document on stdout
  { "schemaVersion": 1, "command": "<name>", "exitCode": <n>, "result": <command result> }
  or, when the command could not complete,
  { "schemaVersion": 1, "command": "<name>", "exitCode": <n>, "error": { "type": "<ErrorName>", "message": "…" } }`;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

function errorMessage(error: unknown): { type: string; message: string; exitCode: ExitCodeValue } {
  if (error instanceof CliError) return { type: error.name, message: error.message, exitCode: error.exitCode };
  if (error instanceof Error) {
    const firstLine = error.message.split('\n')[0] ?? error.message;
    // A pgBackRest option the builders refuse (unknown, out of range, wrong version) is a usage error; checked by
    // shape so that this module does not load the SDK.
    const usage = (error as { kind?: unknown }).kind === 'configuration';
    return { type: error.name, message: firstLine, exitCode: usage ? ExitCode.Usage : ExitCode.CouldNotRun };
  }
  return { type: 'Error', message: String(error), exitCode: ExitCode.CouldNotRun };
}

/**
 * Builds the `chronos` command tree. Every action imports its module lazily and reports through one printer. Given the
 * arguments it will parse, it builds only the command they name (all of them when they name none).
 *
 * @example
 * ```ts
 * const program = buildProgram(process.env, (code) => { process.exitCode = code; }, ['info']);
 * await program.parseAsync(['node', 'chronos', 'info', '--from-file', 'info.json']);
 * ```
 */
export function buildProgram(
  env: NodeJS.ProcessEnv,
  setExitCode: (code: ExitCodeValue) => void,
  argv?: readonly string[],
): Command {
  const secrets = secretValues(env);
  const out = (text: string) => process.stdout.write(`${redact(text, secrets)}\n`);
  const err = (text: string) => process.stderr.write(`${redact(text, secrets)}\n`);
  const controller = new AbortController();
  const stanzas: string[] = [];

  const program = new Command('chronos')
    .description('An ops CLI for pgBackRest: inspect, back up, restore, verify, and run backup policy as data.')
    .version(__CHRONOS_VERSION__, '-V, --version')
    .addOption(
      new Option('--stanza <name>', 'pgBackRest stanza (chronos exporter takes several)')
        .env('CHRONOS_STANZA')
        .argParser((value: string) => {
          if (!stanzas.includes(value)) stanzas.push(value);
          return value;
        }),
    )
    .addOption(new Option('--config <path>', 'pgbackrest.conf path (where pgBackRest runs)').env('CHRONOS_CONFIG'))
    .addOption(new Option('--bin <path>', 'pgbackrest binary (default: pgbackrest on PATH)').env('CHRONOS_BIN'))
    .addOption(new Option('--docker <container>', 'run pgBackRest inside this container').env('CHRONOS_DOCKER'))
    .addOption(new Option('--ssh <host>', 'run pgBackRest on this host over ssh').env('CHRONOS_SSH'))
    .addOption(new Option('--user <user>', 'run pgBackRest as this user (e.g. postgres)').env('CHRONOS_USER'))
    .option('--json', 'print one stable JSON document on stdout (shape below)')
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(`chronos: usage error: ${text.replace(/^error: /, '')}`) })
    .exitOverride()
    .addHelpText(
      'after',
      `\n${JSON_HELP}\n\nEnvironment: CHRONOS_STANZA, CHRONOS_CONFIG, CHRONOS_BIN, CHRONOS_DOCKER, CHRONOS_SSH, CHRONOS_USER;
  secrets (cipher passphrases, S3 keys) only through PGBACKREST_* variables, never flags. NO_COLOR turns colour off.\n\n${EXIT_CODES_HELP}\n` +
        examples(
          'chronos demo',
          'chronos --stanza main status',
          'chronos --stanza main --docker pg1 --user postgres backup --type diff',
          'chronos policy schedule examples/chronos-policy.json --count 5 --json',
        ),
    );

  const action = (name: string, load: Loader) =>
    async function (this: Command, ...raw: unknown[]) {
      const command = raw.at(-1) as Command;
      const globals = { ...command.optsWithGlobals(), stanzas: [...stanzas] } as GlobalOptions &
        Record<string, unknown>;
      const options = command.opts();
      const args = raw.slice(0, -2).flatMap((value) => (Array.isArray(value) ? value : [value])) as string[];
      const json = globals.json === true;
      const context: CommandContext = {
        globals,
        env,
        colours: coloursFor(json ? {} : process.stdout, env),
        progress: (line) => err(line),
        // isatty(0) rather than process.stdin.isTTY: reading the property would open stdin, which most commands never read.
        interactive: isatty(0) && process.stdout.isTTY === true,
        confirm: async (question) => {
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            const answer = await rl.question(`${question} [y/N] `);
            return /^y(es)?$/i.test(answer.trim());
          } finally {
            rl.close();
          }
        },
        addSecret: (value) => {
          if (value.length >= 4) secrets.unshift(value);
        },
        signal: controller.signal,
      };
      // The first Ctrl-C aborts the command; later ones must not kill the process before its cleanup ran.
      let interrupts = 0;
      const onSignal = () => {
        interrupts += 1;
        if (interrupts === 1) controller.abort(new CliError('interrupted', ExitCode.CouldNotRun));
        else err(`chronos ${name}: stopping what it started; it exits when that is done`);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // The AWS SDK warns on stderr about Node 20 at import; a CLI's stderr is for its own messages.
      env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] ??= '1';
      env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
      try {
        const outcome = await (await load()).run(args, options, context);
        if (json) {
          const envelope: JsonEnvelope = {
            schemaVersion: 1,
            command: name,
            exitCode: outcome.exitCode,
            result: outcome.result,
          };
          out(JSON.stringify(envelope, jsonReplacer, 2));
        } else if (outcome.text !== '') {
          out(outcome.text);
        }
        setExitCode(outcome.exitCode);
      } catch (error) {
        const failure = errorMessage(error);
        if (json) {
          const envelope: JsonEnvelope = {
            schemaVersion: 1,
            command: name,
            exitCode: failure.exitCode,
            error: { type: failure.type, message: failure.message },
          };
          out(JSON.stringify(envelope, jsonReplacer, 2));
        }
        err(`chronos ${name}: ${failure.type}: ${failure.message}`);
        setExitCode(failure.exitCode);
      } finally {
        // Once interrupted, the process is on its way out: a late Ctrl-C must not turn exit 3 into a kill.
        if (interrupts === 0) {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }
    };

  registerCommands(program, action, argv === undefined ? undefined : commandNamed(program, argv));
  return program;
}

/** The first word of `argv` that is neither a global option nor a global option's value: the command's name. */
function commandNamed(program: Command, argv: readonly string[]): string | undefined {
  const withValue = new Set(
    program.options
      .filter((option) => option.required || option.optional)
      .flatMap((option) => [option.long, option.short].filter((flag) => flag !== undefined)),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (withValue.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value;
}

type ActionFactory = (name: string, load: Loader) => (this: Command, ...raw: unknown[]) => Promise<void>;

/**
 * Adds the commands to the program: only `only` when it names one (a run builds the one command it runs), else all of
 * them (help, suggestions for a mistyped name).
 */
function registerCommands(program: Command, action: ActionFactory, only: string | undefined): void {
  const sub = (parent: Command, nameAndArgs: string, description: string) =>
    parent
      .command(nameAndArgs)
      .description(description)
      .showSuggestionAfterError(true)
      .configureOutput({ outputError: (text, write) => write(`chronos: usage error: ${text.replace(/^error: /, '')}`) })
      .exitOverride();

  const registrars: [string, () => void][] = [
    [
      'info',
      () => {
        sub(program, 'info', 'show backups and WAL archive per stanza and repository')
          .option(
            '--from-file <path>',
            'read `pgbackrest info --output=json` (full, or --detail-level=progress) from a file instead of running pgBackRest',
          )
          .option('--set <label>', 'details of one backup set (live only)')
          .addHelpText(
            'after',
            '\nJSON result: the parsed info document (pgBackRest field names; system-id as a decimal string).\n' +
              examples('chronos --stanza main info', 'chronos info --from-file info.json --json'),
          )
          .action(action('info', () => import('./commands/info.js')));
      },
    ],
    [
      'status',
      () => {
        sub(program, 'status', 'latest backups and their ages, recovery window, running backup progress')
          .option(
            '--from-file <path>',
            'read `pgbackrest info --output=json` (full, or --detail-level=progress) from a file instead of running pgBackRest',
          )
          .option('--now <instant>', 'evaluate ages at this ISO-8601 instant (default: now)')
          .option(
            '--progress',
            'only status and running backup/restore: `info --detail-level=progress` on pgBackRest 2.56+ (reads neither backup.info nor the WAL archive), full info before',
          )
          .addHelpText(
            'after',
            '\nExit 1 when a stanza or repository is not ok.\n' +
              'JSON result: { now, detailLevel: "full", stanzas: [{ name, status, latest: { full|diff|incr: { label, repo, stop, ageSeconds } | null },' +
              ' recoveryWindow: { earliest, latest }, backup, restore }] }\n' +
              'With progress-mode info (--progress on 2.56+, or such a file): { now, detailLevel: "progress", stanzas: [{ name, status, backup, restore }] }\n' +
              examples(
                'chronos --stanza main status',
                'chronos --stanza main status --progress',
                'chronos status --from-file info.json --json',
              ),
          )
          .action(action('status', () => import('./commands/status.js')));
      },
    ],
    [
      'backup',
      () => {
        sub(program, 'backup', 'run a backup and show its progress')
          .addOption(new Option('--type <type>', 'backup type').choices(['full', 'diff', 'incr']).default('incr'))
          .option('--annotation <key=value...>', 'annotate the backup set')
          .option('--repo <n>', "back up to this repository only (default: pgBackRest's, repo1)")
          .addHelpText(
            'after',
            '\nProgress (stderr): bytes done/total from the backup lock (pgBackRest 2.48+), elapsed time otherwise; polled with\n' +
              '`info --detail-level=progress` on pgBackRest 2.56+, with full info before.\n' +
              'JSON result: { type, label, durationSeconds, progressDetailLevel: "progress" | "full" }\n' +
              examples(
                'chronos --stanza main backup --type full',
                'chronos --stanza main --user postgres backup --type diff',
              ),
          )
          .action(action('backup', () => import('./commands/backup.js')));
      },
    ],
    [
      'restore',
      () => {
        sub(program, 'restore', 'restore to a point in time, checked against the recovery window first')
          .option(
            '--time <instant>',
            "recover to this instant: ISO-8601 with offset (2026-11-24T02:00:00Z) or a local time with an IANA zone ('2026-02-01 12:00:00 America/Toronto')",
          )
          .option('--xid <xid>', 'recover to this transaction id')
          .option('--lsn <lsn>', 'recover to this LSN')
          .option('--name <restorePoint>', 'recover to this named restore point')
          .option('--immediate', 'stop as soon as the backup is consistent')
          .option('--set <label>', 'backup set to restore (default: pgBackRest chooses)')
          .addOption(
            new Option('--target-action <action>', 'what to do at the target').choices([
              'pause',
              'promote',
              'shutdown',
            ]),
          )
          .option('--exclusive', 'stop just before the target')
          .option('--pg-path <dir>', 'restore into this data directory (pg1-path)')
          .option('--delta', 'restore only files that differ')
          .addOption(
            new Option('--archive-mode <mode>', 'archive mode of the restored cluster').choices(['preserve', 'off']),
          )
          .option('--dry-run', 'print the exact command (secrets redacted) and the plan, run nothing')
          .option('-y, --yes', 'do not ask for confirmation')
          .option(
            '--docker-volume <volume>',
            'restore into this Docker volume with a one-off container of --image (the database container must be stopped)',
          )
          .option('--image <image>', 'with --docker-volume: the database image (PostgreSQL + pgBackRest)')
          .option(
            '--docker-config <file>',
            'with --docker-volume: host pgbackrest.conf mounted into the one-off container',
          )
          .option('--mount <source:target...>', 'with --docker-volume: more mounts, e.g. the repository volume')
          .option('--container <name>', 'with --docker-volume: the database container, for the start command printed')
          .addHelpText(
            'after',
            '\nWithout --yes the command asks for confirmation, and refuses when there is no terminal.\n' +
              'With --docker-volume, info and restore run in one-off containers (removed afterwards) with the volume at --pg-path\n' +
              '(default /var/lib/postgresql/data) and every PGBACKREST_* variable of this environment passed by name.\n' +
              'JSON result: { plan, command, ran } (with --docker-volume also startCommand, createdVolume)\n' +
              examples(
                'chronos --stanza main restore --time 2026-11-24T02:00:00Z --pg-path /var/lib/pg-drill --archive-mode off --dry-run',
                'chronos --stanza main restore --immediate --delta --yes',
                "chronos --stanza chronos restore --time '2026-02-01 12:00:00 America/Toronto' --target-action promote --docker-volume timescale-data --image chronos-pg-db:15-2.45 --docker-config /etc/chronos/pgbackrest.conf --mount pgbackrest-repo:/var/lib/pgbackrest --yes",
              ),
          )
          .action(action('restore', () => import('./commands/restore.js')));
      },
    ],
    [
      'drill',
      () => {
        sub(program, 'drill', 'prove a backup: restore it into a scratch directory, start it, check it, remove it')
          .option('--time <instant>', 'recover to this instant (ISO-8601 with offset)')
          .option('--name <restorePoint>', 'recover to this named restore point')
          .option('--immediate', 'stop as soon as the backup is consistent')
          .option('--set <label>', 'backup set to restore (default: the one pgBackRest would choose)')
          .option(
            '--repo <n>',
            'repository to restore from (default: the policy drill repository, else pgBackRest chooses)',
          )
          .option(
            '--scratch <dir>',
            "the drill's own directory: absent, empty or a previous drill's; never the data directory",
          )
          .option(
            '--image <image>',
            'container deployments (--docker): run the drill in a throwaway container from this image, never in production',
          )
          .option('--check-sql <query...>', 'a read-only query the restored cluster must satisfy (repeatable)')
          .option(
            '--expect <expectation...>',
            "what each --check-sql must return: '>=N', 'row' or 'true' (in the same order)",
          )
          .option(
            '--policy <file>',
            'take the repository, scratch directory, checks and metrics file from restoreDrill',
          )
          .option('--no-amcheck', 'skip pg_amcheck (PostgreSQL 14+)')
          .option(
            '--pg-bin <dir>',
            'PostgreSQL binaries where the drill runs (default /usr/lib/postgresql/<major>/bin)',
          )
          .option('--timeout <seconds>', 'give up (and clean up) after this long', '3600')
          .option('--keep', 'keep the drill cluster running and its directory; prints how to connect and remove it')
          .option('--metrics-file <path>', 'write the chronos_drill_* gauges (Prometheus textfile format) here')
          .addHelpText(
            'after',
            '\nThe drill restores with --archive-mode=off into <scratch>/pgdata, starts PostgreSQL there on a private Unix\n' +
              'socket (no TCP), waits until recovery reaches the target, runs the checks, then stops it and removes the\n' +
              'directory, also on failure, timeout and Ctrl-C. pgBackRest and PostgreSQL run through --ssh/--user; with\n' +
              '--docker, --image runs them in a throwaway container (the production config, secrets and repositories read-only).\n' +
              'Exit 0 proven, 1 a check failed, 3 the drill could not run (refused, restore or recovery failed).\n' +
              'JSON result: the drill report { schemaVersion, kind, outcome, stanza, repo, set, target, timings, rpo, checks }\n' +
              examples(
                "chronos --stanza main --user postgres drill --scratch /var/lib/chronos-drill --check-sql 'SELECT count(*) FROM orders' --expect '>=1'",
                'chronos --stanza main --user postgres drill --time 2026-11-24T02:00:00Z --scratch /var/lib/chronos-drill --json',
                'chronos --stanza main --user postgres drill --policy /etc/chronos/main.policy.json',
                'chronos --stanza chronos --docker chronos-db drill --image chronos-pg:15-2.45 --repo 2',
              ),
          )
          .action(action('drill', () => import('./commands/drill.js')));
      },
    ],
    [
      'check',
      () => {
        sub(program, 'check', 'check the stanza configuration and WAL archiving')
          .addHelpText(
            'after',
            `\nExit 1 when the check fails.\nJSON result: { ok, errorCode?, reason?, hints? }\n${examples('chronos --stanza main check')}`,
          )
          .action(action('check', () => import('./commands/check.js')));
      },
    ],
    [
      'expire',
      () => {
        sub(program, 'expire', "simulate expiry and compare with pgBackRest's own dry run")
          .option('--dry-run', 'only show what would be removed (required)')
          .option('--from-file <path>', 'simulate on an info JSON file (no pgBackRest dry run)')
          .option('--policy <file>', 'take the retention of each repository from this policy')
          .option('--retention-full <n>', 'full backups to keep (or days with --retention-full-type time)')
          .addOption(new Option('--retention-full-type <type>', 'count or time').choices(['count', 'time']))
          .option('--retention-diff <n>', 'differential backups to keep (fulls count as diffs)')
          .option('--retention-archive <n>', 'keep WAL for this many backups of --retention-archive-type')
          .addOption(
            new Option('--retention-archive-type <type>', 'full, diff or incr').choices(['full', 'diff', 'incr']),
          )
          .option('--now <instant>', 'simulate at this ISO-8601 instant (default: now)')
          .addHelpText(
            'after',
            '\nThe same retention is passed to pgBackRest on its command line, so both answers use the same numbers.\n' +
              'JSON result: { now, agree, repositories: [{ stanza, repo, retention, simulation, pgbackrest, agree }] }\n' +
              examples(
                'chronos --stanza main expire --dry-run --retention-full 2 --retention-diff 3',
                'chronos --stanza main expire --dry-run --policy examples/chronos-policy.json',
              ),
          )
          .action(action('expire', () => import('./commands/expire.js')));
      },
    ],
    [
      'verify',
      () => {
        sub(program, 'verify', "run pgBackRest's verify and show the parsed verdict")
          .addHelpText(
            'after',
            `\nExit 1 when pgBackRest's verdict is error (pgBackRest itself exits 0).\nJSON result: { stanza, status, ok, archives, backups }\n${examples('chronos --stanza main verify --json')}`,
          )
          .action(action('verify', () => import('./commands/verify.js')));
      },
    ],
    [
      'config',
      () => {
        const config = sub(program, 'config', 'pgbackrest.conf tools');
        sub(config, 'lint <files...>', 'lint pgbackrest.conf files (paths or globs) as pgBackRest reads them')
          .option(
            '--pgbackrest-version <version>',
            'pgBackRest version to lint for (default: detected from --bin/--docker/--ssh)',
          )
          .option('--strict', 'exit 1 on warnings too')
          .option(
            '--env',
            "count PGBACKREST_* variables of this process's environment as set (else missing secrets only warn)",
          )
          .option('--sarif', 'print SARIF 2.1.0 for code-scanning tools instead of text')
          .addHelpText(
            'after',
            '\nEach finding: file:line:col severity code message, then its fix. Codes and what pgBackRest does: docs/guides/lint-config.md\n' +
              'Exit 0 without errors (warnings allowed unless --strict), 1 with errors, 2 when a file cannot be read or a glob matches nothing.\n' +
              'JSON result: { pgbackrestVersion, catalogueVersion, ok, errors, warnings, infos, files: [{ path, ok, findings }] }\n' +
              examples(
                'chronos config lint /etc/pgbackrest/pgbackrest.conf --pgbackrest-version 2.45',
                "chronos config lint 'deploy/**/pgbackrest.conf' --pgbackrest-version 2.55.1 --strict",
                'chronos --docker chronos-db config lint pgbackrest.conf --json',
                'chronos config lint pgbackrest.conf --pgbackrest-version 2.45 --sarif > lint.sarif',
              ),
          )
          .action(action('config lint', () => import('./commands/config-lint.js')));
      },
    ],
    [
      'doctor',
      () => {
        sub(program, 'doctor', 'check a live deployment against the troubleshooting list, each check with its fix')
          .option('--policy <file>', "check the time zone of this policy's schedules against the host that runs them")
          .addHelpText(
            'after',
            '\nChecks: pgBackRest reachable and its version; pgbackrest.conf linted for it; PostgreSQL reachable with pg1-*, pg1-database exists;\n' +
              'archive_mode, archive_command for this stanza, a pending restart, the archiver; system id against the repository;\n' +
              'each repository reachable and writable (an object written and removed through pgBackRest); the clock against each\n' +
              "S3 endpoint; lock, log and spool paths writable; with --policy, the schedules' time zone against the cron host's.\n" +
              'Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 3 when pgBackRest could not be reached.\n' +
              'JSON result: { stanza, pgbackrestVersion, verdict, checks: [{ id, title, status, detail, fix? }] }\n' +
              examples(
                'chronos --stanza chronos --docker chronos-db doctor',
                'chronos --stanza chronos --docker chronos-db doctor --policy /etc/chronos/policy.json --json',
              ),
          )
          .action(action('doctor', () => import('./commands/doctor.js')));
      },
    ],
    [
      'stanza',
      () => {
        const stanza = sub(program, 'stanza', 'create, upgrade or delete the stanza');
        sub(stanza, 'create', 'create the stanza in every repository (pgBackRest stanza-create)')
          .addHelpText(
            'after',
            `\nExit 1 when pgBackRest refuses.\nJSON result: { stanza, created, errorCode?, reason? }\n${examples('chronos --stanza chronos --docker chronos-db stanza create')}`,
          )
          .action(action('stanza create', () => import('./commands/stanza-create.js')));
        sub(stanza, 'upgrade', 'update the stanza after a PostgreSQL major upgrade (pgBackRest stanza-upgrade)')
          .addHelpText(
            'after',
            `\nExit 1 when pgBackRest refuses.\nJSON result: { stanza, upgraded, errorCode?, reason? }\n${examples('chronos --stanza chronos stanza upgrade')}`,
          )
          .action(action('stanza upgrade', () => import('./commands/stanza-upgrade.js')));
        sub(stanza, 'delete', 'stop the stanza and delete it with all its backups and WAL from every repository')
          .option('--force', 'required: deleting loses every backup of the stanza')
          .option('--yes', 'do not ask (required without a terminal)')
          .addHelpText(
            'after',
            '\nPrints first what will be lost (backups per repository, the recovery window); starts the stanza again when the delete fails.\n' +
              'JSON result: { stanza, deleted, lost: [{ repo, backups, full, diff, incr, earliest, latestBackupStop }] }\n' +
              examples('chronos --stanza chronos --docker chronos-db stanza delete --force --yes'),
          )
          .action(action('stanza delete', () => import('./commands/stanza-delete.js')));
      },
    ],
    [
      'policy',
      () => {
        const policy = sub(program, 'policy', 'backup policy as data');
        sub(policy, 'validate <file>', 'validate a policy document (JSON or YAML)')
          .addHelpText(
            'after',
            '\nExit 0 when valid, 1 listing every issue when not.\nJSON result: { valid, issues: [{ path, message }], policy? }\n' +
              examples('chronos policy validate examples/chronos-policy.json'),
          )
          .action(action('policy validate', () => import('./commands/policy-validate.js')));
        sub(policy, 'compile <file>', 'compile a policy to pgbackrest.conf and schedules')
          .addOption(
            new Option('--format <format>', 'what to print')
              .choices(['conf', 'crontab', 'systemd', 'kubernetes', 'prometheus-rules', 'all'])
              .default('all'),
          )
          .option('--job <name>', 'prometheus-rules: the job label of the exporter scrape target', 'chronos')
          .option(
            '--runbook-base <url>',
            'prometheus-rules: URL of the monitoring guide the runbook links point into',
            'docs/guides/monitoring.md',
          )
          .option('--stale-after <duration>', 'prometheus-rules: age of the exporter data that counts as stale', '15m')
          .addHelpText(
            'after',
            '\nJSON result: { stanza, pgbackrestVersion, config, secrets, postgresql, jobs, schedules, notes }\n' +
              'With --format prometheus-rules: { groups: [{ name, rules: [{ alert, expr, for, labels, annotations }] }], yaml }\n' +
              examples(
                'chronos --stanza main policy compile examples/chronos-policy.json --format conf',
                'chronos policy compile examples/chronos-policy.json --format prometheus-rules > /etc/prometheus/rules/chronos.yml',
              ),
          )
          .action(action('policy compile', () => import('./commands/policy-compile.js')));
        sub(policy, 'schedule <file>', 'list upcoming runs of a policy')
          .option('--from <instant>', 'start from this ISO-8601 instant (default: now)')
          .option('--count <n>', 'how many runs', '10')
          .addHelpText(
            'after',
            '\nJSON result: { runs: [{ kind, type, utc, local }] }\n' +
              examples(
                'chronos policy schedule examples/chronos-policy.json --from 2027-01-04T00:00:00Z --count 7 --json',
              ),
          )
          .action(action('policy schedule', () => import('./commands/policy-schedule.js')));
        sub(policy, 'check <file>', 'evaluate a policy against the live repository (or an info file)')
          .option('--from-file <path>', 'read `pgbackrest info --output=json` from a file')
          .option('--now <instant>', 'evaluate at this ISO-8601 instant (default: now)')
          .option(
            '--verify-report <path>',
            'a deep verify report (JSON): the recovery window ends at its last archived commit; archive lag from its newest WAL',
          )
          .addHelpText(
            'after',
            '\nExit 1 when a finding is critical.\nJSON result: { stanza, now, status, findings: [{ code, severity, message, … }], redundancy }\n' +
              examples('chronos --stanza main policy check examples/chronos-policy.json'),
          )
          .action(action('policy check', () => import('./commands/policy-check.js')));
      },
    ],
    [
      'verify-s3',
      () => {
        sub(program, 'verify-s3', 'verify an S3 repository without pgBackRest (layout, info files, WAL continuity)')
          .requiredOption('--bucket <name>', 'bucket')
          .requiredOption('--region <region>', 'region')
          .option('--endpoint <url>', 'S3 endpoint URL (path style), e.g. https://127.0.0.1:9000')
          .option('--repo-path <path>', 'repository path inside the bucket', '/')
          .option('--ca-file <path>', 'trust this CA certificate (PEM)')
          .option('--no-tls-verify', 'do not check the endpoint certificate (test endpoints only)')
          .option('--cipher-pass-env <name>', 'environment variable holding the repository passphrase')
          .option('--cipher-pass-file <path>', 'file holding the repository passphrase')
          .option('--price-per-gb-month <usd>', 'storage price for the cost estimate')
          .option('--deep', 'also read every backup file and WAL segment (decrypt, decompress, size and SHA-1)')
          .option(
            '--stored-bytes',
            'with --deep: prove a backup file that has a stored checksum by its stored bytes only, as pgbackrest verify does (faster; not decrypted or decompressed)',
          )
          .option(
            '--progress',
            'with --deep: progress on stderr (objects, bytes, rate, ETA); default when stderr is a terminal',
          )
          .option('--no-progress', 'with --deep: no progress lines')
          .addHelpText(
            'after',
            '\nCredentials: the AWS SDK default chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles).\n' +
              'Exit 0 ok, 1 findings, 3 when the repository could not be verified (unreachable, access denied, wrong passphrase).\n' +
              'JSON result: the @chronos/s3-verify report (it carries its own schemaVersion)\n' +
              examples(
                'chronos --stanza main verify-s3 --bucket project-chronos-backups --region ca-central-1 --repo-path /pgbackrest --cipher-pass-env CHRONOS_CIPHER_PASS',
              ),
          )
          .action(action('verify-s3', () => import('./commands/verify-s3.js')));
      },
    ],
    [
      'verify-repo',
      () => {
        sub(
          program,
          'verify-repo',
          'verify a repository in a local directory without pgBackRest (same checks as verify-s3)',
        )
          .requiredOption('--path <dir>', "the repository directory (pgBackRest's repo-path)")
          .option('--cipher-pass-env <name>', 'environment variable holding the repository passphrase')
          .option('--cipher-pass-file <path>', 'file holding the repository passphrase')
          .option('--deep', 'also read every backup file and WAL segment (decrypt, decompress, size and SHA-1)')
          .option(
            '--stored-bytes',
            'with --deep: prove a backup file that has a stored checksum by its stored bytes only, as pgbackrest verify does (faster; not decrypted or decompressed)',
          )
          .option(
            '--progress',
            'with --deep: progress on stderr (objects, bytes, rate, ETA); default when stderr is a terminal',
          )
          .option('--no-progress', 'with --deep: no progress lines')
          .addHelpText(
            'after',
            '\nExit 0 ok, 1 findings, 3 when the repository could not be verified (missing directory, permission denied, wrong passphrase).\n' +
              'JSON result: the @chronos/s3-verify report (it carries its own schemaVersion)\n' +
              examples(
                'chronos --stanza main verify-repo --path /var/lib/pgbackrest --cipher-pass-env CHRONOS_CIPHER_PASS --deep',
              ),
          )
          .action(action('verify-repo', () => import('./commands/verify-repo.js')));
      },
    ],
    [
      'metrics',
      () => {
        sub(program, 'metrics', 'print Prometheus metrics for the repository')
          .option('--from-file <path>', 'read `pgbackrest info --output=json` from a file')
          .option('--policy <file>', 'include the verdicts of this policy')
          .option('--now <instant>', 'evaluate at this ISO-8601 instant (default: now)')
          .addHelpText(
            'after',
            '\nPrints the Prometheus text exposition on stdout (for the node_exporter textfile collector).\n' +
              'JSON result: { now, exposition }\n' +
              examples(
                'chronos --stanza main metrics > /var/lib/node_exporter/textfile/pgbackrest.prom',
                'chronos metrics --from-file info.json --policy examples/chronos-policy.json',
              ),
          )
          .action(action('metrics', () => import('./commands/metrics.js')));
      },
    ],
    [
      'exporter',
      () => {
        sub(
          program,
          'exporter',
          'serve Prometheus metrics over HTTP for one or many stanzas (refreshed in the background)',
        )
          .option(
            '--policy <file>',
            'watch the stanza of this policy and export its verdicts (repeatable)',
            collect,
            [],
          )
          .option('--address <host>', 'address to listen on', '127.0.0.1')
          .option('--port <port>', 'port to listen on', '9847')
          .option('--interval <duration>', 'time between refreshes of a stanza', '60s')
          .option('--timeout <duration>', 'longest a refresh may run before pgBackRest is killed', '30s')
          .option(
            '--drill-report <path>',
            "a drill's JSON report or metrics file, or a directory of them (newest is read)",
          )
          .option(
            '--verify-report <path>',
            'a verify-s3 / verify-repo JSON report, or a directory of them (newest is read)',
          )
          .addHelpText(
            'after',
            '\nServes /metrics (Prometheus text format) and /healthz until SIGTERM or SIGINT. Scrapes are answered from memory:' +
              '\nwhen pgBackRest or a repository does not answer within --timeout, chronos_up and chronos_refresh_success are 0' +
              '\nand chronos_data_age_seconds says how old the data served is. Stanzas: every --stanza and every --policy.\n' +
              'JSON result (after it stops): { url, stanzas }\n' +
              examples(
                'chronos --stanza main --user postgres exporter',
                'chronos --user postgres exporter --policy /etc/chronos/main.policy.json --verify-report /var/lib/chronos/verify',
                'chronos --stanza main --stanza reporting exporter --port 9847 --interval 2m --timeout 45s',
              ),
          )
          .action(action('exporter', () => import('./commands/exporter.js')));

        sub(
          program,
          'demo',
          'run a throwaway PostgreSQL + pgBackRest + S3 stack through backups, verification and a PITR drill',
        )
          .addOption(
            new Option('--engine <engine>', 'where PostgreSQL runs')
              .choices(['auto', 'native', 'container'])
              .default('auto'),
          )
          .option('--keep', 'keep the stack and its files after the demo')
          .option(
            '--install-packages',
            'as root, install missing PostgreSQL 15 / pgBackRest with apt-get (without it the demo asks on a terminal)',
          )
          .addHelpText('after', examples('chronos demo', 'chronos demo --engine container --keep'))
          .action(action('demo', () => import('./commands/demo.js')));
      },
    ],
  ];
  const named = registrars.some(([name]) => name === only);
  for (const [name, register] of registrars) if (!named || name === only) register();
}

/**
 * Runs the CLI on `argv` (without node and script) and resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: string[]): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.Ok;
  const program = buildProgram(
    process.env,
    (code) => {
      exitCode = code;
    },
    argv,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0;
      return ok ? ExitCode.Ok : ExitCode.Usage;
    }
    throw error;
  }
  return exitCode;
}
