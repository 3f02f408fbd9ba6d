// `cxrlab sync <run folder>... [--all <runs dir>]`: delivers what runs could not log to MLflow while the
// server was away — the journals (mlflow-spool*.jsonl, see tracking/spool.ts) kept in their run folders —
// to the run's tracking server: MLFLOW_TRACKING_URI when set, else the one named in the folder's
// tracking.json (or the journal's header), with the credentials of the environment. A fully delivered
// journal is removed; tracking.json gets the run id of a run that was created only now. Anything still
// undelivered afterwards (server away, records refused) is a CxrlabError, so the command exits 1.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, CxrlabError } from '../errors';
import { type MlflowClient, createMlflowClient, isMlflowError, settingsFromEnv } from '../mlflow-client';
import { writeJson } from '../run/dir';
import { SPOOL_FILE, SPOOL_FILE_PATTERN, Spool, type SpoolOpKind, describeOp, spoolFilesIn } from '../tracking/spool';
import { mlflowDelivery } from '../tracking/spool-delivery';
import { isTransientError, replaySpool } from '../tracking/spool-replay';

export const SYNC_USAGE = 'usage: cxrlab sync <run folder>... [--all <runs dir>]';

/** Options of syncRunFolder. */
export interface SyncOptions {
  /** The run folder holding the journal(s) and tracking.json. */
  runDir: string;
  /** Where MLFLOW_TRACKING_URI and the credentials come from. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** One line per result. Defaults to console.log. */
  log?: (message: string) => void;
}

/** What syncing one journal did. */
export interface JournalSync {
  file: string;
  /** The run, once it exists. */
  runId: string | null;
  trackingUri: string;
  /** Records delivered now, by kind. */
  delivered: Partial<Record<SpoolOpKind, number>>;
  /** Records still waiting for the server. */
  pending: number;
  /** Records the server refused (now or before), with its answer. */
  refused: string[];
  /** Why records are still pending (or the journal could not be read), or null. */
  problem: string | null;
}

interface TrackingFile {
  trackingUri?: string;
  runId?: string;
  url?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function readTrackingFile(runDir: string): TrackingFile {
  const path = join(runDir, 'tracking.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TrackingFile;
  } catch (err) {
    throw new CxrlabError(`${path}: expected JSON such as {"trackingUri": "http://…", "runId": "…"}, could not read it: ${message(err)}`);
  }
}

/** A client for the run's server: MLFLOW_TRACKING_URI if set, else `recorded`; credentials from the environment. */
function clientFor(recorded: string, env: NodeJS.ProcessEnv): { client: MlflowClient; source: string } {
  try {
    const fromEnv = settingsFromEnv(env).options;
    if (fromEnv) return { client: createMlflowClient(fromEnv), source: 'MLFLOW_TRACKING_URI' };
    const options = settingsFromEnv({ ...env, MLFLOW_TRACKING_URI: recorded }).options;
    if (!options) throw new Error(`no tracking URI recorded`);
    return { client: createMlflowClient(options), source: 'the run folder' };
  } catch (err) {
    throw new ConfigError('cxrlab sync', [message(err)]);
  }
}

function unreachable(uri: string, source: string, err: unknown): string {
  const hint =
    source === 'MLFLOW_TRACKING_URI'
      ? 'check MLFLOW_TRACKING_URI'
      : 'start that server again, or set MLFLOW_TRACKING_URI to where its store is served now (`cxrlab ui` prints the embedded server\'s address)';
  return `cannot reach ${uri} (${message(err)}); ${hint}`;
}

async function syncJournal(file: string, runDir: string, tracking: TrackingFile, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<JournalSync> {
  const own = basename(file) === SPOOL_FILE;
  let spool: Spool | null;
  try {
    spool = Spool.read(file, (m) => log(`cxrlab: ${m}`));
  } catch (err) {
    return { file, runId: null, trackingUri: tracking.trackingUri ?? '', delivered: {}, pending: 0, refused: [], problem: message(err) };
  }
  if (!spool) return { file, runId: null, trackingUri: tracking.trackingUri ?? '', delivered: {}, pending: 0, refused: [], problem: null };
  const recorded = (own ? tracking.trackingUri : undefined) ?? spool.trackingUri;
  const report: JournalSync = { file, runId: spool.runId, trackingUri: recorded, delivered: {}, pending: spool.pending().length, refused: [], problem: null };
  const refusedBefore = spool.failed().map((f) => `${describeOp(f.record.op)}: ${f.error}`);
  if (!report.pending) {
    report.refused = refusedBefore;
    if (!refusedBefore.length) spool.remove();
    return report;
  }
  const { client, source } = clientFor(recorded, env);
  report.trackingUri = client.trackingUri;
  if (source === 'MLFLOW_TRACKING_URI' && client.trackingUri !== recorded) log(`cxrlab: ${runDir}: delivering to ${client.trackingUri} (MLFLOW_TRACKING_URI); the run was tracked at ${recorded}`);
  const createdBefore = spool.runId;
  if (createdBefore) {
    try {
      await client.getRun(createdBefore);
    } catch (err) {
      report.problem =
        isMlflowError(err) && err.status === 404
          ? `run ${createdBefore} does not exist at ${client.trackingUri}; set MLFLOW_TRACKING_URI to the server that holds it`
          : isTransientError(err)
            ? unreachable(client.trackingUri, source, err)
            : message(err);
      return report;
    }
  }
  const refusedNow: string[] = [];
  const send = mlflowDelivery(client, {
    onRegistered: async (r) => {
      log(`cxrlab: ${runDir}: registered ${r.name} version ${r.version}`);
      if (own) await writeJson(runDir, 'tracking.json', { ...readTrackingFile(runDir), registeredModel: { name: r.name, version: r.version, modelId: r.modelId } });
    },
  });
  const result = await replaySpool(spool, async (records, journal) => {
    await send(records, journal);
    // A run created only now: tracking.json names it before the run folder's files are uploaded.
    const run = journal.run;
    if (own && records[0]?.op.op === 'create-run' && run) {
      await writeJson(runDir, 'tracking.json', { ...tracking, trackingUri: client.trackingUri, runId: run.runId, url: `${client.trackingUri}/#/experiments/${run.experimentId}/runs/${run.runId}` });
    }
  }, {
    onFailed: (record, err) => refusedNow.push(`${describeOp(record.op)}: ${message(err)}`),
  });
  for (const r of result.delivered) report.delivered[r.op.op] = (report.delivered[r.op.op] ?? 0) + 1;
  report.runId = spool.runId;
  report.pending = spool.pending().length;
  report.refused = [...refusedBefore, ...refusedNow];
  if (result.interruption !== null) {
    report.problem = isTransientError(result.interruption) ? unreachable(client.trackingUri, source, result.interruption) : `the run could not be created: ${message(result.interruption)}`;
  }
  if (!report.pending && !report.refused.length) spool.remove();
  return report;
}

/** Delivers every journal of one run folder; never throws for an unreachable server (see `problem`). */
export async function syncRunFolder(options: SyncOptions): Promise<JournalSync[]> {
  const runDir = resolve(options.runDir);
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => console.log(m));
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new ConfigError('cxrlab sync', [`expected a run folder, ${runDir} is ${existsSync(runDir) ? 'a file' : 'missing'}`]);
  const files = spoolFilesIn(runDir, readdirSync(runDir));
  if (!files.length) {
    log(`cxrlab: ${runDir}: nothing to deliver (no ${SPOOL_FILE})`);
    return [];
  }
  const tracking = readTrackingFile(runDir);
  const reports: JournalSync[] = [];
  for (const file of files) {
    const report = await syncJournal(file, runDir, tracking, env, log);
    reports.push(report);
    const counts = Object.entries(report.delivered).map(([kind, n]) => `${n} ${kind}`);
    const total = Object.values(report.delivered).reduce((a, b) => a + b, 0);
    const run = report.runId ? `run ${report.runId}` : 'a run not created yet';
    if (total) log(`cxrlab: ${runDir}: delivered ${total} record(s) to ${run} at ${report.trackingUri} (${counts.join(', ')})`);
    else if (!report.pending && !report.refused.length) log(`cxrlab: ${runDir}: nothing left to deliver for ${run}`);
    for (const r of report.refused) log(`cxrlab: ${runDir}: refused by the server: ${r}`);
  }
  return reports;
}

/** Run folders below `root` (itself included) that hold a journal; folders with one are not searched further. */
export async function runFoldersWithJournals(root: string, depth = 6): Promise<string[]> {
  const names = await readdir(root, { withFileTypes: true }).catch((err: unknown) => {
    throw new ConfigError('cxrlab sync', [`--all expects a folder of runs, could not read ${root}: ${message(err)}`]);
  });
  if (names.some((e) => e.isFile() && SPOOL_FILE_PATTERN.test(e.name))) return [root];
  if (depth === 0) return [];
  const found: string[] = [];
  for (const e of names) {
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') found.push(...(await runFoldersWithJournals(join(root, e.name), depth - 1)));
  }
  return found;
}

/** `cxrlab sync <run folder>... [--all <runs dir>]`. */
export async function syncCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'string', multiple: true } } });
  const roots = (values.all ?? []).map((r) => resolve(r));
  if (!positionals.length && !roots.length) throw new ConfigError('cxrlab sync', [SYNC_USAGE]);
  const dirs = positionals.map((p) => resolve(p));
  for (const root of roots) {
    const found = await runFoldersWithJournals(root);
    if (!found.length) console.log(`cxrlab: no run folder below ${root} has undelivered tracking records`);
    dirs.push(...found);
  }
  const left: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    for (const r of await syncRunFolder({ runDir: dir })) {
      if (r.pending) left.push(`${dir}: ${r.pending} record(s) still wait in ${r.file}: ${r.problem ?? 'see the refusals above'}`);
      else if (r.problem) left.push(`${dir}: ${r.problem}`);
      if (r.refused.length) left.push(`${dir}: ${r.refused.length} record(s) were refused by ${r.trackingUri} and are kept in ${r.file}; remove it once they are dealt with`);
    }
  }
  if (left.length) throw new CxrlabError(`sync: not everything could be delivered:\n${left.map((l) => `  - ${l}`).join('\n')}`);
}
