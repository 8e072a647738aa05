import { compareVersions } from '../catalogue/catalogue.js';

/** The first pgBackRest release with `info --detail-level=progress`. */
export const INFO_PROGRESS_SINCE = '2.56';

/**
 * Whether a pgBackRest version has `info --detail-level=progress` (2.56+), the cheap way to poll a running backup: it
 * reads neither backup.info nor the WAL archive.
 *
 * @example
 * supportsInfoProgress('2.55.1'); // false
 * supportsInfoProgress('2.60.0'); // true
 */
export function supportsInfoProgress(version: string): boolean {
  return compareVersions(version, INFO_PROGRESS_SINCE) >= 0;
}
