// A trained model fetched by MLflow run id: the run's LoggedModel (from the run's outputs), its files
// (model.json + weights) and the run's config.json (plus any other run files asked for) downloaded into a
// local cache folder, `<cache>/<run id>/`, laid out like a run folder (model/, config.json, …). A cached
// folder is reused without asking the server (a READY LoggedModel never changes); a new one is downloaded
// under a temporary name and renamed into place, so no reader ever sees half a model.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CxrlabError } from '../errors';
import { type FileInfo, type LoggedModel, type MlflowClient, type Run, isMlflowError } from '../mlflow-client';
import { EMBEDDED_MLFLOW_DIR, MODEL_CACHE_DIR, venvDir } from '../project-paths';
import { resolveTracking } from '../tracking/resolve';

/** Where models fetched by run id are kept: `<project>/.cxrlab/cache/models/<run id>/`. */
export { MODEL_CACHE_DIR };

/** The file in a cached folder that records where it came from; written last, so its presence means complete. */
export const RUN_MODEL_SOURCE_FILE = 'mlflow-source.json';

const RUN_ID = /^[0-9a-f]{32}$/i;

/** Whether `text` has the form of an MLflow run id (32 hexadecimal characters). */
export function isRunId(text: string): boolean {
  return RUN_ID.test(text);
}

/** Why a run's model could not be fetched. */
export type RunModelProblem = 'not-found' | 'no-model' | 'unreachable' | 'failed';

/** A run's model could not be fetched; the message names the run id and the tracking server. */
export class RunModelError extends CxrlabError {
  readonly runId: string;
  /** The tracking server asked (or the one that could not be resolved). */
  readonly trackingUri: string;
  readonly problem: RunModelProblem;
  constructor(runId: string, trackingUri: string, problem: RunModelProblem, message: string, options?: { cause?: unknown }) {
    super(`MLflow run ${runId} (tracking server ${trackingUri}): ${message}`, options);
    this.runId = runId;
    this.trackingUri = trackingUri;
    this.problem = problem;
  }
}

export interface FetchRunModelOptions {
  /** The MLflow run id (32 hexadecimal characters). */
  runId: string;
  /**
   * The tracking server to ask. Defaults to MLFLOW_TRACKING_URI (with the Python client's auth variables), else
   * the embedded local server (started when needed); CXRLAB_TRACKING=0 only turns off logging, not this lookup.
   * Not contacted when the run is already cached.
   */
  client?: MlflowClient;
  /** Cache root. Defaults to MODEL_CACHE_DIR. */
  cacheDir?: string;
  /** Run artifacts to fetch besides config.json (e.g. `report.json`, `split.json`); each must exist in the run. */
  runFiles?: readonly string[];
  /** Progress messages (server start, downloads). */
  log?: (message: string) => void;
}

/** What `<cache>/<run id>/mlflow-source.json` records. */
export interface RunModelSource {
  runId: string;
  runName: string | null;
  experimentId: string;
  modelId: string;
  modelName: string;
  trackingUri: string;
  /** ISO time of the download. */
  fetchedAt: string;
}

export interface FetchedRunModel extends RunModelSource {
  /** The local run folder: model/ (model.json + weights), config.json, the run files asked for, mlflow-source.json. */
  dir: string;
  /** True when the model was already cached (only missing run files, if any, were downloaded). */
  cached: boolean;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The server the lookup uses, when none is given: MLFLOW_TRACKING_URI or the embedded server. */
async function defaultClient(runId: string, log: ((m: string) => void) | undefined): Promise<MlflowClient> {
  const named = process.env.MLFLOW_TRACKING_URI?.trim();
  const where = named || `the embedded server (${EMBEDDED_MLFLOW_DIR})`;
  try {
    const target = await resolveTracking({
      embeddedStateDir: EMBEDDED_MLFLOW_DIR,
      venv: venvDir(),
      env: { ...process.env, CXRLAB_TRACKING: undefined },
      ...(log ? { log } : {}),
    });
    if (!target) throw new Error('tracking is turned off');
    return target.client;
  } catch (cause) {
    throw new RunModelError(runId, where, 'unreachable', `cannot reach the tracking server to look the run up (${message(cause)}); set MLFLOW_TRACKING_URI to the server that holds the run`, { cause });
  }
}

/** Turns a client failure into a RunModelError naming the run, the server and what was being done. */
function failure(runId: string, uri: string, doing: string, err: unknown): RunModelError {
  if (err instanceof RunModelError) return err;
  if (isMlflowError(err) && err.kind === 'connection') {
    return new RunModelError(runId, uri, 'unreachable', `the tracking server does not answer (${doing}: ${err.message}); start it, or set MLFLOW_TRACKING_URI to the server that holds the run`, { cause: err });
  }
  return new RunModelError(runId, uri, 'failed', `${doing} failed: ${message(err)}`, { cause: err });
}

async function getRun(client: MlflowClient, runId: string): Promise<Run> {
  try {
    return await client.getRun(runId);
  } catch (err) {
    if (isMlflowError(err) && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
      throw new RunModelError(runId, client.trackingUri, 'not-found', 'no such run on this server (check the id, and that MLFLOW_TRACKING_URI names the server the run was logged to)', { cause: err });
    }
    throw failure(runId, client.trackingUri, 'reading the run', err);
  }
}

/** The run's READY LoggedModel: of its outputs, the one of the highest step, the newest among equals. */
async function loggedModelOf(client: MlflowClient, run: Run): Promise<LoggedModel> {
  const runId = run.info.run_id;
  const outputs = run.outputs?.model_outputs ?? [];
  if (outputs.length === 0) {
    throw new RunModelError(runId, client.trackingUri, 'no-model', `the run has no logged model (its outputs list none; run status ${run.info.status}). A run logs its model when training ends`);
  }
  const models: { model: LoggedModel; step: number }[] = [];
  for (const output of outputs) {
    try {
      models.push({ model: await client.getLoggedModel(output.model_id), step: output.step });
    } catch (err) {
      throw failure(runId, client.trackingUri, `reading its logged model ${output.model_id}`, err);
    }
  }
  const ready = models.filter((m) => m.model.info.status === 'LOGGED_MODEL_READY');
  if (ready.length === 0) {
    const states = models.map((m) => `${m.model.info.model_id} is ${m.model.info.status}`).join(', ');
    throw new RunModelError(runId, client.trackingUri, 'no-model', `the run has no finished logged model (${states}); expected one LOGGED_MODEL_READY`);
  }
  ready.sort((a, b) => b.step - a.step || (b.model.info.creation_timestamp_ms ?? 0) - (a.model.info.creation_timestamp_ms ?? 0));
  return (ready[0] as { model: LoggedModel }).model;
}

/** Every file below `path` of a proxied artifact URI, recursively; paths relative to the URI. */
async function listFiles(client: MlflowClient, artifactUri: string, path = ''): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for (const entry of await client.listArtifactsAt(artifactUri, path)) {
    if (entry.is_dir) out.push(...(await listFiles(client, artifactUri, entry.path)));
    else out.push(entry);
  }
  return out;
}

/** Downloads the run files not yet in `dir` (each written to a temporary name and renamed). */
async function fetchRunFiles(client: MlflowClient, run: Run, dir: string, files: readonly string[], log?: (m: string) => void): Promise<void> {
  const runId = run.info.run_id;
  for (const file of files) {
    if (existsSync(join(dir, file))) continue;
    try {
      await client.downloadArtifactToFile(run.info.artifact_uri, file, join(dir, file));
      log?.(`downloaded ${file} of MLflow run ${runId}`);
    } catch (err) {
      if (isMlflowError(err) && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
        throw new RunModelError(runId, client.trackingUri, 'failed', `the run has no artifact ${file} (expected the run folder's ${file} among its artifacts)`, { cause: err });
      }
      throw failure(runId, client.trackingUri, `downloading ${file}`, err);
    }
  }
}

async function readSource(dir: string): Promise<RunModelSource | null> {
  const text = await readFile(join(dir, RUN_MODEL_SOURCE_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as RunModelSource;
  } catch {
    return null;
  }
}

/** Downloads the model and config.json into a fresh temporary folder next to `dir`, then renames it to `dir`. */
async function download(client: MlflowClient, run: Run, cacheDir: string, dir: string, files: readonly string[], log?: (m: string) => void): Promise<RunModelSource> {
  const runId = run.info.run_id;
  const uri = client.trackingUri;
  const model = await loggedModelOf(client, run);
  const temp = join(cacheDir, `.${runId}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp, { recursive: true });
  try {
    let listed: FileInfo[];
    try {
      listed = await listFiles(client, model.info.artifact_uri);
    } catch (err) {
      throw failure(runId, uri, `listing the files of its logged model ${model.info.model_id}`, err);
    }
    const names = listed.map((f) => f.path);
    if (!names.includes('model.json')) {
      throw new RunModelError(runId, uri, 'no-model', `its logged model ${model.info.model_id} has no model.json (files: ${names.join(', ') || 'none'}); expected a tfjs layers model`);
    }
    for (const name of names) {
      try {
        await client.downloadArtifactToFile(model.info.artifact_uri, name, join(temp, 'model', name));
      } catch (err) {
        throw failure(runId, uri, `downloading ${name} of its logged model ${model.info.model_id}`, err);
      }
    }
    log?.(`downloaded logged model ${model.info.model_id} of MLflow run ${runId} (${names.length} file(s))`);
    await fetchRunFiles(client, run, temp, ['config.json', ...files], log);
    const source: RunModelSource = {
      runId,
      runName: run.info.run_name ?? null,
      experimentId: run.info.experiment_id,
      modelId: model.info.model_id,
      modelName: model.info.name,
      trackingUri: uri,
      fetchedAt: new Date().toISOString(),
    };
    await writeFile(join(temp, RUN_MODEL_SOURCE_FILE), `${JSON.stringify(source, null, 2)}\n`);
    // A folder without the source file is not a finished download (or not ours): it is replaced.
    if (existsSync(dir) && !(await readSource(dir))) await rm(dir, { recursive: true, force: true });
    try {
      await rename(temp, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process finished the same download first: use its folder.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await readSource(dir))) return (await readSource(dir)) as RunModelSource;
      throw err;
    }
    return source;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * The model of MLflow run `runId` as a local run folder (model/ + config.json + `runFiles`), downloaded into
 * `<cacheDir>/<run id>/` on first use and reused afterwards.
 * @throws RunModelError when the run does not exist, has no finished model, lacks a file, or the server
 * cannot be reached; the message names the run id and the tracking server.
 */
export async function fetchRunModel(options: FetchRunModelOptions): Promise<FetchedRunModel> {
  const runId = options.runId.toLowerCase();
  const files = options.runFiles ?? [];
  if (!isRunId(runId)) throw new CxrlabError(`fetchRunModel: expected an MLflow run id (32 hexadecimal characters), received ${JSON.stringify(options.runId)}`);
  const cacheDir = resolve(options.cacheDir ?? MODEL_CACHE_DIR);
  const dir = join(cacheDir, runId);
  const cached = await readSource(dir);
  if (cached && existsSync(join(dir, 'model', 'model.json')) && files.every((f) => existsSync(join(dir, f)))) return { ...cached, dir, cached: true };

  const client = options.client ?? (await defaultClient(runId, options.log));
  const run = await getRun(client, runId);
  await mkdir(cacheDir, { recursive: true });
  if (cached && existsSync(join(dir, 'model', 'model.json'))) {
    await fetchRunFiles(client, run, dir, files, options.log);
    return { ...cached, dir, cached: true };
  }
  const source = await download(client, run, cacheDir, dir, files, options.log);
  // Run files another process's download did not include.
  await fetchRunFiles(client, run, dir, files, options.log);
  return { ...source, dir, cached: false };
}
