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
export { LINT_DELIBERATE_DIFFERENCES, type LintDeliberateDifference } from './lint/deliberate-differences.js';
export { parseSize, SIZE_PATTERN } from './lint/value-grammar.js';
export {
  LINT_COMMANDS,
  type LintCode,
  type LintConfigOptions,
  type LintFinding,
  type LintResult,
  type LintSeverity,
  lintConfig,
} from './lint-config.js';
