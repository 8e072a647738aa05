import { existsSync, readFileSync } from 'node:fs';
import { runProcess } from '@chronos/pgbackrest/testing';
import { describe, expect, it } from 'vitest';
import { checkInvocation, parseCliReference } from '../../../scripts/docs/cli-help.mjs';
import {
  builtCliRunner,
  CLI_PATH,
  CLI_REFERENCE_PATH,
  collectHelp,
  listSubcommands,
  renderCliReference,
} from '../../../scripts/docs/cli-reference.mjs';

const committed = readFileSync(CLI_REFERENCE_PATH, 'utf8');

describe('docs/reference/cli.md', () => {
  it('is what the built chronos prints for every command (regenerate: pnpm --filter @chronos/docs cli-reference)', async () => {
    if (!existsSync(CLI_PATH))
      throw new Error(`${CLI_PATH} is missing: run \`pnpm build\` at the repository root first`);
    const entries = await collectHelp(builtCliRunner(runProcess));
    expect(entries.map((entry) => entry.path.join(' '))).toContain('policy compile');
    expect(renderCliReference(entries)).toBe(committed);
  }, 180_000);

  it('lists subcommands from a help text but not commander’s own help command', () => {
    const root = parseCliReference(committed);
    const programHelp = /^## chronos\n\n```text\n([\s\S]*?)\n```/m.exec(committed)?.[1] ?? '';
    const listed = listSubcommands(programHelp);
    expect(listed).not.toContain('help');
    expect([...listed, 'help'].sort()).toEqual([...(root.get('')?.subcommands ?? [])].sort());
  });
});

describe('checking documented chronos invocations against the reference', () => {
  const model = parseCliReference(committed);

  it('accepts real commands with global options before and after the command name', () => {
    expect(checkInvocation(['--stanza', 'main', 'status', '--json'], model)).toEqual([]);
    expect(checkInvocation(['policy', 'schedule', 'policy.json', '--count', '5'], model)).toEqual([]);
  });

  it('reports an unknown flag, an unknown subcommand and a surplus argument', () => {
    expect(checkInvocation(['status', '--no-such-flag'], model)).toEqual([
      '`chronos status` has no option --no-such-flag',
    ]);
    expect(checkInvocation(['policy', 'explode', 'policy.json'], model)).toEqual([
      '`chronos policy explode`: no such command',
    ]);
    expect(checkInvocation(['policy', 'validate', 'a.json', 'b.json'], model)).toEqual([
      '`chronos policy validate` takes 1 argument(s), got "b.json"',
    ]);
  });

  it('knows which options take a value, so a value is not mistaken for a command', () => {
    expect(checkInvocation(['--stanza', 'policy', 'info'], model)).toEqual([]);
  });
});
