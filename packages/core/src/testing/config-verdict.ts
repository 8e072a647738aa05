import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PgBackRestConfigVerdict, parsePgBackRestConfigVerdict } from '../config/lint/pgbackrest-verdict.js';
import { runProcess } from '../exec/process.js';

/** One run of pgBackRest on one configuration file. */
export interface ConfigRun {
  /** File name inside the directory. */
  readonly file: string;
  readonly stanza: string;
  readonly command: string;
}

/** What pgBackRest said in one {@link ConfigRun}. */
export interface ConfigRunResult extends ConfigRun {
  readonly exitCode: number;
  readonly output: string;
  readonly verdict: PgBackRestConfigVerdict;
}

/** Where pgBackRest runs: the local binary, or a throwaway container of an image (no network at all). */
export type ConfigJudge =
  | { readonly kind: 'native'; readonly bin?: string }
  /** `user` runs pgBackRest as that user of the image (default `postgres`: pgBackRest 2.60 refuses root). */
  | { readonly kind: 'image'; readonly image: string; readonly user?: string };

/** Options for {@link judgeConfigFiles}. */
export interface JudgeConfigFilesOptions {
  /**
   * A directory holding the files; pgBackRest sees it at the same path (the container mounts it there). With an image
   * the image's user must be able to read the files and write to the directory.
   */
  readonly directory: string;
  readonly runs: readonly ConfigRun[];
  readonly judge: ConfigJudge;
  /** For the whole batch. Default 20 minutes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const SCRIPT = `#!/bin/bash
# Runs pgBackRest once per line of runs.tsv (id, file, stanza, command), as many at a time as there are cores, and
# prints each result after a marker line, in order. --io-timeout=1 and the kill bound what a run does once its options
# are read (pgBackRest prints its verdict on them first).
dir=$1; bin=$2
run_one() {
  IFS=$'\\t' read -r id file stanza command <<<"$1"
  for limit in 10 120; do
    out=$(cd "$dir" && timeout -s KILL "$limit" "$bin" --config="$dir/$file" --stanza="$stanza" --log-level-console=warn \\
      --io-timeout=1 "$command" 2>&1 </dev/null)
    rc=$?
    # Killed before it printed anything (a loaded machine): run it again with more time.
    [ "$rc" = 137 ] && [ -z "$out" ] || break
  done
  printf '@@RUN\\t%s\\t%s\\n%s\\n' "$id" "$rc" "$out" >"$dir/results/$id"
}
export -f run_one; export dir bin
rm -rf "$dir/results" && mkdir "$dir/results"
tr '\\n' '\\0' <"$dir/runs.tsv" | xargs -0 -P "$(nproc)" -I{} bash -c 'run_one "$1"' _ {}
count=$(wc -l <"$dir/runs.tsv")
for ((i = 0; i < count; i++)); do cat "$dir/results/$i"; done
`;

/**
 * Runs real pgBackRest on configuration files and reads what it says about each: the option error it stops with
 * and the configuration warnings it prints, leaving out what the missing database or repository causes. For
 * measuring a linter against the binary it describes. Nothing reaches a network: the local binary runs in a new
 * network namespace when `unshare` allows it (as root), an image runs with `--network none`; either way pgBackRest
 * gets no `PGBACKREST_*` variables from this process.
 *
 * @example
 * const results = await judgeConfigFiles({
 *   directory: dir,
 *   runs: [{ file: 'a.conf', stanza: 'main', command: 'backup' }],
 *   judge: { kind: 'image', image: 'chronos-pg:17-2.55.1' },
 * });
 * results[0].verdict.error?.option; // e.g. 'repo1-s3-bucket'
 */
export async function judgeConfigFiles(options: JudgeConfigFilesOptions): Promise<ConfigRunResult[]> {
  const { directory, runs, judge } = options;
  for (const run of runs) {
    for (const field of [run.file, run.stanza, run.command]) {
      if (/[\t\n]/.test(field))
        throw new TypeError(
          `a run's file, stanza and command cannot hold tabs or line breaks: ${JSON.stringify(field)}`,
        );
    }
  }
  await writeFile(
    join(directory, 'runs.tsv'),
    runs.map((r, i) => `${i}\t${r.file}\t${r.stanza}\t${r.command}\n`).join(''),
  );
  await writeFile(join(directory, 'judge.sh'), SCRIPT, { mode: 0o755 });
  const script = join(directory, 'judge.sh');
  const timeout = options.timeoutMs ?? 20 * 60_000;
  const common = {
    timeout,
    inheritEnv: ['PATH', 'LANG', 'LC_ALL'] as const,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  let result: Awaited<ReturnType<typeof runProcess>>;
  if (judge.kind === 'native') {
    const bin = judge.bin ?? 'pgbackrest';
    const isolate =
      process.getuid?.() === 0 && (await runProcess({ file: 'unshare', args: ['-n', 'true'] })).exitCode === 0;
    result = await runProcess({
      ...common,
      file: isolate ? 'unshare' : 'bash',
      args: isolate ? ['-n', 'bash', script, directory, bin] : [script, directory, bin],
    });
  } else {
    const name = `chronos-config-judge-${randomUUID().slice(0, 8)}`;
    try {
      result = await runProcess({
        ...common,
        file: 'docker',
        args: [
          'run',
          '--rm',
          '--name',
          name,
          '--network',
          'none',
          '--user',
          judge.user ?? 'postgres',
          '--entrypoint',
          'bash',
          '-v',
          `${directory}:${directory}`,
          judge.image,
          script,
          directory,
          'pgbackrest',
        ],
      });
    } finally {
      await runProcess({ file: 'docker', args: ['rm', '-f', name], timeout: 30_000 });
    }
  }
  if (result.exitCode !== 0) {
    throw new Error(
      `pgBackRest could not be run on the configuration files (exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''}): ${result.stderr.slice(0, 500)}`,
    );
  }
  const results: ConfigRunResult[] = [];
  const parts = result.stdout.split(/^@@RUN\t/m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const [id, code] = part.slice(0, newline).split('\t');
    const output = part.slice(newline + 1);
    const run = runs[Number(id)]!;
    const exitCode = Number(code);
    results.push({ ...run, exitCode, output, verdict: parsePgBackRestConfigVerdict(output, exitCode) });
  }
  if (results.length !== runs.length) {
    throw new Error(`pgBackRest answered ${results.length} of ${runs.length} runs`);
  }
  return results;
}
