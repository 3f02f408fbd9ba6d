// A throwaway PostgreSQL cluster for tests: initdb into a temp folder, started with pg_ctl on a free
// 127.0.0.1 port (password auth, unix socket inside the folder), with one database owned by a
// non-superuser role, as a team's MLflow store would be. Run as the `postgres` OS user when the tests
// run as root (postgres refuses root). Stopped and removed by close(), and at exit if a test dies.
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/util/net';

export interface PostgresOptions {
  /** Folder holding initdb, pg_ctl, postgres and psql. Defaults to CXRLAB_POSTGRES_BIN, else the newest /usr/lib/postgresql/<ver>/bin. */
  binDir?: string;
  /** The database to create. Defaults to `mlflow`. */
  database?: string;
  /** The role that owns it (LOGIN, no superuser). Defaults to `mlflow`. */
  user?: string;
  /** The OS user that runs the server when the tests run as root. Defaults to `postgres` (Debian's package creates it). */
  osUser?: string;
}

export interface PostgresTestCluster {
  /** postgresql://<user>:<password>@127.0.0.1:<port>/<database>, a SQLAlchemy URL for MLflow's --backend-store-uri. */
  readonly url: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The server's major version, e.g. 15. */
  readonly version: number;
  /** The temp folder: data/ (the cluster), postgres.log. */
  readonly dir: string;
  /** Runs SQL in the database as its owner and returns psql's unaligned, tuples-only output (`|` between columns). */
  query(sql: string): string;
  /** The last lines of postgres.log. */
  logTail(lines?: number): string;
  /** Stops the server (fast shutdown) and removes the folder. */
  close(): Promise<void>;
}

interface Account {
  uid: number;
  gid: number;
}

const INSTALL_HINT = "install Debian's postgresql (apt-get install postgresql; .ci/run does it), or set CXRLAB_POSTGRES_BIN to a folder with initdb, pg_ctl and psql";
const TOOLS = ['initdb', 'pg_ctl', 'postgres', 'psql'];

/** The newest Debian cluster binaries, or CXRLAB_POSTGRES_BIN, or whatever initdb is on PATH. */
export function findPostgresBin(binDir = process.env.CXRLAB_POSTGRES_BIN): string {
  const complete = (dir: string) => TOOLS.every((t) => existsSync(join(dir, t)));
  if (binDir) {
    if (!complete(binDir)) throw new Error(`PostgreSQL: ${binDir} lacks one of ${TOOLS.join(', ')}; ${INSTALL_HINT}`);
    return binDir;
  }
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    if (complete(join(debian, version, 'bin'))) return join(debian, version, 'bin');
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const dir = onPath.status === 0 ? onPath.stdout.trim().replace(/\/initdb$/, '') : '';
  if (dir && complete(dir)) return dir;
  throw new Error(`PostgreSQL: no server binaries (${TOOLS.join(', ')}) in ${debian}/<version>/bin or on PATH; ${INSTALL_HINT}`);
}

function account(name: string): Account {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`PostgreSQL: the server refuses to run as root and the OS user "${name}" does not exist; ${INSTALL_HINT} (its package creates the user), or run the tests as another user`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function exec(cmd: string, args: string[], options: SpawnSyncOptions, what: string): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...options });
  if (res.error || res.status !== 0) {
    const why = res.error ? res.error.message : `exit code ${res.status}`;
    throw new Error(`PostgreSQL: ${what} failed (${why}): ${[cmd, ...args].join(' ')}\n${String(res.stderr ?? '').trim()}\n${String(res.stdout ?? '').trim()}`.trim());
  }
  return String(res.stdout ?? '');
}

const live = new Map<string, () => void>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // A failing or interrupted test must not leave a cluster running: stop each one at exit, and on a
  // terminating signal (the runner's timeout sends SIGTERM) before dying of it.
  const stopAll = () => {
    for (const stop of live.values()) stop();
  };
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Creates and starts a throwaway cluster; resolves once its database accepts the owner's connections.
 * @example
 * const pg = await startPostgres();
 * const server = await startMlflowServer({ backendStoreUri: pg.url });
 * after(async () => { await server.close(); await pg.close(); });
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresTestCluster> {
  const bin = findPostgresBin(options.binDir);
  const database = options.database ?? 'mlflow';
  const user = options.user ?? 'mlflow';
  const runAs = process.getuid?.() === 0 ? account(options.osUser ?? 'postgres') : null;
  const dir = mkdtempSync(join(tmpdir(), 'cxrlab-postgres-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const superPassword = randomBytes(18).toString('hex');
  const password = randomBytes(18).toString('hex');
  // The server's own processes: as the OS user that owns the folder, with a HOME it can read.
  const asServer: SpawnSyncOptions = { env: { ...process.env, HOME: dir, LC_ALL: 'C' }, ...(runAs ?? {}) };
  const tool = (name: string) => join(bin, name);
  const logTail = (lines = 30) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)');

  let port = 0;
  let running = false;
  const stop = (mode: 'fast' | 'immediate') => {
    if (running) spawnSync(tool('pg_ctl'), ['stop', '-D', data, '-m', mode, '-w', '-t', '60'], { ...asServer, stdio: 'ignore', timeout: 90_000 });
    running = false;
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  };
  installExitHooks();
  live.set(dir, () => stop('immediate'));

  try {
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    const pwfile = join(dir, 'superuser.pw');
    writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
    if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
    exec(tool('initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], asServer, runAs ? `initdb as OS user "${options.osUser ?? 'postgres'}" (it must be able to reach ${dir}; set TMPDIR to a folder it can)` : 'initdb');
    rmSync(pwfile);

    port = await freePort();
    // Throwaway settings: no fsync, loopback only, the socket inside the folder (not /var/run/postgresql).
    const settings = [`-p ${port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'];
    running = true;
    exec(tool('pg_ctl'), ['start', '-D', data, '-l', logFile, '-w', '-t', '120', '-o', settings.join(' ')], asServer, 'pg_ctl start');
  } catch (err) {
    const tail = existsSync(logFile) ? `\n${logFile} ends:\n${logTail()}` : '';
    stop('immediate');
    throw new Error(`${err instanceof Error ? err.message : String(err)}${tail}`, { cause: err });
  }

  const psql = (sql: string, as: { user: string; password: string; database: string }) =>
    exec(tool('psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', as.user, '-d', as.database, '-c', sql], { env: { ...process.env, PGPASSWORD: as.password, PGCONNECT_TIMEOUT: '10' } }, `psql as ${as.user}`);
  try {
    const admin = { user: 'postgres', password: superPassword, database: 'postgres' };
    psql(`CREATE ROLE "${user}" LOGIN PASSWORD '${password}'`, admin);
    psql(`CREATE DATABASE "${database}" OWNER "${user}" ENCODING 'UTF8'`, admin);
  } catch (err) {
    stop('immediate');
    throw err;
  }
  const version = Number(exec(tool('postgres'), ['--version'], {}, 'postgres --version').match(/(\d+)(?:\.\d+)*/)?.[1] ?? 0);

  return {
    url: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
    port,
    database,
    user,
    version,
    dir,
    query: (sql) => psql(sql, { user, password, database }).trim(),
    logTail,
    async close() {
      stop('fast');
    },
  };
}
