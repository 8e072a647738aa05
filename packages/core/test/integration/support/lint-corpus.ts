import type { Catalogue, OptionDefinition } from '../../../src/catalogue/index.js';
import { LINT_COMMANDS } from '../../../src/config/index.js';

/**
 * Commands that stop soon after reading their options (a missing parameter, no database): a file with a remote
 * repository is judged with these, since the others would then spend seconds retrying a repository that cannot
 * answer. Every repository option these take is checked the same way by the others.
 */
const QUICK_COMMANDS = new Set(['archive-get', 'archive-push', 'check', 'stanza-create', 'stanza-upgrade']);

/** One generated configuration file and the pgBackRest commands to judge it with. */
export interface CorpusFile {
  readonly name: string;
  readonly text: string;
  /** What the file varies, for messages. */
  readonly note: string;
  readonly commands: readonly string[];
}

/**
 * Options left out of value variations: the harness sets them on pgBackRest's command line (so a file value would
 * be overridden), or they point pgBackRest at paths the harness owns.
 */
const HARNESS_OPTIONS = new Set(['log-level-console', 'io-timeout', 'log-path', 'lock-path', 'stanza']);

type Settings = Map<string, { section: 'global' | 'main'; value: string }>;

function usedBy(definition: OptionDefinition): string[] {
  return LINT_COMMANDS.filter((c) => {
    const rule = definition.commands[c];
    return rule?.roles.includes('main') === true;
  });
}

function indexed(definition: OptionDefinition, index = 1): string {
  return definition.group
    ? `${definition.group}${index}-${definition.name.slice(definition.group.length + 1)}`
    : definition.name;
}

function hasDefault(definition: OptionDefinition): boolean {
  return (
    definition.default !== undefined ||
    definition.defaultDynamic === true ||
    definition.defaultFor !== undefined ||
    Object.values(definition.commands).some((r) => r.default !== undefined)
  );
}

/** A value pgBackRest accepts for an option (for companions and dependencies). */
function sampleValue(definition: OptionDefinition, root: string): string {
  const name = definition.name;
  const list = definition.allowList ?? Object.values(definition.commands).find((r) => r.allowList)?.allowList;
  if (list && list.length > 0) return list[0]!;
  switch (definition.type) {
    case 'boolean':
      return 'y';
    case 'integer':
      return definition.allowRange?.[0] ?? '1';
    case 'size':
      return definition.allowRange?.[0] ?? '1MiB';
    case 'time':
      return definition.allowRange?.[1] ?? '60';
    case 'path':
      return `${root}/${name}`;
    case 'hash':
      return 'key=value';
    default:
      break;
  }
  if (/host$|endpoint$/.test(name)) return '127.0.0.1';
  if (/region$/.test(name)) return 'ca-central-1';
  if (/azure-key$/.test(name)) return 'Y2hyb25vcw==';
  if (/-file$/.test(name)) return `${root}/${name}`;
  return 'chronos';
}

function render(settings: Settings): string {
  const global: string[] = [];
  const main: string[] = [];
  for (const [key, { section, value }] of settings) (section === 'global' ? global : main).push(`${key}=${value}`);
  return `[global]\n${global.join('\n')}\n\n[main]\n${main.join('\n')}\n`;
}

function base(root: string): Settings {
  return new Map([
    ['log-path', { section: 'global', value: `${root}/log` }],
    ['lock-path', { section: 'global', value: `${root}/lock` }],
    ['repo1-path', { section: 'global', value: `${root}/repo` }],
    ['repo1-retention-full', { section: 'global', value: '2' }],
    ['pg1-path', { section: 'main', value: `${root}/pg` }],
    ['pg1-socket-path', { section: 'main', value: `${root}/socket` }],
  ]);
}

/**
 * Resolves what a setting needs to take effect: each `depend` is met with its first listed value, and every option
 * that is then required and has no default gets a sample value. Pure data from the catalogue.
 */
function complete(catalogue: Catalogue, settings: Settings, root: string, leaveOut?: string): Settings {
  const out: Settings = new Map(settings);
  const value = (definition: OptionDefinition): string | undefined => {
    if (!dependMet(definition)) return definition.depend?.default;
    return out.get(indexed(definition))?.value ?? definition.default;
  };
  const dependMet = (definition: OptionDefinition): boolean => {
    const depend = definition.depend;
    if (!depend) return true;
    const target = catalogue.options.get(depend.option);
    if (!target) return false;
    const current = value(target);
    const normalized = current === 'y' ? 'true' : current === 'n' ? 'false' : current;
    return normalized !== undefined && (depend.list === undefined || depend.list.includes(normalized));
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const definition of catalogue.options.values()) {
      const key = indexed(definition);
      if (out.has(key) || key === leaveOut || definition.section === 'command-line' || definition.internal) continue;
      const required = usedBy(definition).some((c) => definition.commands[c]!.required);
      if (!required || hasDefault(definition) || !dependMet(definition)) continue;
      out.set(key, {
        section: definition.section === 'stanza' ? 'main' : 'global',
        value: sampleValue(definition, root),
      });
      changed = true;
    }
  }
  return out;
}

/** Settings that meet an option's dependency chain (`repo1-s3-bucket` needs `repo1-type=s3`). */
function meetDependency(catalogue: Catalogue, definition: OptionDefinition, settings: Settings): Settings {
  const depend = definition.depend;
  if (!depend?.list || depend.list.length === 0) return settings;
  const target = catalogue.options.get(depend.option);
  if (!target) return settings;
  const wanted = depend.list[0]!;
  const value = target.type === 'boolean' ? (wanted === 'true' ? 'y' : 'n') : wanted;
  const out: Settings = new Map(settings);
  out.set(indexed(target), { section: target.section === 'stanza' ? 'main' : 'global', value });
  return meetDependency(catalogue, target, out);
}

function valueVariants(definition: OptionDefinition): string[] {
  const list = definition.allowList ?? Object.values(definition.commands).find((r) => r.allowList)?.allowList;
  const range = definition.allowRange;
  switch (definition.type) {
    case 'boolean':
      return ['y', 'n', 'yes', 'Y', ''];
    case 'integer': {
      const out = ['abc', '1.5', '', '+2'];
      if (range) out.push(range[0], range[1], String(BigInt(range[0]) - 1n), String(BigInt(range[1]) + 1n));
      if (list) out.push(...list.slice(0, 2), '7');
      return out;
    }
    case 'size':
      return [
        ...(list ? [...list.slice(0, 2), '3MiB', list[0]!.toLowerCase()] : []),
        ...(range ? [range[0], range[1]] : []),
        '1MiB',
        '12xb',
        '1.5MiB',
        '',
      ];
    case 'time':
      return [
        '60',
        '1.5',
        '5m',
        '100ms',
        'abc',
        '300 ; seconds',
        ...(range ? [range[0], range[1]] : []),
        '0',
        '999999999',
        '',
      ];
    case 'string-id':
      return list ? [...list, 'bogus', list[0]!.toUpperCase(), ''] : ['chronos', ''];
    case 'path':
      return ['/abs/path', 'relative/path', '/a//b', '/trailing/', ''];
    case 'hash':
      return ['a=b', 'novalue'];
    case 'list':
      return ['a', ''];
    default:
      return list ? [...list, 'bogus', ''] : ['chronos', ''];
  }
}

/**
 * Generates configuration files from a catalogue: every option with valid, boundary and invalid values (with its
 * dependencies met and its companions present), each required companion left out in turn per repository type, and
 * the structural cases pgBackRest treats specially (duplicates, deprecated and refused names, sections, cross-option
 * rules). `root` is the directory pgBackRest will see the files in.
 */
export function generateLintCorpus(catalogue: Catalogue, root: string): CorpusFile[] {
  const files: CorpusFile[] = [];
  const add = (note: string, text: string, commands: readonly string[] = LINT_COMMANDS) => {
    const remote = /^repo\d+-type=(s3|gcs|azure|sftp)$/m.test(text);
    const judged = remote ? commands.filter((c) => QUICK_COMMANDS.has(c)) : commands;
    files.push({
      name: `case-${String(files.length).padStart(4, '0')}.conf`,
      text,
      note,
      commands: judged.length > 0 ? judged : commands,
    });
  };
  const baseSettings = base(root);
  const repoTypes = catalogue.options.get('repo-type')?.allowList ?? ['posix'];

  for (const type of repoTypes) {
    const settings = complete(
      catalogue,
      new Map([...baseSettings, ['repo1-type', { section: 'global', value: type }]]),
      root,
    );
    add(`a complete ${type} repository`, render(settings));
    for (const key of settings.keys()) {
      if (baseSettings.has(key) || key === 'repo1-type') continue;
      const without = new Map(settings);
      without.delete(key);
      add(`a ${type} repository without ${key}`, render(complete(catalogue, without, root, key)));
    }
  }
  const cipher = complete(
    catalogue,
    new Map([...baseSettings, ['repo1-cipher-type', { section: 'global', value: 'aes-256-cbc' }]]),
    root,
    'repo1-cipher-pass',
  );
  add('a cipher type without a passphrase', render(cipher));
  const noPath = new Map(baseSettings);
  noPath.delete('pg1-path');
  add('a stanza without pg1-path', render(noPath));

  for (const definition of catalogue.options.values()) {
    if (definition.internal || definition.section === 'command-line' || HARNESS_OPTIONS.has(definition.name)) continue;
    const commands = usedBy(definition);
    if (commands.length === 0) continue;
    const perCommand =
      new Set(
        commands.map((c) => {
          const { required, default: fallback, allowList, depend } = definition.commands[c]!;
          return JSON.stringify([required, fallback, allowList, depend]);
        }),
      ).size > 1;
    const key = indexed(definition);
    const section = definition.section === 'stanza' ? 'main' : 'global';
    const withDependency = meetDependency(catalogue, definition, baseSettings);
    for (const value of valueVariants(definition)) {
      const settings: Settings = new Map(withDependency);
      settings.set(key, { section, value });
      const completed = complete(catalogue, settings, root);
      if (definition.beta) completed.set('beta', { section: 'global', value: 'y' });
      add(`${key}=${value}`, render(completed), perCommand ? commands : [commands[0]!]);
    }
    const dependsOnBeta = definition.depend && catalogue.options.get(definition.depend.option)?.beta === true;
    if (definition.beta && !dependsOnBeta) {
      const settings: Settings = new Map(withDependency);
      settings.set(key, { section, value: sampleValue(definition, root) });
      add(`beta option ${key} without beta`, render(complete(catalogue, settings, root)), [commands[0]!]);
    }
  }

  const plain = render(baseSettings);
  const withGlobal = (lines: string) => plain.replace('[global]\n', `[global]\n${lines}\n`);
  const withMain = (lines: string) => plain.replace('[main]\n', `[main]\n${lines}\n`);
  add('a value twice in one section', withGlobal('process-max=2\nprocess-max=3'));
  add('a list option twice in one section', withGlobal('db-include=a\ndb-include=b'));
  add('an option under a deprecated and a current name', withMain('db-path=/var/lib/x'));
  add('deprecated names', withGlobal('retention-full=2\nhardlink=n').replace('repo1-retention-full=2\n', ''));
  add('an unknown option', withGlobal('repo1-retention-ful=2'));
  add('an unknown option near no name', withGlobal('fork=GPDB'));
  add('a command-line option in a file', withGlobal('type=full'));
  add('a stanza option in [global]', withGlobal('pg2-path=/var/lib/y'));
  add('an option its [global:command] section does not take', `${plain}\n[global:archive-push]\nstart-fast=y\n`);
  add('an option its [stanza:command] section takes', `${plain}\n[main:backup]\nstart-fast=y\n`);
  add('a negated option', withGlobal('no-start-fast=y'));
  add('a negated option that cannot be negated', withGlobal('no-process-max=2'));
  add('a reset option', withGlobal('reset-start-fast=y'));
  add('an unindexed repository option', withGlobal('repo-path=/var/lib/r').replace(`repo1-path=${root}/repo\n`, ''));
  add('an unindexed pg option', withMain('pg-port=5433'));
  add('an index on an unindexed option', withGlobal('start1-fast=y'));
  add('an index above 256', withGlobal('repo300-path=/var/lib/r'));
  add('an option starting with a number', withGlobal('1-path=/var/lib/r'));
  add('a line without =', withGlobal('start-fast'));
  add('an option before any section', `start-fast=y\n${plain}`);
  add('an empty section name', `${plain}\n[]\nstart-fast=y\n`);
  add('a section without ]', `${plain}\n[main\nstart-fast=y\n`);
  add('a section for an unknown command', `${plain}\n[main:bakup]\nstart-fast=y\n`);
  add(
    'a bad value overridden in the stanza',
    withMain('process-max=2').replace('[global]\n', '[global]\nprocess-max=abc\n'),
  );
  add(
    "a bad value in another stanza's command section",
    `${plain}\n[other]\npg1-path=${root}/pg\n[other:backup]\nprocess-max=abc\n`,
  );
  add('protocol-timeout equal to db-timeout', withGlobal('db-timeout=600\nprotocol-timeout=600'));
  add('protocol-timeout above db-timeout', withGlobal('db-timeout=600\nprotocol-timeout=630'));
  add('db-timeout alone above the default protocol-timeout', withGlobal('db-timeout=3600'));
  add('protocol-timeout alone below the default db-timeout', withGlobal('protocol-timeout=60'));
  add(
    'pg and repository hosts both remote',
    withMain('pg1-host=127.0.0.1').replace('[global]\n', '[global]\nrepo1-host=127.0.0.1\n'),
  );
  add('two local repositories on one path', withGlobal(`repo2-path=${root}/repo\nrepo2-retention-full=2`));
  add('two local repositories on two paths', withGlobal(`repo2-path=${root}/repo2\nrepo2-retention-full=2`));
  add('no full retention', plain.replace('repo1-retention-full=2\n', ''));
  add('no full retention for the second repository', withGlobal(`repo2-path=${root}/repo2`));
  add('compress and compress-type both', withGlobal('compress=y\ncompress-type=gz'));
  for (const [type, level] of [
    ['gz', '10'],
    ['gz', '9'],
    ['zst', '10'],
    ['lz4', '13'],
    ['bz2', '0'],
    ['none', '99'],
  ] as const) {
    add(`compress-level ${level} with ${type}`, withGlobal(`compress-type=${type}\ncompress-level=${level}`));
  }
  if (repoTypes.includes('s3')) {
    const s3 = complete(
      catalogue,
      new Map([...baseSettings, ['repo1-type', { section: 'global', value: 's3' }]]),
      root,
    );
    s3.set('repo1-s3-bucket', { section: 'global', value: 'my.backups' });
    add('an S3 bucket with dots, TLS verified', render(s3));
    s3.set('repo1-storage-verify-tls', { section: 'global', value: 'n' });
    add('an S3 bucket with dots, TLS not verified', render(s3));
  }
  return files;
}
