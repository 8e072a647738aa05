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
