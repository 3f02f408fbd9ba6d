// A real MLflow server for tests: the venv's `mlflow server` on a free 127.0.0.1 port with a sqlite
// store (or a given backend store URI, e.g. postgresql://…; with CXRLAB_TEST_BACKEND=postgres every
// server gets a throwaway PostgreSQL cluster of its own, which is how `npm test` runs the real-server
// suite a second time) and an artifacts folder in a temp dir. It can be stopped (gracefully or killed)
// and started again on the same port and store, so tests can take the server away in the middle of a run.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlflowServerEnv } from '../../src/tracking/embedded-server';
import { freePort } from '../../src/util/net';
import { startPostgres } from './postgres';
import { VENV_BIN } from './project';

export interface MlflowServerOptions {
  /** Folder for mlflow.db, artifacts/ and server.log. Defaults to a fresh temp dir, removed on stop(). */
  dir?: string;
  /** How long to wait for GET /health after each start, in ms. Defaults to 180 000 (45–90 s is usual on 2 cores). */
  startTimeoutMs?: number;
  /** The mlflow executable. Defaults to the project's venv. */
  mlflow?: string;
  /**
   * The backend store, e.g. postgresql://user:pw@127.0.0.1:5432/mlflow. Defaults to sqlite:///<dir>/mlflow.db,
   * or with CXRLAB_TEST_BACKEND=postgres to a PostgreSQL cluster started for this server (closed with it).
   */
  backendStoreUri?: string;
}

export interface MlflowTestServer {
  /** e.g. http://127.0.0.1:41871 — the same across restarts. */
  readonly uri: string;
  readonly port: number;
  /** Holds mlflow.db, artifacts/ and server.log. */
  readonly dir: string;
  /** The server's pid, or null while it is stopped. */
  readonly pid: number | null;
  /** Whether a server process is running now. */
  readonly running: boolean;
  /** Starts the server again on the same port and store (after stop() or kill()); waits for /health. */
  start(): Promise<void>;
  /** SIGTERM to the server's process group; waits until it has exited (SIGKILL after `graceMs`, default 10 000). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the server's process group, as a crash would; waits until it has exited. */
  kill(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** Stops the server for good and removes the temp dir it created (a `dir` passed in is kept). */
  close(): Promise<void>;
  /** The last lines of server.log. */
  logTail(lines?: number): string;
}

const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A failing or interrupted test must not leave a server behind: kill every group still running at exit,
  // and on a terminating signal (the runner's timeout sends SIGTERM) before dying of it.
  const killAll = () => {
    for (const pid of live) signalGroup(pid, 'SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

async function healthy(uri: string): Promise<boolean> {
  try {
    const res = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Starts a real MLflow server and resolves once GET /health answers.
 * @example
 * const server = await startMlflowServer();
 * after(() => server.close());
 */
export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowTestServer> {
  const mlflow = options.mlflow ?? join(VENV_BIN, 'mlflow');
  if (!existsSync(mlflow)) throw new Error(`startMlflowServer: expected the mlflow executable at ${mlflow}; run \`npm run setup\` to create the venv`);
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cxrlab-mlflow-server-'));
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'server.log');
  const cluster = options.backendStoreUri === undefined && testBackend() === 'postgres' ? await startPostgres() : null;
  const backendStoreUri = options.backendStoreUri ?? cluster?.url ?? `sqlite:///${join(dir, 'mlflow.db')}`;
  const timeoutMs = options.startTimeoutMs ?? (cluster ? 420_000 : 180_000);
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  installExitHook();

  const logTail = (lines = 20): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)');

  async function start(): Promise<void> {
    if (child) throw new Error(`startMlflowServer: the server on ${uri} is already running (pid ${child.pid})`);
    const out = openSync(logFile, 'a');
    const proc = spawn(
      mlflow,
      ['server', '--backend-store-uri', backendStoreUri, '--artifacts-destination', join(dir, 'artifacts'), '--host', '127.0.0.1', '--port', String(port), '--workers', '1'],
      { detached: true, stdio: ['ignore', out, out], env: { ...mlflowServerEnv(), MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' } },
    );
    closeSync(out);
    const pid = proc.pid;
    if (pid === undefined) throw new Error(`startMlflowServer: could not spawn ${mlflow}`);
    child = proc;
    live.add(pid);
    let hasExited = false;
    exited = new Promise<void>((resolve) =>
      proc.once('exit', () => {
        hasExited = true;
        live.delete(pid);
        if (child === proc) child = null;
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await healthy(uri)) return;
      if (hasExited) throw new Error(`startMlflowServer: the MLflow server on ${uri} exited before answering /health; ${logFile} ends:\n${logTail()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await kill();
    throw new Error(`startMlflowServer: expected ${uri}/health to answer within ${timeoutMs / 1000} s, it did not; ${logFile} ends:\n${logTail()}`);
  }

  async function stopWith(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const proc = child;
    if (!proc || proc.pid === undefined) return;
    signalGroup(proc.pid, signal);
    const timer = setTimeout(() => proc.pid !== undefined && signalGroup(proc.pid, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // uvicorn's worker shares the group; make sure nothing of it still holds the port.
    signalGroup(proc.pid, 'SIGKILL');
  }

  const kill = () => stopWith('SIGKILL', 0);

  const server: MlflowTestServer = {
    uri,
    port,
    dir,
    get pid() {
      return child?.pid ?? null;
    },
    get running() {
      return child !== null;
    },
    start,
    stop: (graceMs = 10_000) => stopWith('SIGTERM', graceMs),
    kill,
    async restart() {
      await stopWith('SIGTERM', 10_000);
      await start();
    },
    async close() {
      await stopWith('SIGTERM', 10_000);
      await cluster?.close();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    logTail,
  };
  try {
    await start();
    // /health answers before the worker has opened its store; on PostgreSQL that first opening (the
    // schema migrations) can take minutes on two cores: make it here, so no test's timeout pays for it.
    if (cluster) await openStore(uri, timeoutMs);
  } catch (err) {
    await cluster?.close();
    throw err;
  }
  return server;
}

/** The backend store the real-server tests run on: CXRLAB_TEST_BACKEND, `sqlite` (default) or `postgres`. */
export function testBackend(env: NodeJS.ProcessEnv = process.env): 'sqlite' | 'postgres' {
  const value = env.CXRLAB_TEST_BACKEND ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'postgres') throw new Error(`CXRLAB_TEST_BACKEND: expected sqlite or postgres, received ${JSON.stringify(value)}`);
  return value;
}

async function openStore(uri: string, timeoutMs: number): Promise<void> {
  const res = await fetch(`${uri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`startMlflowServer: the first store request to ${uri} answered HTTP ${res.status}`);
}
