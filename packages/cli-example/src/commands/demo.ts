import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeInfo, type Info, type OptionMap } from '@chronos/pgbackrest';
import { compilePolicy, validatePolicy } from '@chronos/pgbackrest/policy';
import {
  type PgBackRestStack,
  type RepoSpec,
  type S3Endpoint,
  startContainerStack,
  startNativeStack,
  startS3Endpoint,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { exitCodeFor, summarizeReport, verifyRepository } from '@chronos/s3-verify';
import referencePolicy from '../../../../examples/chronos-policy.json' with { type: 'json' };
import type { CommandContext, CommandOutcome } from '../context.js';
import { proveDrill, writeDrillMarkers } from '../demo/drill.js';
import { chooseEngine, type Engine } from '../demo/engine.js';
import { stackOptionsFromPolicy } from '../demo/policy.js';
import { ExitCode } from '../exit-codes.js';
import { renderTable } from '../output/table.js';
import { formatDuration } from '../output/units.js';
import { openClient } from '../pgbackrest.js';
import { runBackup } from './backup.js';
import { evaluate, renderEvaluation } from './policy-check.js';
import { renderStatus, stanzaStatusJson } from './status.js';

const DRILL_ROWS = 1_000;

interface StepRecord {
  name: string;
  seconds: number;
  detail: string;
}

/** Settles like `work`, or rejects with the abort reason as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The reference policy, pointed at the throwaway S3 endpoint and posix repository of the demo stack. */
function localPolicy(s3: S3Endpoint, s3Path: string, posixPath: string) {
  const document = structuredClone(referencePolicy) as typeof referencePolicy & {
    repositories: Array<Record<string, unknown>>;
  };
  for (const repo of document.repositories) {
    if (repo['type'] === 's3') {
      Object.assign(repo, {
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.host,
        port: s3.port,
        uriStyle: 'path',
        path: s3Path,
      });
    } else {
      repo['path'] = posixPath;
    }
  }
  return validatePolicy(document);
}

/** `chronos demo`: a throwaway stack through the product's main job, ending in a proven point-in-time restore. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const started = Date.now();
  const keep = options['keep'] === true;
  const c = context.colours;
  const steps: StepRecord[] = [];
  const { signal } = context;
  const step = async <T>(name: string, work: () => Promise<T>, detail: (value: T) => string = () => ''): Promise<T> => {
    signal.throwIfAborted();
    context.progress(c.dim(`→ ${name}`));
    const t0 = Date.now();
    const value = await untilAborted(work(), signal);
    const record = { name, seconds: Math.round((Date.now() - t0) / 100) / 10, detail: detail(value) };
    steps.push(record);
    context.progress(
      `${c.green('✓')} ${name} (${record.seconds} s)${record.detail === '' ? '' : `: ${record.detail}`}`,
    );
    return value;
  };

  const engine: Engine = await step(
    'choose engine',
    () =>
      chooseEngine(options['engine'] as 'auto' | Engine, context.progress, {
        allowed: options['installPackages'] === true,
        ...(context.interactive ? { confirm: context.confirm } : {}),
      }),
    (e) => e,
  );
  const cipherPass = randomBytes(24).toString('base64url');
  context.addSecret(cipherPass);

  const baseline = validatePolicy(structuredClone(referencePolicy));
  const stanza = baseline.stanza;
  const applied = stackOptionsFromPolicy(compilePolicy(baseline, { stanza }));
  const s3Repo = baseline.repositories.findIndex((r) => r.type === 's3') + 1;
  const s3Path = `/${stanza}-demo-${randomBytes(3).toString('hex')}`;

  let s3: S3Endpoint | undefined;
  let stack: PgBackRestStack | undefined;
  // Starts still running when Ctrl-C ends their step: stopped in `finally` once they settle.
  const starts: Array<Promise<{ stop(): Promise<void> }>> = [];
  const tracked = <T extends { stop(): Promise<void> }>(start: Promise<T>): Promise<T> => {
    starts.push(start);
    return start;
  };
  const onStep = () => signal.throwIfAborted();
  try {
    const s3Directory = keep ? await mkdtemp(join(tmpdir(), 'chronos-demo-s3-')) : undefined;
    s3 = await step(
      'start TLS S3 endpoint',
      () =>
        tracked(
          startS3Endpoint({
            bucket: 'project-chronos-backups',
            region: 'ca-central-1',
            ...(s3Directory === undefined ? {} : { directory: s3Directory }),
            onStep,
          }),
        ),
      (e) => `${e.url}/${e.bucket}`,
    );
    context.addSecret(s3.secretAccessKey);
    const endpoint = s3;
    const repos: RepoSpec[] = baseline.repositories.map((repo, i) => {
      const index = i + 1;
      const common = { encrypted: applied.encrypted.has(index), options: applied.repos[index] ?? {} };
      return repo.type === 's3' ? { type: 's3', endpoint, path: s3Path, ...common } : { type: 'posix', ...common };
    });
    const stackOptions = { stanza, repos, cipherPass, options: applied.global, onStep };
    stack = await step(
      `start PostgreSQL + pgBackRest (${engine})`,
      () => tracked(engine === 'native' ? startNativeStack(stackOptions) : startContainerStack(stackOptions)),
      (s) => `PostgreSQL ${s.pgVersion}, pgBackRest ${s.pgBackRestVersion}, port ${s.pg.port}`,
    );
    const live = stack;
    const policy = localPolicy(endpoint, s3Path, live.repoPaths[0] ?? '/var/lib/pgbackrest');

    const secrets: OptionMap = Object.fromEntries(
      live.repos.flatMap((r) => [
        ...(r.encrypted ? [[`repo${r.index}-cipher-pass`, cipherPass]] : []),
        ...(r.type === 's3'
          ? [
              [`repo${r.index}-s3-key`, endpoint.accessKeyId],
              [`repo${r.index}-s3-key-secret`, endpoint.secretAccessKey],
            ]
          : []),
      ]),
    );
    const session = openClient({
      stanza,
      config: live.configPath,
      transport:
        live.transport.kind === 'native'
          ? { kind: 'local', runAs: { user: live.transport.user } }
          : { kind: 'docker', container: live.transport.containerName, user: live.transport.user },
      options: secrets,
      signal: context.signal,
    });

    await step('stanza-create', () => session.run('stanza-create'));
    // pgBackRest backs up to one repository per run: the policy wants every repository to hold each backup type.
    const backupEach = async (type: 'full' | 'diff') => {
      const labels: string[] = [];
      for (const repo of live.repos) {
        const done = await step(
          `${type} backup → repo${repo.index} (${repo.type})`,
          () => runBackup(session, type, context, { repo: repo.index }),
          (b) => b.label ?? '',
        );
        labels.push(done.label ?? '?');
      }
      return labels;
    };
    const full = await backupEach('full');
    await step(
      'write data',
      () => writeRows(live, 20_000),
      (n) => `${n} rows in chronos_data`,
    );
    const diff = await backupEach('diff');
    const markers = await step(
      'write rows before and after a target instant',
      () => writeDrillMarkers(live, DRILL_ROWS),
      (m) => `target ${m.target}`,
    );
    await step('check (WAL switch archived)', () => session.run('check'));

    const now = new Date();
    const info: Info = await session.info();
    const analysis = analyzeInfo(info, { now });
    const analysed = analysis.stanzas[0];
    if (analysed === undefined) throw new Error(`pgBackRest reports no stanza ${stanza}`);
    const evaluation = evaluate(policy, info, now, stanza);
    context.progress(`\n${renderStatus(analysed, c)}\n\n${renderEvaluation(evaluation, c)}\n`);

    const report = await step(
      's3-verify (independent of pgBackRest)',
      () =>
        verifyRepository({
          bucket: endpoint.bucket,
          region: endpoint.region,
          endpoint: endpoint.url,
          forcePathStyle: true,
          tls: { caCert: endpoint.caCert },
          credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
          repoPath: s3Path,
          stanzas: [stanza],
          cipherPassphrase: { value: cipherPass },
          signal,
        }),
      (r) => r.outcome,
    );
    context.progress(`\n${summarizeReport(report)}\n`);

    const drill = await step(
      'restore drill to the target instant (runRestoreDrill: restore, start, recover, check, clean up)',
      () =>
        proveDrill(live, markers, {
          keep,
          signal: context.signal,
          onProgress: (line) => context.progress(c.dim(`  ${line}`)),
        }),
      (d) =>
        `set ${d.report.set} from repo${d.report.repo}: ${d.rowsBefore} rows before the target, ${d.rowsAfter ?? 'some'} after; RTO ${d.report.timings.rtoSeconds} s`,
    );
    const drillOk = drill.proven && drill.rowsBefore === markers.rows && drill.rowsAfter === 0;
    const s3Ok = exitCodeFor(report) === 0;
    const totalSeconds = Math.round((Date.now() - started) / 100) / 10;
    const verdict = drillOk && s3Ok ? c.green('demo passed') : c.red('demo found problems');
    const text = [
      '',
      c.bold('chronos demo report'),
      `  engine ${engine}: PostgreSQL ${live.pgVersion}, pgBackRest ${live.pgBackRestVersion}, stanza ${stanza}`,
      `  policy: examples/chronos-policy.json applied (repo${s3Repo} s3 → ${endpoint.url}/${endpoint.bucket}${s3Path}); evaluation ${evaluation.status}, ${evaluation.findings.length} finding(s)`,
      `  backups: full ${full.join(', ')}; diff ${diff.join(', ')}`,
      `  s3-verify: ${report.outcome} (${report.findings.length} finding(s))`,
      `  PITR drill to ${markers.target}: ${drill.rowsBefore}/${markers.rows} rows before present, ${drill.rowsAfter === 0 ? 'no' : 'some'} rows after present → ${drillOk ? c.green('proven') : c.red('NOT proven')}`,
      '',
      renderTable([['step', 'seconds', ''], ...steps.map((s) => [s.name, s.seconds.toFixed(1), s.detail])])
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
      '',
      `  total ${formatDuration(totalSeconds)} (${totalSeconds} s) — ${verdict}`,
      ...(keep
        ? [
            '',
            '  kept (--keep):',
            `    PostgreSQL: psql -h 127.0.0.1 -p ${live.pg.port} -U postgres (${live.kind}, data ${live.pg.dataPath})`,
            ...(drill.report.kept === undefined
              ? []
              : [
                  `    restored drill cluster: ${drill.report.kept.connect}`,
                  `      remove with: ${drill.report.kept.remove}`,
                ]),
            `    pgbackrest.conf: ${live.configPath}`,
            `    S3 objects: ${endpoint.directory}`,
          ]
        : []),
    ].join('\n');
    return {
      exitCode: drillOk && s3Ok ? ExitCode.Ok : ExitCode.Findings,
      result: {
        engine,
        stanza,
        pgVersion: live.pgVersion,
        pgBackRestVersion: live.pgBackRestVersion,
        steps,
        backups: { full, diff },
        status: stanzaStatusJson(analysed),
        policy: { status: evaluation.status, findings: evaluation.findings },
        s3Verify: { outcome: report.outcome, findings: report.findings },
        drill: {
          target: markers.target,
          backup: drill.report.set,
          repo: drill.report.repo,
          rowsBefore: drill.rowsBefore,
          rowsAfter: drill.rowsAfter,
          checks: drill.report.checks,
          timings: drill.report.timings,
          expectedBefore: markers.rows,
          proven: drillOk,
        },
        kept: keep,
        totalSeconds,
      },
      text,
    };
  } finally {
    for (const late of await Promise.all(starts.map((start) => start.catch(() => undefined)))) {
      if (late !== undefined && late !== stack && late !== s3) await late.stop().catch(() => undefined);
    }
    if (!keep) {
      await stack?.stop().catch(() => undefined);
      await s3?.stop().catch(() => undefined);
    } else {
      await s3?.stop().catch(() => undefined);
    }
  }
}
