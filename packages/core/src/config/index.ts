export {
  type ConfigDocument,
  type ConfigLine,
  type ConfigSection,
  configSections,
  getOption,
  parseConfigFile,
  parseSectionName,
  renderConfigFile,
  sectionOptions,
  setOption,
  unsetOption,
} from './config-document.js';
export { closestName } from './did-you-mean.js';
export {
  type LintCode,
  type LintConfigOptions,
  type LintFinding,
  type LintResult,
  type LintSeverity,
  lintConfig,
} from './lint-config.js';
