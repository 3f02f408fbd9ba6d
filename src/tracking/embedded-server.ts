// The embedded MLflow server: with no tracking URI configured, cxrlab starts (or reuses) a local
// server from the project's venv — sqlite store and artifact folder under <stateDir>, bound to
// 127.0.0.1 on a free port — and records its pid and port so later runs and `cxrlab ui` reuse it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CxrlabError } from '../errors';
import { freePort } from '../util/net';

export interface EmbeddedServerOptions {
  /** Folder for the store, artifacts, log and state file, e.g. <project>/.cxrlab/mlflow. */
  stateDir: string;
  /** The venv that has `mlflow`. */
  venv: string;
  /** How long to wait for /health, in seconds. Defaults to 180 (the first start migrates the store). */
  timeoutSeconds?: number;
  /** Progress messages (starting, waiting). */
  log?: (message: string) => void;
}

export interface EmbeddedServer {
  uri: string;
  pid: number;
  port: number;
  /** False when an already running server was reused. */
  started: boolean;
}

interface StateFile {
  pid: number;
  port: number;
  uri: string;
}

const stateFile = (dir: string) => join(dir, 'server.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function healthy(uri: string): Promise<boolean> {
  try {
    const res = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** One store request (search one experiment) answered before `deadline`. */
async function storeReady(uri: string, deadline: number): Promise<boolean> {
  try {
    const res = await fetch(`${uri}/api/2.0/mlflow/experiments/search?max_results=1`, { signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())) });
    return res.ok;
  } catch {
    return false;
  }
}

function readState(dir: string): StateFile | null {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as StateFile;
  } catch {
    return null;
  }
}

/**
 * The server's environment: MLflow 3's job runner (GenAI jobs cxrlab does not use) is off unless the
 * environment turns it on. It starts about six worker processes of ~240 MB each, and on two cores it
 * made the first answer to /health take ~140 s instead of ~85 s.
 */
export function mlflowServerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: env.MLFLOW_SERVER_ENABLE_JOB_EXECUTION ?? 'false' };
}

/** Returns a healthy local server, reusing the recorded one when it still answers. */
export async function ensureEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const previous = readState(options.stateDir);
  if (previous && alive(previous.pid) && (await healthy(previous.uri))) return { ...previous, started: false };

  const mlflow = join(options.venv, 'bin', 'mlflow');
  if (!existsSync(mlflow)) throw new CxrlabError(`${mlflow} is missing: run \`npm run setup\` to create the venv, or set MLFLOW_TRACKING_URI`);
  mkdirSync(join(options.stateDir, 'artifacts'), { recursive: true });
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const logFile = join(options.stateDir, 'server.log');
  const args = [
    'server',
    '--backend-store-uri', `sqlite:///${join(options.stateDir, 'mlflow.db')}`,
    '--artifacts-destination', join(options.stateDir, 'artifacts'),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--workers', '1',
  ];
  const out = openSync(logFile, 'a');
  const child = spawn(mlflow, args, { detached: true, stdio: ['ignore', out, out], env: mlflowServerEnv() });
  child.unref();
  const pid = child.pid as number;
  writeFileSync(stateFile(options.stateDir), JSON.stringify({ pid, port, uri } satisfies StateFile));
  log(`starting the MLflow server on ${uri} (the first start can take a minute; log: ${logFile})`);
  const deadline = Date.now() + (options.timeoutSeconds ?? 180) * 1000;
  while (Date.now() < deadline) {
    // /health answers before the worker has opened its store; the first store request (which creates the
    // tables) can take over a minute on a busy machine, so wait for one here rather than in the first run.
    if ((await healthy(uri)) && (await storeReady(uri, deadline))) return { uri, pid, port, started: true };
    if (!alive(pid)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  stopPid(pid);
  rmSync(stateFile(options.stateDir), { force: true });
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-12).join('\n') : '';
  throw new CxrlabError(`the MLflow server did not answer ${uri}/health and a first store request within ${options.timeoutSeconds ?? 180} s; its log (${logFile}) ends:\n${tail}`);
}

function stopPid(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM'); // the server's process group: uvicorn and its worker
  } catch {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

/** Stops the recorded server, if any; returns whether one was running. */
export function stopEmbeddedServer(stateDir: string): boolean {
  const state = readState(stateDir);
  rmSync(stateFile(stateDir), { force: true });
  if (!state || !alive(state.pid)) return false;
  stopPid(state.pid);
  return true;
}
