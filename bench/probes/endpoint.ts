// The S3 endpoint in its own process (so its CPU and memory are not the measured process's):
// prints its connection details as one JSON line and serves until terminated.
import { startS3Endpoint } from '@chronos/pgbackrest/testing';

const [directory, latency = '0', bucket = 'chronos-bench'] = process.argv.slice(2);
const endpoint = await startS3Endpoint({
  bucket,
  latencyMs: Number(latency),
  ...(directory ? { directory } : {}),
});
process.stdout.write(
  `${JSON.stringify({
    port: endpoint.port,
    url: endpoint.url,
    bucket: endpoint.bucket,
    region: endpoint.region,
    accessKeyId: endpoint.accessKeyId,
    secretAccessKey: endpoint.secretAccessKey,
    caCert: endpoint.caCert,
    directory: endpoint.directory,
  })}\n`,
);
const stop = () => void endpoint.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
