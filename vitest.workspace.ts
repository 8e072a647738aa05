import { fileURLToPath } from 'node:url';
import type { TestProjectInlineConfiguration } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const resolve = { conditions: ['@chronos/source'] };
const ssr = { resolve: { conditions: ['@chronos/source'], externalConditions: ['@chronos/source'] } };
// No registry serves testcontainers' reaper image here; the testing kit itself never switches the reaper off.
const env = { TESTCONTAINERS_RYUK_DISABLED: 'true' };

function unit(name: string, dir: string, globalSetup: string[] = []): TestProjectInlineConfiguration {
  return {
    resolve,
    ssr,
    test: {
      globalSetup,
      name: `${name}:unit`,
      root: `${root}${dir}`,
      include: ['test/unit/**/*.test.ts'],
      testTimeout: 20_000,
      env,
    },
  };
}

function integration(name: string, dir: string, globalSetup: string[] = []): TestProjectInlineConfiguration {
  return {
    resolve,
    ssr,
    test: {
      globalSetup,
      name: `${name}:integration`,
      root: `${root}${dir}`,
      include: ['test/integration/**/*.test.ts'],
      testTimeout: 300_000,
      hookTimeout: 600_000,
      fileParallelism: false,
      env,
    },
  };
}

/** The test projects: unit and integration tiers per package. */
export default [
  unit('core', 'packages/core'),
  integration('core', 'packages/core'),
  unit('s3-verify', 'packages/s3-verify'),
  integration('s3-verify', 'packages/s3-verify'),
  // The CLI's tests run the executable built from the current source, never a stale dist/.
  unit('cli', 'packages/cli-example', ['test/build-cli.ts']),
  integration('cli', 'packages/cli-example', ['test/build-cli.ts']),
  unit('docs', 'docs'),
];
