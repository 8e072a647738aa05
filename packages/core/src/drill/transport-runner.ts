import { runProcess } from '../exec/process.js';
import {
  hasRemoteGroup,
  REMOTE_PID_LINE,
  remoteKillRequest,
  type Transport,
  toProcessRequest,
  withoutPidLine,
} from '../exec/transport.js';
import type { ProgramRunner } from './recovered-cluster.js';

/**
 * A {@link ProgramRunner} that runs programs the way a transport runs pgBackRest: locally (as `runAs`), in a
 * container (`docker exec`), or over ssh. Environment values travel as pgBackRest's secrets do (env, or ssh stdin).
 *
 * @example
 * const run = transportRunner({ kind: 'local', runAs: { user: 'postgres' } });
 * const result = await run('/usr/lib/postgresql/15/bin/pg_ctl', ['-D', '/srv/drill/pgdata', 'status']);
 */
export function transportRunner(transport: Transport): ProgramRunner {
  return async (file, args, options = {}) => {
    const request = toProcessRequest({ file, args: [...args], env: { ...options.env } }, transport);
    let remotePid: number | undefined;
    const raw = await runProcess({
      ...request,
      ...(options.input === undefined || request.input !== undefined ? {} : { input: options.input }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(hasRemoteGroup(transport)
        ? {
            onStdoutLine: (line: string) => {
              const pid = remotePid === undefined ? REMOTE_PID_LINE.exec(line) : null;
              if (pid) remotePid = Number(pid[1]);
            },
          }
        : {}),
    });
    if (!hasRemoteGroup(transport)) return raw;
    if (remotePid !== undefined && (raw.timedOut || raw.isCanceled)) {
      await runProcess(remoteKillRequest(transport, remotePid, 'KILL'));
    }
    return { ...raw, stdout: withoutPidLine(raw.stdout) };
  };
}
