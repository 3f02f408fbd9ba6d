// Runs a trial in a worker process: `node bin/cxrlab.cjs train <experiment> --set … --tag …`, its output
// relayed line by line and kept in <logDir>/trial-<n>.log. Workers get their own process group, so a
// Ctrl-C reaches the sweep only, which tells each running worker once (SIGINT: stop after this batch, run
// KILLED); a hard stop kills them. The exit code and the end of stderr make the TrialExit.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue } from '../mlflow-client';
import { PROJECT_ROOT } from '../project-paths';
import { type TrialExecutor, errorMessage, runOverrides } from './executor';

export interface WorkerOptions {
  /** The experiment file every trial trains. */
  experiment: string;
  /** The workers' environment: the parent's tracking server and experiment (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME). */
  env: NodeJS.ProcessEnv;
  /** Each trial's output is also written to <logDir>/trial-<n>.log (the folder must exist). */
  logDir: string;
  /** The `cxrlab` entry point. Defaults to the project's bin/cxrlab.cjs (which runs dist/). */
  bin?: string;
  /** Defaults to the running Node (process.execPath). */
  node?: string;
  /** Defaults to process.cwd() (relative output and data paths resolve as for `cxrlab train`). */
  cwd?: string;
  /** Kills the running workers (SIGKILL); their runs are then marked KILLED. */
  hardStop?: AbortSignal;
}

/** Lines of stderr kept for the error message of a failed trial. */
const ERROR_LINES = 8;

/** The worker's arguments after `node`: `<bin> train <experiment> --set k=v … --tag k=v …`. */
export function workerArgs(bin: string, experiment: string, overrides: readonly string[], tags: readonly KeyValue[]): string[] {
  return [bin, 'train', experiment, ...overrides.flatMap((o) => ['--set', o]), ...tags.flatMap((t) => ['--tag', `${t.key}=${t.value}`])];
}

/** Workers still running, killed if the sweep process exits without waiting for them. */
const live = new Set<ChildProcess>();
let exitHook = false;

function track(child: ChildProcess): void {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('close', () => live.delete(child));
}

/** Splits a stream into lines (a progress bar's \r redraws count as line ends). */
function onLines(stream: NodeJS.ReadableStream | null, each: (line: string) => void): void {
  let rest = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const parts = (rest + chunk).split(/\r?\n|\r/);
    rest = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) each(p);
  });
  stream?.on('end', () => {
    if (rest.trim()) each(rest);
  });
}

export function workerExecutor(options: WorkerOptions): TrialExecutor {
  const bin = options.bin ?? join(PROJECT_ROOT, 'bin', 'cxrlab.cjs');
  const node = options.node ?? process.execPath;
  return (run) =>
    new Promise((done) => {
      const { trial, tags, log, signal } = run;
      const args = workerArgs(bin, options.experiment, runOverrides(run), tags);
      const file = createWriteStream(join(options.logDir, `trial-${trial.number}.log`));
      file.write(`$ ${[node, ...args].join(' ')}\n`);
      const stderr: string[] = [];
      const child = spawn(node, args, { cwd: options.cwd ?? process.cwd(), env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      track(child);
      onLines(child.stdout, (line) => {
        file.write(`${line}\n`);
        log(line);
      });
      onLines(child.stderr, (line) => {
        file.write(`${line}\n`);
        stderr.push(line);
        if (stderr.length > ERROR_LINES) stderr.shift();
        log(line);
      });
      const stop = () => child.kill('SIGINT');
      const kill = () => child.kill('SIGKILL');
      signal?.addEventListener('abort', stop, { once: true });
      options.hardStop?.addEventListener('abort', kill, { once: true });
      let settled = false;
      const finish = (code: number | null, by: NodeJS.Signals | null, failure?: string) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', stop);
        options.hardStop?.removeEventListener('abort', kill);
        const ok = code === 0 && !failure;
        const why = failure ?? (by ? `the worker was killed by ${by}` : `the worker exited with code ${code}`);
        file.end(`${ok ? 'exit 0' : why}\n`, () =>
          done({
            ok,
            interrupted: Boolean(signal?.aborted || options.hardStop?.aborted),
            ...(ok ? {} : { error: stderr.length ? `${why}: ${stderr.join('\n')}` : why }),
          }),
        );
      };
      child.once('error', (err) => finish(null, null, `cannot start the worker: ${errorMessage(err)}`));
      child.once('close', (code, by) => finish(code, by));
    });
}
