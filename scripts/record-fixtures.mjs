#!/usr/bin/env node
// Records real pgBackRest output for the parsers' unit tests, on each chronos-pg image:
// an encrypted S3 repository (repo1) and a posix repository (repo2), full/diff/incr backups on
// both, then info, verify, expire --dry-run, version and a few failures, into
// packages/core/test/fixtures/recorded/<pgbackrest version>/.
//
//   scripts/stack/prepare.sh                       # engine + images
//   pnpm --filter @chronos/pgbackrest build        # this script uses the built testing module
//   node scripts/record-fixtures.mjs [image …]     # default: the three chronos-pg images
//   node scripts/record-fixtures.mjs --only=progress [image …]
//                                                  # only info --detail-level=progress (info-progress*.*), into the
//                                                  # existing folder, on a smaller scenario of its own
//
// Passphrases are random throwaways; every recorded file is checked not to contain them.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// No registry serves testcontainers' reaper image on the machines this project records on.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
const testing = await import(join(root, 'packages/core/dist/testing/index.js')).catch((cause) => {
  throw new Error('build the core package first: pnpm --filter @chronos/pgbackrest build', { cause });
});
const { startContainerStack, startS3Endpoint, writeRows, switchWal, createRestorePoint } = testing;

const progressOnly = process.argv.includes('--only=progress');
const imageArgs = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const images = imageArgs.length ? imageArgs : ['chronos-pg:15-2.45', 'chronos-pg:17-2.55.1', 'chronos-pg:18-2.60.0'];
const stanza = 'demo';

function log(...parts) {
  console.log(new Date().toISOString().slice(11, 19), ...parts);
}

async function record(image) {
  const cipherPass = `throwaway-${randomBytes(12).toString('hex')}`;
  const s3 = await startS3Endpoint({ bucket: 'recordings' });
  let stack;
  try {
    stack = await startContainerStack({
      image,
      stanza,
      repos: [{ type: 's3', endpoint: s3, path: '/chronos', cipherPass }, { type: 'posix' }],
      options: { 'start-fast': 'y', 'compress-type': 'gz', 'archive-timeout': '60' },
    });
    if (progressOnly) await recordProgressOnly(image, stack, cipherPass);
    else await recordOn(image, stack, cipherPass);
  } finally {
    await stack?.stop();
    await s3.stop();
  }
}

async function recordOn(image, stack, cipherPass) {
  const secrets = [cipherPass];
  const version = stack.pgBackRestVersion;
  const target = join(root, 'packages/core/test/fixtures/recorded', version);
  // Record into a sibling folder and swap at the end, so a failed run leaves the old recording.
  const out = `${target}.recording`;
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  log(image, `PostgreSQL ${stack.pgVersion}, pgBackRest ${version} → ${target}`);

  const pgbackrest = (args, options = {}) => stack.exec('pgbackrest', args, { timeout: 300_000, ...options });
  const must = async (args, options) => {
    const result = await pgbackrest(args, options);
    if (result.exitCode !== 0) throw new Error(`pgbackrest ${args.join(' ')} → ${result.exitCode}: ${result.stderr}`);
    return result;
  };
  const files = {};
  const save = async (name, text) => {
    for (const secret of secrets) {
      if (text.includes(secret)) throw new Error(`${name} would record a secret; not written`);
    }
    files[name] = text.length;
    await writeFile(join(out, name), text);
  };
  const st = `--stanza=${stanza}`;

  await must([st, 'stanza-create']);
  await must([st, 'check']);
  const labels = {};
  for (const [type, rows] of [
    ['full', 5_000],
    ['diff', 2_000],
    ['incr', 1_000],
  ]) {
    await writeRows(stack, rows);
    await switchWal(stack);
    for (const repo of [1, 2]) {
      await must([st, `--repo=${repo}`, `--type=${type}`, 'backup']);
    }
    log(image, `${type} backups done`);
  }
  await createRestorePoint(stack, 'recorded-restore-point');
  await switchWal(stack);
  await writeRows(stack, 500);
  await must([st, '--repo=2', '--type=full', 'backup']);
  await switchWal(stack);

  const infoText = (await must([st, '--output=json', 'info'])).stdout;
  await save('info.json', infoText);
  for (const backup of JSON.parse(infoText)[0].backup) {
    const key = backup.database['repo-key'];
    labels[key] = [...(labels[key] ?? []), backup];
  }
  const diff = labels[1].find((b) => b.type === 'diff');
  await save('info-set.json', (await must([st, '--repo=1', `--set=${diff.label}`, '--output=json', 'info'])).stdout);
  await save('info-text.txt', (await must([st, 'info'])).stdout);

  const version1 = await must(['version']);
  await save('version.txt', version1.stdout);
  const versionNum = await pgbackrest(['version', '--output=num']);
  if (versionNum.exitCode === 0) await save('version-num.txt', versionNum.stdout);

  const retention = { repo: 2, options: { 'repo2-retention-full': '1' } };
  const expire = await must([
    st,
    '--repo=2',
    '--repo2-retention-full=1',
    '--dry-run',
    '--log-level-console=info',
    'expire',
  ]);
  await save('expire-dry-run.txt', expire.stdout);
  await save('expire-dry-run.json', `${JSON.stringify(retention, null, 2)}\n`);

  await save('verify.txt', (await must([st, '--output=text', 'verify'])).stdout);
  await save('verify-verbose.txt', (await must([st, '--output=text', '--verbose', 'verify'])).stdout);

  const errors = [];
  const failure = async (what, args, options) => {
    const result = await pgbackrest(args, options);
    if (result.exitCode === 0) throw new Error(`expected ${what} to fail: pgbackrest ${args.join(' ')}`);
    const name = `error-${result.exitCode}.txt`;
    if (files[name] !== undefined) return log(`${what}: exit code ${result.exitCode} already recorded`);
    // Errors raised before the configuration is loaded go to the console (stdout), the others to stderr.
    const stream = result.stderr.trim() === '' ? 'stdout' : 'stderr';
    await save(name, result[stream]);
    errors.push({ file: name, what, args, exitCode: result.exitCode, stream });
  };
  await failure('a stanza that is not configured', ['--stanza=missing', 'check']);
  await failure('an option that does not exist', [st, '--no-such-option', 'info']);
  await failure('an invalid option value', [st, '--type=weekly', 'backup']);
  await failure('a restore while PostgreSQL runs', [st, '--repo=2', 'restore']);
  await failure('a wrong repository passphrase', [st, '--repo=1', 'backup'], {
    env: { PGBACKREST_REPO1_CIPHER_PASS: 'wrong-throwaway' },
  });
  const first = pgbackrest([st, '--repo=2', '--type=full', 'backup']);
  await new Promise((resolve) => setTimeout(resolve, 700));
  await failure('a backup while another holds the lock', [st, '--repo=2', '--type=full', 'backup']).catch((error) =>
    log(image, `lock conflict not recorded: ${error.message}`),
  );
  await first;
  await save('errors.json', `${JSON.stringify(errors, null, 2)}\n`);

  // Damage the posix repository: a WAL segment the oldest full needs, and one file of that backup.
  const repo2 = stack.repos.find((r) => r.type === 'posix').hostPath;
  const oldest = labels[2].find((b) => b.type === 'full');
  const archiveRoot = join(repo2, 'archive', stanza);
  const archiveId = (await readdir(archiveRoot)).find((d) => /^\d+-\d+$/.test(d));
  const wanted = oldest.archive.start;
  const walDir = join(archiveRoot, archiveId, wanted.slice(0, 16));
  const segment = (await readdir(walDir)).find((f) => f.startsWith(`${wanted}-`));
  await unlink(join(walDir, segment));
  const backupFile = await findFile(join(repo2, 'backup', stanza, oldest.label, 'pg_data'), /^PG_VERSION/);
  await unlink(backupFile);
  await save('verify-error.txt', (await must([st, '--repo=2', '--output=text', 'verify'])).stdout);
  await save('verify-error-verbose.txt', (await must([st, '--repo=2', '--output=text', '--verbose', 'verify'])).stdout);
  const deleted = [segment, `${oldest.label}/${backupFile.split(`${oldest.label}/`)[1]}`];
  await save('verify-error.json', `${JSON.stringify({ repo: 2, deleted }, null, 2)}\n`);
  await recordProgress(image, stack, save);
  await rm(target, { recursive: true, force: true });
  await rename(out, target);
  log(image, `recorded ${Object.keys(files).length} files`);
}

function versionAtLeast(version, wanted) {
  const [a, b] = [version, wanted].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

// info --detail-level=progress (2.56+): idle, then (after 100,000 more rows, so the backup runs for a while) during a
// full backup to the S3 repository (repo1), the first poll whose backup lock reports bytes done. Runs last in a full
// recording. Before 2.56 the option's error output is recorded instead.
async function recordProgress(image, stack, save) {
  const st = `--stanza=${stanza}`;
  const pgbackrest = (args) => stack.exec('pgbackrest', args, { timeout: 300_000 });
  const progressArgs = [st, '--output=json', '--detail-level=progress', 'info'];
  if (!versionAtLeast(stack.pgBackRestVersion, '2.56')) {
    const refused = await pgbackrest(progressArgs);
    if (refused.exitCode === 0) throw new Error('expected info --detail-level=progress to fail before 2.56');
    const stream = refused.stderr.trim() === '' ? 'stdout' : 'stderr';
    await save('info-progress-unsupported.txt', refused[stream]);
    log(image, `info --detail-level=progress refused (exit ${refused.exitCode}, ${stream})`);
    return;
  }
  await writeRows(stack, 100_000);
  await switchWal(stack);
  const idle = await pgbackrest(progressArgs);
  if (idle.exitCode !== 0) throw new Error(`info --detail-level=progress → ${idle.exitCode}: ${idle.stderr}`);
  await save('info-progress.json', idle.stdout);

  let running = true;
  const backup = pgbackrest([st, '--repo=1', '--type=full', 'backup']).finally(() => {
    running = false;
  });
  let during;
  while (during === undefined && running) {
    const polled = await pgbackrest(progressArgs);
    const lock = polled.exitCode === 0 ? JSON.parse(polled.stdout)[0]?.status?.lock?.backup : undefined;
    if (lock?.held && (lock['size-cplt'] ?? 0) > 0) during = polled;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const finished = await backup;
  if (finished.exitCode !== 0)
    throw new Error(`backup during progress recording → ${finished.exitCode}: ${finished.stderr}`);
  if (during === undefined) throw new Error('the backup finished before its lock reported progress; record again');
  await save('info-progress-backup.json', during.stdout);
  log(image, 'info --detail-level=progress recorded idle and during a backup');
}

// --only=progress: a fresh stanza on both repositories, then recordProgress.
async function recordProgressOnly(image, stack, cipherPass) {
  const target = join(root, 'packages/core/test/fixtures/recorded', stack.pgBackRestVersion);
  await mkdir(target, { recursive: true });
  const files = {};
  const save = async (name, text) => {
    if (text.includes(cipherPass)) throw new Error(`${name} would record a secret; not written`);
    files[name] = text.length;
    await writeFile(join(target, name), text);
  };
  log(image, `PostgreSQL ${stack.pgVersion}, pgBackRest ${stack.pgBackRestVersion} → ${target} (progress only)`);
  const result = await stack.exec('pgbackrest', [`--stanza=${stanza}`, 'stanza-create'], { timeout: 300_000 });
  if (result.exitCode !== 0) throw new Error(`stanza-create → ${result.exitCode}: ${result.stderr}`);
  await recordProgress(image, stack, save);
  log(image, `recorded ${Object.keys(files).join(', ')}`);
}

async function findFile(dir, pattern) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = await findFile(path, pattern).catch(() => undefined);
      if (found) return found;
    } else if (pattern.test(entry.name)) return path;
  }
  throw new Error(`no file matching ${pattern} under ${dir}`);
}

for (const image of images) await record(image);
