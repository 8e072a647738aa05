#!/usr/bin/env node
const argv = process.argv.slice(2);

// A reader that stops early (`chronos --help | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${__CHRONOS_VERSION__}\n`);
} else {
  import('./program.js').then(
    async ({ main }) => {
      process.exitCode = await main(argv);
    },
    (error: unknown) => {
      process.stderr.write(`chronos: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
