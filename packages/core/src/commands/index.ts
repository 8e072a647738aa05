export { annotateCommand } from './annotate.js';
export { archiveGetCommand } from './archive-get.js';
export { archivePushCommand } from './archive-push.js';
export { backupCommand } from './backup.js';
export {
  type BuildContext,
  buildCommand,
  envNameOf,
  type OptionMap,
  type OptionValue,
  type PgBackRestCommand,
  toOptionMap,
} from './build-command.js';
export { checkCommand } from './check.js';
export { expireCommand } from './expire.js';
export { infoCommand } from './info.js';
export {
  parseVerifyOutput,
  type VerifyArchive,
  type VerifyBackup,
  type VerifyCounts,
  type VerifyResult,
} from './parse-verify.js';
export { render } from './render.js';
export { repoGetCommand } from './repo-get.js';
export { repoLsCommand } from './repo-ls.js';
export { restoreCommand } from './restore.js';
export { serverPingCommand } from './server-ping.js';
export { stanzaCreateCommand } from './stanza-create.js';
export { stanzaDeleteCommand } from './stanza-delete.js';
export { stanzaUpgradeCommand } from './stanza-upgrade.js';
export { startCommand } from './start.js';
export { stopCommand } from './stop.js';
export { verifyCommand } from './verify.js';
export { versionCommand } from './version.js';
