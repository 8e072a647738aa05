import type { Options } from 'tsup';

type TsupPlugin = NonNullable<Options['plugins']>[number];

/** A bare reference to `require` (not `__require`, `module.require` or `$require`). */
const BARE_REQUIRE = /(?<![\w.$])require(?![\w$])/;

/**
 * A tsup plugin that keeps the `require` banner only in the chunks that use `require`. The ESM executable needs a
 * `require` for the CommonJS code it bundles (esbuild's `__require` reads it in the one chunk that defines it); every
 * other chunk would create a require function it never calls, at a cost on each start of every command.
 */
export function requireWhereUsed(banner: string): TsupPlugin {
  const bannerLines = banner.split('\n').length;
  return {
    name: 'require-where-used',
    renderChunk(code, info) {
      const shebang = code.startsWith('#!') ? code.slice(0, code.indexOf('\n') + 1) : '';
      if (!code.startsWith(`${banner}\n`, shebang.length)) return undefined;
      const body = code.slice(shebang.length + banner.length + 1);
      if (BARE_REQUIRE.test(body)) return undefined;
      if (info.type === 'chunk' && info.map) {
        const map = typeof info.map === 'string' ? JSON.parse(info.map) : info.map;
        // The banner's lines map to nothing: drop their (empty) lines from the mappings, after a shebang's.
        const lines = (map.mappings as string).split(';');
        const first = shebang === '' ? 0 : 1;
        if (lines.slice(first, first + bannerLines).some((line) => line !== '')) return undefined;
        lines.splice(first, bannerLines);
        map.mappings = lines.join(';');
        info.map = map;
      }
      return { code: shebang + body };
    },
  };
}
