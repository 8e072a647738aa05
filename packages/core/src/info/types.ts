import type { z } from 'zod';
import type {
  archiveSchema,
  backupLockSchema,
  backupSchema,
  dbSchema,
  progressStanzaSchema,
  REPO_STATUS_CODES,
  repoSchema,
  STANZA_STATUS_CODES,
  stanzaSchema,
  stanzaStatusSchema,
} from './schema.js';

/** The parsed `pgbackrest info --output=json` document: one entry per stanza. Field names are pgBackRest's own. */
export type Info = StanzaInfo[];
/** One stanza of `info --output=json`; unknown fields from newer pgBackRest versions are kept. */
export type StanzaInfo = z.output<typeof stanzaSchema>;
/** One backup set as `info` reports it. */
export type BackupInfo = z.output<typeof backupSchema>;
/** WAL archive range of one database id in one repository. */
export type ArchiveInfo = z.output<typeof archiveSchema>;
/** A database (PostgreSQL cluster) known to the stanza, with its exact system id. */
export type DbInfo = z.output<typeof dbSchema>;
/** One repository's cipher and status. */
export type RepoInfo = z.output<typeof repoSchema>;
/** Stanza status including locks (progress fields from 2.48, restore lock from 2.56, per-repo progress from 2.59). */
export type StanzaStatus = z.output<typeof stanzaStatusSchema>;
/** The backup lock, with optional progress. */
export type BackupLock = z.output<typeof backupLockSchema>;
/** Stanza status code. */
export type StanzaStatusCode = (typeof STANZA_STATUS_CODES)[number];
/** Repository status code. */
export type RepoStatusCode = (typeof REPO_STATUS_CODES)[number];
/** Backup type. */
export type BackupType = BackupInfo['type'];
/**
 * The parsed `pgbackrest info --output=json --detail-level=progress` document (pgBackRest 2.56+): one entry per stanza
 * with only `name` and `status` (locks and progress). Field names are pgBackRest's own.
 */
export type InfoProgress = StanzaProgressInfo[];
/** One stanza of progress-mode `info`; unknown fields are kept. */
export type StanzaProgressInfo = z.output<typeof progressStanzaSchema>;
/** What `info --detail-level` printed: `full` (the default) or `progress`. */
export type InfoDetailLevel = 'full' | 'progress';
/** An info document of either detail level, as {@link parseInfoDocument} returns it. */
export type InfoDocument =
  | { readonly detailLevel: 'full'; readonly info: Info }
  | { readonly detailLevel: 'progress'; readonly info: InfoProgress };
