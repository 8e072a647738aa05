import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../../../../scripts/api-report.mjs', import.meta.url));

describe('public API', () => {
  it('matches the committed report of every entry point (api/*.api.md)', () => {
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    // On a deliberate change the message says to run `pnpm api-report` and commit api/.
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 180_000);
});
