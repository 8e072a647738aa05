import { PgBackRestOutputError } from '../errors/pgbackrest-error.js';

/** File counts pgBackRest prints under an archive or backup line (absent counts were not printed). */
export interface VerifyCounts {
  readonly missing?: number;
  readonly checksumInvalid?: number;
  readonly sizeInvalid?: number;
  readonly other?: number;
}

/** One `archiveId:` line of `verify --output=text`. */
export interface VerifyArchive extends VerifyCounts {
  readonly archiveId: string;
  readonly totalChecked: number;
  readonly totalValid: number;
}

/** One `backup:` line of `verify --output=text`. */
export interface VerifyBackup extends VerifyCounts {
  readonly label: string;
  /** `valid` or `invalid` (other words pgBackRest may print are kept as is). */
  readonly status: 'valid' | 'invalid' | (string & {});
  readonly totalChecked: number;
  readonly totalValid: number;
}

/** The verdict of `pgbackrest verify` (which exits 0 even when it finds corruption). */
export interface VerifyResult {
  /** Undefined when pgBackRest printed nothing (all ok without `--verbose`). */
  readonly stanza: string | undefined;
  readonly status: 'ok' | 'error';
  readonly ok: boolean;
  readonly archives: readonly VerifyArchive[];
  readonly backups: readonly VerifyBackup[];
}

const COUNT_KEYS: Record<string, keyof VerifyCounts> = {
  missing: 'missing',
  'checksum invalid': 'checksumInvalid',
  'size invalid': 'sizeInvalid',
  other: 'other',
};

/**
 * Parses `pgbackrest verify --output=text [--verbose]`. Empty output means everything verified (pgBackRest prints
 * nothing then unless `--verbose`).
 *
 * @example
 * parseVerifyOutput('stanza: demo\nstatus: error\n  backup: 20260101-000000F, status: invalid, total files checked: 970, total valid files: 969\n    missing: 1\n');
 * // { stanza: 'demo', status: 'error', ok: false, archives: [], backups: [{ label: '20260101-000000F', status: 'invalid', totalChecked: 970, totalValid: 969, missing: 1 }] }
 */
export function parseVerifyOutput(text: string): VerifyResult {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return { stanza: undefined, status: 'ok', ok: true, archives: [], backups: [] };
  let stanza: string | undefined;
  let status: 'ok' | 'error' | undefined;
  const archives: VerifyArchive[] = [];
  const backups: VerifyBackup[] = [];
  let last: Record<string, unknown> | undefined;
  const fail = (line: string): never => {
    throw new PgBackRestOutputError(`unexpected line in verify output: '${line}'`, { stdout: text });
  };
  for (const line of lines) {
    const fields = parseFields(line.trim());
    if (fields.stanza !== undefined && fields.stanza !== '') {
      stanza = fields.stanza;
    } else if (fields.status !== undefined && !line.startsWith(' ')) {
      if (fields.status !== 'ok' && fields.status !== 'error') fail(line);
      status = fields.status as 'ok' | 'error';
    } else if (fields.archiveId !== undefined) {
      last = {
        archiveId: fields.archiveId,
        totalChecked: toCount(fields['total WAL checked'], line, fail),
        totalValid: toCount(fields['total valid WAL'], line, fail),
      };
      archives.push(last as unknown as VerifyArchive);
    } else if (fields.backup !== undefined) {
      last = {
        label: fields.backup,
        status: fields.status ?? fail(line),
        totalChecked: toCount(fields['total files checked'], line, fail),
        totalValid: toCount(fields['total valid files'], line, fail),
      };
      backups.push(last as unknown as VerifyBackup);
    } else if (last && Object.keys(fields).every((key) => key in COUNT_KEYS)) {
      for (const [key, value] of Object.entries(fields)) last[COUNT_KEYS[key] as string] = toCount(value, line, fail);
    } else {
      fail(line);
    }
  }
  if (status === undefined) fail(lines[0] as string);
  return { stanza, status: status as 'ok' | 'error', ok: status === 'ok', archives, backups };
}

function parseFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of line.split(', ')) {
    const colon = part.indexOf(': ');
    if (colon < 0) return { [part]: '' };
    fields[part.slice(0, colon)] = part.slice(colon + 2);
  }
  return fields;
}

function toCount(value: string | undefined, line: string, fail: (line: string) => never): number {
  if (value === undefined || !/^\d+$/.test(value)) return fail(line);
  return Number(value);
}
