// Run by secret-leaks.test.ts under `strace -f`: its own S3 endpoint and native stack, the client's main
// commands on an encrypted S3 repository, WAL archiving. The passphrase arrives in CHRONOS_LEAK_SECRET.
// Prints one JSON line: what pgBackRest reported and how many log lines or outputs held the passphrase.
import {
  createStackClient,
  startNativeStack,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '../../../src/testing/index.js';

const cipherPass = process.env['CHRONOS_LEAK_SECRET'] ?? '';
delete process.env['CHRONOS_LEAK_SECRET'];
const seen: string[] = [];
const s3 = await startS3Endpoint({ bucket: 'secret-leaks' });
try {
  const stack = await startNativeStack({
    repos: [{ type: 's3', endpoint: s3, cipherPass }],
    options: { 'start-fast': 'y', 'compress-type': 'lz4' },
  });
  try {
    const client = createStackClient(stack, { timeout: 180_000, onLog: (event) => seen.push(event.message) });
    await client.stanzaCreate();
    await writeRows(stack, 500);
    const backup = await client.backup({ type: 'full', 'log-level-console': 'info' });
    seen.push(backup.stdout, backup.stderr);
    await switchWal(stack);
    await client.check();
    const [info] = await client.info();
    seen.push(await client.repoGet(`backup/${stack.stanza}/backup.info`));
    process.stdout.write(
      `${JSON.stringify({
        cipher: info?.cipher,
        backups: info?.backup.length,
        logLines: seen.length,
        withSecret: seen.filter((text) => text.includes(cipherPass)).length,
      })}\n`,
    );
  } finally {
    await stack.stop();
  }
} finally {
  await s3.stop();
}
