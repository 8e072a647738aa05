/** A `[section]` of pgbackrest.conf, typed by what pgBackRest reads it for. */
export type ConfigSection =
  | { readonly kind: 'global'; readonly name: 'global' }
  | { readonly kind: 'global-command'; readonly name: string; readonly command: string }
  | { readonly kind: 'stanza'; readonly name: string; readonly stanza: string }
  | { readonly kind: 'stanza-command'; readonly name: string; readonly stanza: string; readonly command: string };

/** One line of pgbackrest.conf; `raw` is the exact text including its line ending. */
export type ConfigLine =
  | { readonly kind: 'blank'; readonly raw: string; readonly line: number }
  | { readonly kind: 'comment'; readonly raw: string; readonly line: number; readonly text: string }
  | { readonly kind: 'section'; readonly raw: string; readonly line: number; readonly section: ConfigSection }
  | {
      readonly kind: 'option';
      readonly raw: string;
      readonly line: number;
      /** Section name the option belongs to (`undefined` before any section header). */
      readonly section: string | undefined;
      readonly key: string;
      readonly value: string;
    }
  | { readonly kind: 'invalid'; readonly raw: string; readonly line: number; readonly reason: string };

/** A parsed pgbackrest.conf that renders back byte for byte. */
export interface ConfigDocument {
  readonly lines: readonly ConfigLine[];
  /** The line ending most lines use (for lines the edit helpers add). */
  readonly eol: '\n' | '\r\n';
}

/**
 * Reads a section header's name into its typed form.
 *
 * @example
 * parseSectionName('demo:archive-push'); // { kind: 'stanza-command', name: 'demo:archive-push', stanza: 'demo', command: 'archive-push' }
 */
export function parseSectionName(name: string): ConfigSection {
  const colon = name.indexOf(':');
  const head = colon === -1 ? name : name.slice(0, colon);
  const command = colon === -1 ? undefined : name.slice(colon + 1);
  if (head === 'global') {
    return command === undefined ? { kind: 'global', name: 'global' } : { kind: 'global-command', name, command };
  }
  return command === undefined
    ? { kind: 'stanza', name, stanza: head }
    : { kind: 'stanza-command', name, stanza: head, command };
}

function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    lines.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function classify(raw: string, line: number, section: string | undefined): ConfigLine {
  const content = raw.replace(/\r?\n$/, '').trim();
  if (content === '') return { kind: 'blank', raw, line };
  if (content.startsWith('#')) return { kind: 'comment', raw, line, text: content.slice(1).trim() };
  if (content.startsWith('[')) {
    if (!content.endsWith(']') || content.length < 3) {
      return { kind: 'invalid', raw, line, reason: 'a section header must look like [name]' };
    }
    return { kind: 'section', raw, line, section: parseSectionName(content.slice(1, -1).trim()) };
  }
  const eq = content.indexOf('=');
  if (eq <= 0) return { kind: 'invalid', raw, line, reason: "an option line must look like 'name=value'" };
  return { kind: 'option', raw, line, section, key: content.slice(0, eq).trim(), value: content.slice(eq + 1).trim() };
}

/**
 * Parses pgbackrest.conf keeping every byte: comments, blank lines, order, spacing and line endings.
 * `renderConfigFile(parseConfigFile(text)) === text` for any text. Lines pgBackRest would not accept are kept as `invalid`.
 *
 * @example
 * const doc = parseConfigFile('[global]\nrepo1-path=/var/lib/pgbackrest\n');
 * getOption(doc, 'global', 'repo1-path'); // '/var/lib/pgbackrest'
 */
export function parseConfigFile(text: string): ConfigDocument {
  const raws = splitLines(text);
  const lines: ConfigLine[] = [];
  let section: string | undefined;
  let crlf = 0;
  raws.forEach((raw, i) => {
    if (raw.endsWith('\r\n')) crlf++;
    const line = classify(raw, i + 1, section);
    if (line.kind === 'section') section = line.section.name;
    lines.push(line);
  });
  return { lines, eol: crlf * 2 > raws.length ? '\r\n' : '\n' };
}

/**
 * Renders a document back to text (exactly the parsed text when nothing was edited).
 *
 * @example
 * renderConfigFile(parseConfigFile(text)) === text; // true
 */
export function renderConfigFile(doc: ConfigDocument): string {
  let out = '';
  for (const line of doc.lines) out += line.raw;
  return out;
}

/**
 * The section headers in file order (a name may appear more than once; pgBackRest merges them).
 *
 * @example
 * configSections(parseConfigFile('[global]\n[demo]\n')).map((s) => s.kind); // ['global', 'stanza']
 */
export function configSections(doc: ConfigDocument): ConfigSection[] {
  return doc.lines.flatMap((l) => (l.kind === 'section' ? [l.section] : []));
}

/**
 * The values of one option in one section: a string, an array when the key repeats (list and hash options such as
 * `db-include` or `recovery-option`), or undefined.
 *
 * @example
 * getOption(parseConfigFile('[demo]\npg1-path=/data\n'), 'demo', 'pg1-path'); // '/data'
 */
export function getOption(doc: ConfigDocument, section: string, key: string): string | string[] | undefined {
  const values = doc.lines.flatMap((l) =>
    l.kind === 'option' && l.section === section && l.key === key ? [l.value] : [],
  );
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/**
 * All options of a section as a record of value lists, in file order.
 *
 * @example
 * sectionOptions(parseConfigFile('[global]\nstart-fast=y\n'), 'global'); // { 'start-fast': ['y'] }
 */
export function sectionOptions(doc: ConfigDocument, section: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of doc.lines) {
    if (l.kind !== 'option' || l.section !== section) continue;
    const list = out[l.key];
    if (list === undefined) out[l.key] = [l.value];
    else list.push(l.value);
  }
  return out;
}

function renumber(lines: ConfigLine[]): ConfigLine[] {
  return lines.map((l, i) => (l.line === i + 1 ? l : { ...l, line: i + 1 }));
}

function optionRaw(template: ConfigLine | undefined, key: string, value: string, eol: string, ending = eol): string {
  if (template?.kind === 'option') {
    const match = /^([ \t]*)([^=]*?)([ \t]*=[ \t]*)(.*?)([ \t]*)(\r?\n)?$/.exec(template.raw);
    if (match) return `${match[1]}${key}${match[3]}${value}${match[5]}${ending}`;
  }
  return `${key}=${value}${ending}`;
}

/**
 * Sets an option in a section, keeping everything else byte for byte: an existing line is rewritten in place (its
 * indentation and spacing kept), a new one goes after the section's last option, and a missing section is appended.
 * An array writes one line per value (list and hash options).
 *
 * @example
 * const doc = setOption(parseConfigFile('[global]\n# keep\nrepo1-path=/a\n'), 'global', 'repo1-retention-full', '2');
 * renderConfigFile(doc); // '[global]\n# keep\nrepo1-path=/a\nrepo1-retention-full=2\n'
 */
export function setOption(
  doc: ConfigDocument,
  section: string,
  key: string,
  value: string | readonly string[],
): ConfigDocument {
  const values = typeof value === 'string' ? [value] : [...value];
  for (const v of values) {
    if (/[\r\n]/.test(v)) throw new TypeError(`the value of ${key} must be a single line`);
  }
  if (/[\s=[\]#]/.test(key) || key === '') throw new TypeError(`'${key}' is not an option name`);
  const lines = [...doc.lines];
  const existing = lines.flatMap((l, i) => (l.kind === 'option' && l.section === section && l.key === key ? [i] : []));
  const sampleOption = lines.find((l) => l.kind === 'option');

  if (existing.length > 0) {
    const first = existing[0]!;
    const template = lines[first];
    const ownEnding = /\r?\n$/.exec(template!.raw)?.[0] ?? '';
    const replacement = values.map((v, i) => ({
      ...(template as Extract<ConfigLine, { kind: 'option' }>),
      value: v,
      raw: optionRaw(template, key, v, doc.eol, i === values.length - 1 ? ownEnding : doc.eol),
    }));
    for (const i of existing.slice(1).reverse()) lines.splice(i, 1);
    lines.splice(first, 1, ...replacement);
    return { ...doc, lines: renumber(lines) };
  }

  const headers = lines.flatMap((l, i) => (l.kind === 'section' && l.section.name === section ? [i] : []));
  const newLines = (template: ConfigLine | undefined): ConfigLine[] =>
    values.map((v) => ({ kind: 'option', raw: optionRaw(template, key, v, doc.eol), line: 0, section, key, value: v }));
  if (headers.length > 0) {
    const header = headers.at(-1)!;
    let insertAt = header + 1;
    let template: ConfigLine | undefined = sampleOption;
    for (let i = header + 1; i < lines.length && lines[i]!.kind !== 'section'; i++) {
      if (lines[i]!.kind === 'option') {
        insertAt = i + 1;
        template = lines[i];
      }
    }
    lines.splice(insertAt, 0, ...newLines(template));
    return { ...doc, lines: renumber(lines) };
  }

  const last = lines.at(-1);
  if (last !== undefined && !/\n$/.test(last.raw)) lines[lines.length - 1] = { ...last, raw: last.raw + doc.eol };
  if (lines.length > 0 && lines.at(-1)!.kind !== 'blank') lines.push({ kind: 'blank', raw: doc.eol, line: 0 });
  lines.push({ kind: 'section', raw: `[${section}]${doc.eol}`, line: 0, section: parseSectionName(section) });
  lines.push(...newLines(sampleOption));
  return { ...doc, lines: renumber(lines) };
}

/**
 * Removes every line of an option from a section, keeping everything else byte for byte.
 *
 * @example
 * renderConfigFile(unsetOption(parseConfigFile('[global]\nstart-fast=y\nlog-level-console=info\n'), 'global', 'start-fast'));
 * // '[global]\nlog-level-console=info\n'
 */
export function unsetOption(doc: ConfigDocument, section: string, key: string): ConfigDocument {
  const lines = doc.lines.filter((l) => !(l.kind === 'option' && l.section === section && l.key === key));
  return lines.length === doc.lines.length ? doc : { ...doc, lines: renumber(lines) };
}
