import { transformSync } from 'esbuild';
import type { Options } from 'tsup';

type TsupPlugin = NonNullable<Options['plugins']>[number];

/**
 * A tsup plugin that turns each ESM chunk of the split executable into a CommonJS file (`.cjs`) that loads the other
 * chunks with `require`. Node then never starts its ES module loader for the CLI, which costs every command about
 * 15 ms of start-up; esbuild's own splitting (one copy of each module, chunks per command) is kept as it is.
 */
export function commonJsChunks(): TsupPlugin {
  return {
    name: 'commonjs-chunks',
    renderChunk(code, info) {
      if (info.type !== 'chunk' || !info.path.endsWith('.js')) return undefined;
      info.path = info.path.replace(/\.js$/, '.cjs');
      const result = transformSync(code, {
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        minify: true,
        sourcemap: 'external',
        sourcefile: info.path,
        // `import()` of a chunk becomes `require()`; the bundle's external dependencies are CommonJS packages too.
        supported: { 'dynamic-import': false },
      });
      return { code: result.code.replace(/require\("(\.\/[\w-]+)\.js"\)/g, 'require("$1.cjs")'), map: result.map };
    },
  };
}
