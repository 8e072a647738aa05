import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueFor } from '../../../src/catalogue/index.js';

const root = new URL('../../fixtures/recorded-local/', import.meta.url);
const versions = readdirSync(root)
  .filter((name) => name.startsWith('help-'))
  .map((name) => name.slice('help-'.length));

/**
 * The 2.60.0 catalogue comes from upstream main before the release (2.60.0dev); the released 2.60.0 binary also has
 * `checksum-page-error` (backup, expire, restore). Listed here so any other difference still fails.
 */
const RELEASED_ONLY: Readonly<Record<string, readonly string[]>> = { '2.60.0': ['checksum-page-error'] };

/** Option names listed by `pgbackrest help <command>` (indexed options appear without their index). */
function helpOptions(version: string, command: string): string[] {
  const text = readFileSync(new URL(`help-${version}/${command}.txt`, root), 'utf8');
  return [...text.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((match) => match[1] as string).sort();
}

describe.each(versions)('catalogue %s against the options its pgBackRest binary lists', (version) => {
  // `help version` lists no options although version accepts the config and log options.
  const commands = readdirSync(new URL(`help-${version}/`, root))
    .map((file) => file.replace(/\.txt$/, ''))
    .filter((command) => command !== 'version');

  it.each(commands)('%s', (command) => {
    const catalogue = catalogueFor(version);
    const listed = [...catalogue.optionsFor(command).values()].map(({ definition }) => definition.name).sort();
    const released = helpOptions(version, command).filter((name) => !RELEASED_ONLY[version]?.includes(name));
    expect(listed).toEqual(released);
  });
});
