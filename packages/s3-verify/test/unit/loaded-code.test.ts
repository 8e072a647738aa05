import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@chronos/pgbackrest/testing';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
// Inside the package, so the bundle's dependencies resolve from its node_modules, as the published build's do.
const outDir = join(packageDir, 'node_modules', '.cache', `loaded-code-${process.pid}`);
const recorded = fileURLToPath(new URL('../fixtures/repo/plain/', import.meta.url));
const repo = join(outDir, 'repo');
const segment = '000000010000000000000002-e326767519dacf1c89abb81b66d73f2baddfaf65.gz';

/** A small repository of the recorded stanza `fx`: its info files (and copies) and one WAL segment. */
function layOutRepository(): void {
  const walDir = join(repo, 'archive/fx/15-1/0000000100000000');
  mkdirSync(walDir, { recursive: true });
  mkdirSync(join(repo, 'backup/fx'), { recursive: true });
  for (const file of ['archive.info', 'archive.info.copy'])
    copyFileSync(join(recorded, file), join(repo, 'archive/fx', file));
  for (const file of ['backup.info', 'backup.info.copy'])
    copyFileSync(join(recorded, file), join(repo, 'backup/fx', file));
  copyFileSync(join(recorded, `segment-${segment}`), join(walDir, segment));
}

// Counts the AWS SDK's modules loaded so far after each step: the SDK is CommonJS, so each is in require.cache.
const probe = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const sdkModules = () => Object.keys(require.cache).filter((file) => /[\\\\/]@(aws-sdk|smithy)[\\\\/]/.test(file)).length;
const steps = {};
const library = await import(process.argv[2]);
steps.imported = sdkModules();
const local = await library.verifyRepository({ path: process.argv[3], deep: true });
steps.posix = { stanzas: local.stanzas.map((s) => s.name), segments: local.stanzas[0]?.deep?.segments, sdkModules: sdkModules() };
const remote = await library.verifyRepository({
  bucket: 'chronos', region: 'ca-central-1', endpoint: 'https://127.0.0.1:1',
  credentials: { accessKeyId: 'A', secretAccessKey: 'B' }, maxAttempts: 1, timeoutMs: 5000,
});
steps.s3 = { access: remote.access, sdkModules: sdkModules() };
process.stdout.write(JSON.stringify(steps));
`;

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  layOutRepository();
  writeFileSync(join(outDir, 'probe.mjs'), probe);
  await build({
    entryPoints: [join(packageDir, 'src/index.ts')],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('what the library loads', () => {
  it('importing it and verifying a local path leave the AWS SDK unloaded; an S3 verification loads it', async () => {
    const run = await runProcess({
      file: process.execPath,
      args: [join(outDir, 'probe.mjs'), join(outDir, 'index.mjs'), repo],
      env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
      timeout: 60_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const steps = JSON.parse(run.stdout) as {
      imported: number;
      posix: { stanzas: string[]; segments: number; sdkModules: number };
      s3: { access: { ok: boolean; code?: string }; sdkModules: number };
    };
    expect(steps.imported).toBe(0);
    expect(steps.posix.stanzas).toEqual(['fx']);
    expect(steps.posix.segments).toBe(1);
    expect(steps.posix.sdkModules).toBe(0);
    expect(steps.s3.access).toMatchObject({ ok: false, code: 'unreachable' });
    expect(steps.s3.sdkModules).toBeGreaterThan(0);
  });
});
