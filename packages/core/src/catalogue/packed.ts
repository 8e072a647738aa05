import type { CatalogueData, OptionCommandRule, OptionDefinition } from './model.js';

/** The generated form: each option's command rules as an index into `commandRules`, whose values index `rules`. */
interface PackedCatalogue extends Omit<CatalogueData, 'options'> {
  readonly options: Readonly<Record<string, Omit<OptionDefinition, 'commands'> & { readonly commands: number }>>;
  readonly commandRules: readonly Readonly<Record<string, number>>[];
  readonly rules: readonly OptionCommandRule[];
}

/** The JSON text of a generated catalogue stored as base64 of brotli-compressed JSON (zlib loads on first use). */
export function decompressCatalogue(packed: string): string {
  const { brotliDecompressSync } = process.getBuiltinModule('node:zlib');
  return brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');
}

/**
 * Decodes the JSON text of a generated catalogue, whose options share their command rules. Options with the same rules
 * get the same (read-only) rule objects.
 */
export function unpackCatalogue(json: string): CatalogueData {
  const { commandRules, rules, options, ...rest } = JSON.parse(json) as PackedCatalogue;
  const maps = commandRules.map((map) => {
    const commands: Record<string, OptionCommandRule> = {};
    for (const command in map) commands[command] = rules[map[command] as number] as OptionCommandRule;
    return commands;
  });
  const unpacked: Record<string, OptionDefinition> = {};
  for (const name in options) {
    const option = options[name] as PackedCatalogue['options'][string];
    unpacked[name] = { ...option, commands: maps[option.commands] as OptionDefinition['commands'] };
  }
  return { ...rest, options: unpacked };
}
