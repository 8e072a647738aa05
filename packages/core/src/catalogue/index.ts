export {
  CATALOGUE_VERSIONS,
  Catalogue,
  type CommandOption,
  catalogueFor,
  catalogueVersionFor,
  compareVersions,
  MAX_OPTION_INDEX,
  type ResolvedOption,
} from './catalogue.js';
export type {
  CatalogueData,
  CatalogueVersion,
  CommandDefinition,
  CommandRole,
  OptionCommandRule,
  OptionDefinition,
  OptionDependency,
  OptionGroup,
  OptionSection,
  OptionType,
} from './model.js';
export type * from './options.generated.js';
