import { join } from 'node:path';
import { runProcess } from '@chronos/pgbackrest/testing';

/** A virtual repository served over plain HTTP by `probes/virtual-s3.mjs` in its own process. */
export interface VirtualEndpoint {
  readonly url: string;
  /** Bucket-relative prefix of the stanza's archive folder (the floor's listing prefix). */
  readonly archiveRoot: string;
  stop(): Promise<void>;
}

/**
 * Starts the virtual S3 endpoint of packages/s3-verify/bench (listings computed from names, so the
 * server costs next to nothing per key) with `segments` WAL objects and `latencyMs` per request.
 */
export async function startVirtualEndpoint(options: { segments: number; latencyMs: number }): Promise<VirtualEndpoint> {
  const here = import.meta.dirname ?? '.';
  const controller = new AbortController();
  let resolveReady: (port: number) => void = () => {};
  const ready = new Promise<number>((resolve) => {
    resolveReady = resolve;
  });
  const child = runProcess({
    file: process.execPath,
    args: [join(here, '..', 'probes', 'virtual-s3.mjs'), '0', String(options.segments), String(options.latencyMs)],
    env: { FIXTURES: join(process.cwd(), 'packages/s3-verify/test/fixtures/repo/plain/') },
    signal: controller.signal,
    killGraceMs: 2000,
    onStdoutLine: (line) => {
      const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
      if (port !== undefined) resolveReady(Number(port));
    },
  });
  const port = await Promise.race([
    ready,
    child.then((r) => {
      throw new Error(`the virtual S3 endpoint exited (${r.exitCode}): ${r.stderr.trim()}`);
    }),
  ]);
  const stop = async () => {
    controller.abort();
    await child;
  };
  return { url: `http://127.0.0.1:${port}`, archiveRoot: 'archive/fx/', stop };
}
