// A stateless MLflow REST client: every call names its experiment or run. Experiments, runs, batched
// metrics/params/tags, dataset inputs, artifacts through the server's artifact proxy, and MLflow 3's
// LoggedModels linked to their run.
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { MlflowError, isMlflowError } from './errors';
import { type Http, type HttpOptions, createHttp } from './http';
import { type Batch, type KeyValue, MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH, type Metric, chunkBatch, keyProblem, truncate } from './limits';

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage: string;
}

export interface RunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status: RunStatus;
  artifact_uri: string;
  start_time?: number;
  end_time?: number;
}

export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs?: { dataset_inputs?: { dataset: Dataset; tags?: KeyValue[] }[] };
  outputs?: { model_outputs?: { model_id: string; step: number }[] };
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface ArtifactFile {
  path: string;
  is_dir?: boolean;
  file_size?: string;
}

export interface MlflowClient {
  readonly trackingUri: string;
  getExperimentByName(name: string): Promise<Experiment | null>;
  createExperiment(name: string, tags?: KeyValue[]): Promise<string>;
  /** The id of the active experiment called `name`, created if missing (safe against a parallel create). */
  getOrCreateExperiment(name: string): Promise<string>;
  createRun(experimentId: string, options?: { runName?: string; tags?: KeyValue[]; startTime?: number }): Promise<RunInfo>;
  updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<void>;
  getRun(runId: string): Promise<Run>;
  searchRuns(experimentIds: string[], options?: { filter?: string; orderBy?: string[]; maxResults?: number }): Promise<Run[]>;
  /** Any number of metrics, params and tags, split into requests within MLflow's limits; keys are checked first. */
  logBatch(runId: string, batch: Partial<Batch>): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
  logInputs(runId: string, datasets: { dataset: Dataset; tags?: KeyValue[] }[]): Promise<void>;
  /** Uploads one file under the run's artifacts (or any mlflow-artifacts: URI) at `artifactPath`. */
  uploadArtifact(artifactUri: string, localPath: string, artifactPath?: string): Promise<void>;
  /** Uploads a folder recursively; returns the artifact paths written. */
  uploadArtifacts(artifactUri: string, localDir: string, artifactPath?: string): Promise<string[]>;
  listArtifacts(runId: string, path?: string): Promise<ArtifactFile[]>;
  downloadArtifact(artifactUri: string, path: string): Promise<Buffer>;
  /** Creates a LoggedModel (MLflow 3) for a run; upload its files to the returned artifact URI, then finalize. */
  createLoggedModel(experimentId: string, options: { name: string; sourceRunId?: string; modelType?: string; params?: KeyValue[]; tags?: KeyValue[] }): Promise<{ modelId: string; artifactUri: string }>;
  finalizeLoggedModel(modelId: string, status?: 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED'): Promise<void>;
  /** Links models to a run as its outputs (the run page's "Logged models"). */
  logOutputs(runId: string, models: { modelId: string; step?: number }[]): Promise<void>;
}

export interface MlflowClientOptions extends HttpOptions {}

const API = '/api/2.0/mlflow';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.yaml': 'text/yaml',
  '.csv': 'text/csv',
};

/** `mlflow-artifacts:/<path>` or `mlflow-artifacts://host/<path>` → the proxy's HTTP path. */
export function artifactProxyPath(artifactUri: string, path = ''): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!m) throw new Error(`artifact URI ${artifactUri} is not served by the tracking server (expected mlflow-artifacts:/…); start the server with --serve-artifacts`);
  const parts = [m[1], path].filter(Boolean).join('/').split('/').filter(Boolean);
  return `/api/2.0/mlflow-artifacts/artifacts/${parts.map(encodeURIComponent).join('/')}`;
}

function checkKeys(batch: Partial<Batch>): void {
  const problems = [...(batch.metrics ?? []), ...(batch.params ?? []), ...(batch.tags ?? [])].map((e) => keyProblem(e.key)).filter((p): p is string => p !== null);
  if (problems.length) throw new MlflowError(problems.join('; '), { method: 'POST', path: `${API}/runs/log-batch` });
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/**
 * @example
 * const client = createMlflowClient({ trackingUri: 'http://127.0.0.1:5000' });
 * const experimentId = await client.getOrCreateExperiment('cxr');
 * const run = await client.createRun(experimentId, { runName: 'seed-004' });
 * await client.logBatch(run.run_id, { metrics: [{ key: 'loss', value: 0.7, timestamp: Date.now(), step: 0 }] });
 * await client.updateRun(run.run_id, { status: 'FINISHED', endTime: Date.now() });
 */
export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const http: Http = createHttp(options);
  const client: MlflowClient = {
    trackingUri: http.baseUrl,
    async getExperimentByName(name) {
      try {
        const res = await http.json<{ experiment: Experiment }>('GET', `${API}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
        return res.experiment;
      } catch (err) {
        if (isMlflowError(err) && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
        throw err;
      }
    },
    async createExperiment(name, tags = []) {
      return (await http.json<{ experiment_id: string }>('POST', `${API}/experiments/create`, { name, tags })).experiment_id;
    },
    async getOrCreateExperiment(name) {
      const found = await client.getExperimentByName(name);
      if (found && found.lifecycle_stage === 'active') return found.experiment_id;
      if (found) {
        await http.json('POST', `${API}/experiments/restore`, { experiment_id: found.experiment_id });
        return found.experiment_id;
      }
      try {
        return await client.createExperiment(name);
      } catch (err) {
        if (isMlflowError(err) && err.errorCode === 'RESOURCE_ALREADY_EXISTS') return (await client.getExperimentByName(name))!.experiment_id;
        throw err;
      }
    },
    async createRun(experimentId, o = {}) {
      const res = await http.json<{ run: Run }>('POST', `${API}/runs/create`, {
        experiment_id: experimentId,
        start_time: o.startTime ?? Date.now(),
        ...(o.runName ? { run_name: o.runName } : {}),
        tags: (o.tags ?? []).map((t) => ({ key: t.key, value: truncate(t.value, MAX_TAG_VAL_LENGTH) })),
      });
      return res.run.info;
    },
    async updateRun(runId, u) {
      await http.json('POST', `${API}/runs/update`, {
        run_id: runId,
        ...(u.status ? { status: u.status } : {}),
        ...(u.endTime ? { end_time: u.endTime } : {}),
        ...(u.runName ? { run_name: u.runName } : {}),
      });
    },
    async getRun(runId) {
      return (await http.json<{ run: Run }>('GET', `${API}/runs/get?run_id=${encodeURIComponent(runId)}`)).run;
    },
    async searchRuns(experimentIds, o = {}) {
      const runs: Run[] = [];
      let pageToken: string | undefined;
      do {
        const res = await http.json<{ runs?: Run[]; next_page_token?: string }>('POST', `${API}/runs/search`, {
          experiment_ids: experimentIds,
          max_results: Math.min(o.maxResults ?? 1000, 1000),
          ...(o.filter ? { filter: o.filter } : {}),
          ...(o.orderBy ? { order_by: o.orderBy } : {}),
          ...(pageToken ? { page_token: pageToken } : {}),
        });
        runs.push(...(res.runs ?? []));
        pageToken = res.next_page_token;
      } while (pageToken && runs.length < (o.maxResults ?? Number.POSITIVE_INFINITY));
      return runs;
    },
    async logBatch(runId, batch) {
      checkKeys(batch);
      const full: Batch = {
        metrics: batch.metrics ?? [],
        params: (batch.params ?? []).map((p) => ({ key: p.key, value: truncate(p.value, MAX_PARAM_VAL_LENGTH) })),
        tags: (batch.tags ?? []).map((t) => ({ key: t.key, value: truncate(t.value, MAX_TAG_VAL_LENGTH) })),
      };
      for (const chunk of chunkBatch(full)) await http.json('POST', `${API}/runs/log-batch`, { run_id: runId, ...chunk });
    },
    async setTag(runId, key, value) {
      checkKeys({ tags: [{ key, value }] });
      await http.json('POST', `${API}/runs/set-tag`, { run_id: runId, key, value: truncate(value, MAX_TAG_VAL_LENGTH) });
    },
    async deleteTag(runId, key) {
      await http.json('POST', `${API}/runs/delete-tag`, { run_id: runId, key });
    },
    async getMetricHistory(runId, key) {
      const out: Metric[] = [];
      let pageToken: string | undefined;
      do {
        const q = `run_id=${encodeURIComponent(runId)}&metric_key=${encodeURIComponent(key)}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`;
        const res = await http.json<{ metrics?: Metric[]; next_page_token?: string }>('GET', `${API}/metrics/get-history?${q}`);
        out.push(...(res.metrics ?? []));
        pageToken = res.next_page_token;
      } while (pageToken);
      return out;
    },
    async logInputs(runId, datasets) {
      await http.json('POST', `${API}/runs/log-inputs`, { run_id: runId, datasets: datasets.map((d) => ({ dataset: d.dataset, tags: d.tags ?? [] })) });
    },
    async uploadArtifact(artifactUri, localPath, artifactPath = '') {
      const name = localPath.split(sep).pop() as string;
      const target = artifactProxyPath(artifactUri, [artifactPath, name].filter(Boolean).join('/'));
      await http.raw('PUT', target, await readFile(localPath), CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream');
    },
    async uploadArtifacts(artifactUri, localDir, artifactPath = '') {
      const written: string[] = [];
      for (const file of await walk(localDir)) {
        const rel = relative(localDir, file).split(sep);
        const dir = [artifactPath, ...rel.slice(0, -1)].filter(Boolean).join('/');
        await client.uploadArtifact(artifactUri, file, dir);
        written.push([dir, rel.at(-1)].filter(Boolean).join('/'));
      }
      return written;
    },
    async listArtifacts(runId, path = '') {
      const q = `run_id=${encodeURIComponent(runId)}${path ? `&path=${encodeURIComponent(path)}` : ''}`;
      return (await http.json<{ files?: ArtifactFile[] }>('GET', `${API}/artifacts/list?${q}`)).files ?? [];
    },
    async downloadArtifact(artifactUri, path) {
      const res = await http.raw('GET', artifactProxyPath(artifactUri, path));
      return Buffer.from(await res.arrayBuffer());
    },
    async createLoggedModel(experimentId, o) {
      const res = await http.json<{ model: { info: { model_id: string; artifact_uri: string } } }>('POST', `${API}/logged-models`, {
        experiment_id: experimentId,
        name: o.name,
        ...(o.sourceRunId ? { source_run_id: o.sourceRunId } : {}),
        ...(o.modelType ? { model_type: o.modelType } : {}),
        params: o.params ?? [],
        tags: o.tags ?? [],
      });
      return { modelId: res.model.info.model_id, artifactUri: res.model.info.artifact_uri };
    },
    async finalizeLoggedModel(modelId, status = 'LOGGED_MODEL_READY') {
      await http.json('PATCH', `${API}/logged-models/${encodeURIComponent(modelId)}`, { model_id: modelId, status });
    },
    async logOutputs(runId, models) {
      await http.json('POST', `${API}/runs/outputs`, { run_id: runId, models: models.map((m) => ({ model_id: m.modelId, step: m.step ?? 0 })) });
    },
  };
  return client;
}
