import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The CLI executable built from the current source for this test run. */
    chronosCli: string;
  }
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsup = fileURLToPath(new URL('../../../node_modules/tsup/dist/cli-default.js', import.meta.url));

/**
 * Vitest global setup of the CLI projects: builds the executable from the current source (the SDKs from their
 * source too) into a folder of this run, so tests never exercise a stale dist/, and removes it afterwards.
 */
export default async function buildCli(project: TestProject): Promise<() => Promise<void>> {
  // Inside the package, so the bundle's external dependencies resolve from its node_modules.
  const outDir = join(packageDir, 'node_modules', '.cache', 'cli-under-test', `${project.name}-${process.pid}`);
  await promisify(execFile)(process.execPath, [tsup, '--silent'], {
    cwd: packageDir,
    env: { ...process.env, CHRONOS_CLI_OUT_DIR: outDir },
    maxBuffer: 16 * 1024 * 1024,
  });
  project.provide('chronosCli', join(outDir, 'cli.cjs'));
  return () => rm(outDir, { recursive: true, force: true });
}
