import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { detectVersion } from '@chronos/pgbackrest';
import { LINT_DELIBERATE_DIFFERENCES, type LintFinding, type LintResult, lintConfig } from '@chronos/pgbackrest/config';
import type { CommandContext, CommandOutcome } from '../context.js';
import { CouldNotRunError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readInputFile } from '../input.js';
import { transportFor } from '../pgbackrest.js';

/** The lint result of one file. */
interface FileResult extends LintResult {
  readonly path: string;
}

const GLOB_CHARS = /[*?[]/;

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i);
      source += end === -1 ? '\\[' : pattern.slice(i, end + 1);
      i = end === -1 ? i : end;
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** A path as given, or the files a glob (`*`, `?`, `[…]`, `**`) matches, sorted. */
async function expand(pattern: string): Promise<string[]> {
  if (!GLOB_CHARS.test(pattern)) return [pattern];
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const base = parts.slice(0, firstGlob).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const matcher = globToRegExp(parts.slice(firstGlob).join('/'));
  let entries: string[];
  try {
    entries = (await readdir(base, { recursive: true })) as string[];
  } catch (cause) {
    throw new UsageError(`cannot read ${base} for ${pattern}: ${(cause as Error).message}`, { cause });
  }
  const matches: string[] = [];
  for (const entry of entries.sort()) {
    const rel = entry.split(sep).join('/');
    if (!matcher.test(rel)) continue;
    const path = base === '.' ? rel : join(base, rel);
    if ((await stat(path)).isFile()) matches.push(path);
  }
  if (matches.length === 0) throw new UsageError(`no file matches ${pattern}`);
  return matches;
}

async function versionToLint(options: Record<string, unknown>, context: CommandContext): Promise<string> {
  const given = options['pgbackrestVersion'];
  if (typeof given === 'string') {
    if (!/^\d+\.\d+(\.\d+)?(dev)?$/.test(given))
      throw new UsageError(`--pgbackrest-version must look like 2.45 or 2.55.1, got "${given}"`);
    return given;
  }
  try {
    const detected = await detectVersion({
      transport: transportFor(context.globals),
      timeout: 30_000,
      signal: context.signal,
      ...(context.globals.bin === undefined ? {} : { bin: context.globals.bin }),
    });
    return detected.version;
  } catch (cause) {
    throw new CouldNotRunError(
      `could not detect the pgBackRest version (${(cause as Error).message.split('\n')[0]}); pass --pgbackrest-version, or --bin/--docker/--ssh to reach the pgBackRest that reads the file`,
      { cause },
    );
  }
}

function sarif(results: readonly FileResult[], version: string): unknown {
  const codes = [...new Set(results.flatMap((r) => r.findings.map((f) => f.code)))].sort();
  const deliberate = new Map(LINT_DELIBERATE_DIFFERENCES.map((d) => [d.code, d.reason]));
  const level = (f: LintFinding) => (f.severity === 'info' ? 'note' : f.severity);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'chronos config lint',
            informationUri: 'https://pgbackrest.org/configuration.html',
            properties: { pgbackrestVersion: version },
            rules: codes.map((code) => ({
              id: code,
              shortDescription: { text: code.replaceAll('-', ' ') },
              ...(deliberate.has(code)
                ? { fullDescription: { text: `Stricter than pgBackRest: ${deliberate.get(code)}.` } }
                : {}),
            })),
          },
        },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.code,
            level: level(f),
            message: { text: `${f.message} Fix: ${f.fix}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: relative(process.cwd(), resolve(r.path)).split(sep).join('/') },
                  region: { startLine: f.line, startColumn: f.column },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}

/**
 * `chronos config lint <file|glob>…`: each finding as `file:line:col severity code message` with its fix, `--json`,
 * or `--sarif`. Exit 0 without errors (warnings allowed unless `--strict`), 1 with errors, 2 when a file cannot be read.
 */
export async function run(
  args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  if (options['sarif'] === true && context.globals.json === true)
    throw new UsageError('give either --json or --sarif, not both');
  const paths = [...new Set((await Promise.all(args.map(expand))).flat())];
  const version = await versionToLint(options, context);
  const env = options['env'] === true ? context.env : undefined;
  const results: FileResult[] = [];
  for (const path of paths) {
    const text = await readInputFile(path, 'config file');
    const fileMode = (await stat(path)).mode & 0o777;
    results.push({ path, ...lintConfig(text, { version, fileMode, ...(env === undefined ? {} : { env }) }) });
  }
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const warnings = results.reduce((n, r) => n + r.warnings, 0);
  const infos = results.reduce((n, r) => n + r.infos, 0);
  const failed = errors > 0 || (options['strict'] === true && warnings > 0);
  const catalogueVersion = results[0]?.catalogueVersion ?? version;
  const c = context.colours;
  const paint = (s: string) => (s === 'error' ? c.red(s) : s === 'warning' ? c.yellow(s) : s);
  const lines = results.flatMap((r) =>
    r.findings.map(
      (f) => `${r.path}:${f.line}:${f.column} ${paint(f.severity)} ${f.code} ${f.message}\n    fix: ${f.fix}`,
    ),
  );
  const summary = `${results.length} file(s): ${errors} error(s), ${warnings} warning(s), ${infos} info (pgBackRest ${version}, ${catalogueVersion} catalogue)`;
  const text =
    options['sarif'] === true
      ? JSON.stringify(sarif(results, version), null, 2)
      : lines.length === 0
        ? `${c.green('clean')}: ${summary}`
        : [...lines, summary].join('\n');
  return {
    exitCode: failed ? ExitCode.Findings : ExitCode.Ok,
    result: { pgbackrestVersion: version, catalogueVersion, ok: !failed, errors, warnings, infos, files: results },
    text,
  };
}
