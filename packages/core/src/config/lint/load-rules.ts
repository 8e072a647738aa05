import type { Catalogue } from '../../catalogue/index.js';
import type { OptionLine, RunEvent, SimulatedRun } from './simulate-command.js';
import { parseStrictInteger, parseTime } from './value-grammar.js';

/**
 * Compression level ranges pgBackRest checks in code before 2.60 (from 2.60 its definitions carry them). The same
 * numbers in every release from 2.45.
 */
const COMPRESS_LEVEL_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  bz2: [1, 9],
  gz: [-1, 9],
  lz4: [-5, 12],
  zst: [-7, 22],
};

function fromFile(run: SimulatedRun, name: string, index?: number): OptionLine | undefined {
  const value = run.value(name, index);
  return value?.source === 'config' ? value.line : undefined;
}

function repoName(index: number, option: string): string {
  return `repo${index}-${option}`;
}

/**
 * The checks pgBackRest makes in code once every option is read (its `cfgLoadUpdateOption`), not in its option
 * definitions: timeouts that must relate, hosts that cannot both be remote, local repositories sharing a path, an S3
 * bucket name TLS cannot verify, compression levels per type, and the retention warnings of `backup` and `expire`.
 */
export function loadRuleEvents(run: SimulatedRun, catalogue: Catalogue, version: string): RunEvent[] {
  const events: RunEvent[] = [];
  const error = (line: OptionLine, option: string, kind: RunEvent['kind'], message: string, fix: string) =>
    events.push({ level: 'error', kind, line, at: 'value', option, message, fix });

  const targetTime = fromFile(run, 'repo-target-time');
  if (targetTime) {
    error(
      targetTime,
      'repo-target-time',
      'conflicting-options',
      'repo-target-time needs the repo option, which only the command line can give; pgBackRest refuses it in a file.',
      'Remove repo-target-time from the file and pass --repo-target-time with --repo=<n> on the command line.',
    );
  }

  const protocol = fromFile(run, 'protocol-timeout');
  const db = fromFile(run, 'db-timeout');
  if (protocol && db) {
    const [p, d] = [parseTime(protocol.value, version), parseTime(db.value, version)];
    if (p !== undefined && d !== undefined && p <= d) {
      error(
        protocol,
        'protocol-timeout',
        'invalid-combination',
        `protocol-timeout (${protocol.value}) must be greater than db-timeout (${db.value}); pgBackRest refuses the pair.`,
        `Raise protocol-timeout above ${db.value} (pgBackRest's defaults keep it 30 s above db-timeout), or lower db-timeout.`,
      );
    }
  }

  if (run.valid('pg-host') && run.valid('repo-host')) {
    const pgHost = run.pgIndexes.map((i) => fromFile(run, 'pg-host', i)).find((l) => l !== undefined);
    const repoHost = run.repoIndexes.map((i) => fromFile(run, 'repo-host', i)).find((l) => l !== undefined);
    if (pgHost && repoHost) {
      error(
        repoHost,
        repoHost.key,
        'conflicting-options',
        'pg and repo hosts cannot both be remote; pgBackRest refuses a file that sets both for one stanza.',
        'Keep pg-host on the repository host and repo-host on the database hosts, in separate files.',
      );
    }
  }

  if (run.repoIndexes.length > 1) {
    const local = run.repoIndexes.filter(
      (i) => !run.value('repo-host', i) && ['posix', 'cifs'].includes(run.value('repo-type', i)?.value ?? ''),
    );
    for (const [position, a] of local.entries()) {
      for (const b of local.slice(position + 1)) {
        const [pathA, pathB] = [run.value('repo-path', a)?.value, run.value('repo-path', b)?.value];
        if (
          pathA !== undefined &&
          pathA === pathB &&
          run.value('repo-type', a)?.value === run.value('repo-type', b)?.value
        ) {
          const line = fromFile(run, 'repo-path', b) ?? fromFile(run, 'repo-path', a);
          if (line) {
            error(
              line,
              repoName(b, 'path'),
              'conflicting-options',
              `repo${a} and repo${b} are local repositories with the same path '${pathA}'; pgBackRest refuses that.`,
              `Give repo${b}-path its own directory.`,
            );
          }
        }
      }
    }
  }

  for (const index of run.repoIndexes) {
    const bucket = run.value('repo-s3-bucket', index);
    if (bucket?.value?.includes('.') && run.value('repo-storage-verify-tls', index)?.value === 'true' && bucket.line) {
      error(
        bucket.line,
        repoName(index, 's3-bucket'),
        'invalid-value',
        `S3 bucket '${bucket.value}' has dots, which TLS verification of virtual-host addresses cannot match; pgBackRest refuses it.`,
        `Use a bucket name without dots, or repo${index}-s3-uri-style=path with repo${index}-storage-verify-tls=n only for a trusted endpoint.`,
      );
    }
  }

  if (run.valid('repo-sftp-host-key-check-type')) {
    for (const index of run.repoIndexes) {
      const checkType = run.value('repo-sftp-host-key-check-type', index);
      if (checkType === undefined) continue;
      const fingerprint = fromFile(run, 'repo-sftp-host-fingerprint', index);
      const name = repoName(index, 'sftp-host-fingerprint');
      if (fingerprint && checkType.source === 'config' && checkType.value !== 'fingerprint') {
        error(
          fingerprint,
          name,
          'conflicting-options',
          `${name} applies only with ${repoName(index, 'sftp-host-key-check-type')}=fingerprint; pgBackRest refuses it with ${checkType.value}.`,
          `Set ${repoName(index, 'sftp-host-key-check-type')}=fingerprint, or remove ${name}.`,
        );
      } else if (fingerprint && checkType.source === 'default') {
        events.push({
          level: 'warning',
          kind: 'deprecated-option',
          line: fingerprint,
          at: 'key',
          option: name,
          message: `${name} without ${repoName(index, 'sftp-host-key-check-type')}=fingerprint is deprecated; pgBackRest warns.`,
          fix: `Add ${repoName(index, 'sftp-host-key-check-type')}=fingerprint.`,
        });
      } else if (!fingerprint && checkType.value === 'fingerprint' && checkType.line) {
        error(
          checkType.line,
          name,
          'missing-option',
          `${name} is required with ${repoName(index, 'sftp-host-key-check-type')}=fingerprint; pgBackRest refuses to run without it.`,
          `Add ${name}=<the host key's fingerprint>.`,
        );
      }
    }
  }

  const level = fromFile(run, 'compress-level');
  const type = run.value('compress-type')?.value;
  const definition = catalogue.options.get('compress-level');
  if (level && type && type !== 'none' && !definition?.allowRangeFor) {
    const range = COMPRESS_LEVEL_RANGE[type];
    const number = parseStrictInteger(level.value);
    if (range && number !== undefined && (number < BigInt(range[0]) || number > BigInt(range[1]))) {
      error(
        level,
        'compress-level',
        'out-of-range',
        `compress-level=${level.value} is outside ${range[0]}..${range[1]} for compress-type=${type}; pgBackRest refuses it.`,
        `Use a level from ${range[0]} to ${range[1]} for ${type}.`,
      );
    }
  }

  const compress = fromFile(run, 'compress');
  const compressType = fromFile(run, 'compress-type');
  if (compress && compressType) {
    events.push({
      level: 'warning',
      kind: 'conflicting-options',
      line: compress,
      at: 'key',
      option: 'compress',
      message:
        "compress and compress-type are both set; pgBackRest warns and uses compress-type ('compress' is deprecated).",
      fix: 'Remove compress.',
    });
  }

  if (run.valid('repo-retention-full-type')) {
    for (const index of run.repoIndexes) {
      if (run.value('repo-retention-full', index) === undefined) {
        const anchor = fromFile(run, 'repo-path', index) ?? fromFile(run, 'repo-type', index) ?? run.anchor;
        if (anchor) {
          events.push({
            level: 'warning',
            kind: 'retention-not-set',
            line: anchor,
            at: 'key',
            option: repoName(index, 'retention-full'),
            message: `repo${index}-retention-full is not set: backups and WAL in repo${index} are never expired (pgBackRest warns at every backup and expire).`,
            fix: `Set repo${index}-retention-full (e.g. 2 full backups, or days with repo${index}-retention-full-type=time).`,
          });
        }
      }
    }
  }
  return events;
}
