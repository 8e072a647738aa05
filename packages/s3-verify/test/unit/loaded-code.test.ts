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

// After each step, how many of the AWS SDK's modules are loaded (the SDK is CommonJS, so each is in require.cache;
// when the SDK is bundled into the library's chunks, none ever is), and which packages the library has imported, as
// Node's module resolution hook saw them. The S3 endpoint is a closed loopback port.
const hooks = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, resolved.url + '\\n');
  return resolved;
}
`;
const probe = `
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
const require = createRequire(import.meta.url);
const [library, schema, repo, log] = process.argv.slice(2);
writeFileSync(log, '');
register(pathToFileURL(process.argv[1].replace(/probe\\.mjs$/, 'hooks.mjs')), { data: { log } });
const sdkModules = () => Object.keys(require.cache).filter((file) => /[\\\\/]@(aws-sdk|smithy)[\\\\/]/.test(file)).length;
const packages = () => [...new Set(readFileSync(log, 'utf8').split('\\n').map((url) => /.*\\/node_modules\\/((?:@[^/]+\\/)?[^/.][^/]*)\\//.exec(url)?.[1]).filter(Boolean))].sort();
const steps = {};
const verifier = await import(library);
steps.imported = { sdkModules: sdkModules(), packages: packages() };
const local = await verifier.verifyRepository({ path: repo, deep: true });
steps.posix = { stanzas: local.stanzas.map((s) => s.name), segments: local.stanzas[0]?.deep?.segments, sdkModules: sdkModules(), packages: packages() };
const s3 = { bucket: 'chronos', region: 'ca-central-1', endpoint: 'https://127.0.0.1:1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' }, maxAttempts: 1, timeoutMs: 5000 };
const remote = await verifier.verifyRepository(s3);
const client = await verifier.createS3Client(s3);
const read = await new verifier.BucketReader(client, s3.bucket, s3.region).get('archive/main/archive.info').catch((e) => e);
client.destroy();
steps.s3 = { access: remote.access, read: read?.name, sdkModules: sdkModules(), packages: packages() };
const schemas = await import(schema);
steps.schema = { parsed: schemas.verifyReportSchema.safeParse(JSON.parse(JSON.stringify(local))).success, packages: packages() };
process.stdout.write(JSON.stringify(steps));
`;

interface Loaded {
  sdkModules: number;
  /** Packages imported so far (names under node_modules). */
  packages: string[];
}

interface Steps {
  imported: Loaded;
  posix: Loaded & { stanzas: string[]; segments: number };
  s3: Loaded & { access: { ok: boolean; code?: string }; read: string };
  schema: { parsed: boolean; packages: string[] };
}

/** The library bundled from source into `dir`: its dependencies left to Node (`external`) or bundled in, in chunks. */
async function bundle(dir: string, dependencies: 'external' | 'bundled'): Promise<void> {
  await build({
    entryPoints: [join(packageDir, 'src/index.ts'), join(packageDir, 'src/schema.ts')],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    ...(dependencies === 'external' ? { packages: 'external' as const } : {}),
    banner: {
      js: "import { createRequire as __chronosRequire } from 'node:module'; const require = __chronosRequire(import.meta.url);",
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
}

async function runProbe(dir: string): Promise<Steps> {
  const run = await runProcess({
    file: process.execPath,
    args: [join(outDir, 'probe.mjs'), join(dir, 'index.mjs'), join(dir, 'schema.mjs'), repo, join(dir, 'resolved.log')],
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
    timeout: 60_000,
  });
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Steps;
}

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  layOutRepository();
  writeFileSync(join(outDir, 'probe.mjs'), probe);
  writeFileSync(join(outDir, 'hooks.mjs'), hooks);
  await Promise.all([bundle(join(outDir, 'external'), 'external'), bundle(join(outDir, 'bundled'), 'bundled')]);
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** What an import of the library must not load: the AWS SDK, zod (the schemas' entry point) and the JavaScript codecs. */
const onDemand = /^(@aws-sdk|@smithy)\/|^(zod|fzstd|lz4js|unbzip2-stream)$/;

describe('what the library loads', () => {
  it('importing it and verifying a local path load neither the AWS SDK, zod nor the JavaScript codecs; S3 loads the SDK, the schema entry zod', async () => {
    const steps = await runProbe(join(outDir, 'external'));
    expect(steps.imported.sdkModules).toBe(0);
    expect(steps.imported.packages.filter((name) => onDemand.test(name))).toEqual([]);
    expect(steps.posix.stanzas).toEqual(['fx']);
    expect(steps.posix.segments).toBe(1);
    expect(steps.posix.sdkModules).toBe(0);
    expect(steps.posix.packages.filter((name) => onDemand.test(name))).toEqual([]);
    expect(steps.s3.access).toMatchObject({ ok: false, code: 'unreachable' });
    expect(steps.s3.read).toBe('EndpointUnreachableError');
    expect(steps.s3.sdkModules).toBeGreaterThan(0);
    expect(steps.s3.packages).toContain('@aws-sdk/client-s3');
    expect(steps.s3.packages).not.toContain('zod');
    expect(steps.schema.parsed).toBe(true);
    expect(steps.schema.packages).toContain('zod');
    expect(steps.schema.packages.filter((name) => /^(fzstd|lz4js|unbzip2-stream)$/.test(name))).toEqual([]);
  });

  it('bundled with its dependencies into split chunks (as an application bundles it), it verifies S3 and local paths alike', async () => {
    const steps = await runProbe(join(outDir, 'bundled'));
    expect(steps.posix.stanzas).toEqual(['fx']);
    expect(steps.posix.segments).toBe(1);
    expect(steps.s3.access).toMatchObject({ ok: false, code: 'unreachable' });
    expect(steps.s3.read).toBe('EndpointUnreachableError');
    expect(steps.schema.parsed).toBe(true);
  });
});
