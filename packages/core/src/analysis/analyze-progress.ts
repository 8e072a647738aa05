import type { Info, InfoProgress } from '../info/index.js';
import { progressOf } from './analyze-info.js';
import type { ProgressAnalysis } from './types.js';

/**
 * Running backup and restore progress per stanza, from `info --detail-level=progress` (pgBackRest 2.56+) or from full
 * `info` (which carries the same locks): whether each runs, bytes done of total (2.48+) and per repository (2.59+).
 *
 * @example
 * const [stanza] = analyzeProgress(parseInfoProgress(stdout)).stanzas;
 * if (stanza?.backup.running) console.log(stanza.backup.fraction);
 */
export function analyzeProgress(info: InfoProgress | Info): ProgressAnalysis {
  return {
    stanzas: info.map((stanza) => {
      const lock = stanza.status.lock;
      return {
        name: stanza.name,
        status: { code: stanza.status.code, message: stanza.status.message, ok: stanza.status.code === 0 },
        backup: progressOf(lock?.backup, lock?.backup.repo),
        restore: progressOf(lock?.restore, undefined),
      };
    }),
  };
}
