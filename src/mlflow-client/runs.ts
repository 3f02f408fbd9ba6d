// Runs: create (with the system tags the Python client sets and REST runs/create does not), update and
// end, read, search with page tokens, tags, log-batch split within MLflow's limits after every key and
// value is checked, metric history, and dataset inputs.
import { userInfo } from 'node:os';
import { API, type Context, fitValue } from './context';
import { isMlflowError, MlflowError, pageSize, validationError } from './errors';
import {
  MAX_DATASETS_PER_BATCH,
  MAX_DATASET_DIGEST_SIZE,
  MAX_DATASET_NAME_SIZE,
  MAX_DATASET_PROFILE_SIZE,
  MAX_DATASET_SCHEMA_SIZE,
  MAX_DATASET_SOURCE_SIZE,
  MAX_INPUT_TAG_KEY_SIZE,
  MAX_INPUT_TAG_VALUE_SIZE,
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
  charLength,
  chunkBatch,
  decodeMetricValue,
  encodeMetricValue,
  keyProblem,
  metricProblem,
  type ChunkOptions,
} from './limits';
import { type DatasetInput, type KeyValue, type Metric, type MetricInput, RUN_STATUSES, type Run, type RunInfo, type RunStatus, type SourceType, type ViewType } from './types';

/** Options of createRun; the system tags are filled in from them. */
export interface CreateRunOptions {
  /** Sent as `run_name` and the `mlflow.runName` tag; the server picks a random name when absent. */
  runName?: string;
  /** Milliseconds since the epoch. Defaults to now. */
  startTime?: number;
  /** More tags; a tag given here replaces the system tag of the same key. */
  tags?: KeyValue[];
  /** `mlflow.user`. Defaults to the client's username, else the OS user (as the Python client does). */
  user?: string;
  /** `mlflow.source.name`. Defaults to the main script (`process.argv[1]`), else `<console>`. */
  sourceName?: string;
  /** `mlflow.source.type`. Defaults to `LOCAL`. */
  sourceType?: SourceType;
  /** `mlflow.parentRunId`, for a nested run. */
  parentRunId?: string;
}

/** What updateRun changes; absent fields stay as they are. */
export interface UpdateRunOptions {
  status?: RunStatus;
  /** Milliseconds since the epoch. */
  endTime?: number;
  runName?: string;
}

/** Options of searchRuns. */
export interface SearchRunsOptions {
  /** e.g. `metrics.val_accuracy > 0.8 and params.model = 'seed-004'` (MLflow's search syntax). */
  filter?: string;
  /** e.g. `['metrics.val_accuracy DESC', 'attributes.start_time DESC']`. */
  orderBy?: string[];
  /** Runs per page, 1–50 000. Defaults to 1000. */
  maxResults?: number;
  /** Defaults to `ACTIVE_ONLY`. */
  runViewType?: ViewType;
  /** The `nextPageToken` of the previous page. */
  pageToken?: string;
}

/** One page of searchRuns. */
export interface RunsPage {
  runs: Run[];
  /** Present when more runs match: pass it as `pageToken` for the next page. */
  nextPageToken?: string;
}

/** One logical batch; any number of each kind. */
export interface LogBatchInput {
  metrics?: MetricInput[];
  /** Params are write-once: the same key again with the same value is accepted, another value is an error. */
  params?: KeyValue[];
  /** Tags overwrite; when a key repeats, the last value wins. */
  tags?: KeyValue[];
}

/** Run calls. */
export interface RunsApi {
  /** Creates a RUNNING run with `mlflow.runName`, `mlflow.user`, `mlflow.source.name` and `mlflow.source.type` set. */
  createRun(experimentId: string, options?: CreateRunOptions): Promise<RunInfo>;
  updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo>;
  /** Sets a final status (default FINISHED) and the end time (default now, in ms). */
  endRun(runId: string, status?: Exclude<RunStatus, 'RUNNING' | 'SCHEDULED'>, endTime?: number): Promise<RunInfo>;
  /** The run with its data, inputs and outputs; metric values `"NaN"`/`"Infinity"` are read back as numbers. */
  getRun(runId: string): Promise<Run>;
  /** One page of runs of the experiments. */
  searchRuns(experimentIds: string[], options?: SearchRunsOptions): Promise<RunsPage>;
  /** Every matching run (following page tokens), at most `limit` (default: all). */
  searchAllRuns(experimentIds: string[], options?: Omit<SearchRunsOptions, 'pageToken' | 'maxResults'> & { limit?: number }): Promise<Run[]>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  /**
   * Logs any number of metrics, params and tags, split into requests within MLflow's limits (≤1000 metrics,
   * ≤100 params, ≤100 tags, ≤1000 entries, ≤1 MB each). Every key and value is checked first; nothing is
   * sent when one is invalid. A failed request leaves the earlier ones written (the error says how many).
   */
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
  /** `{ loss: 0.3, accuracy: 0.9 }` at one step (default 0) and timestamp (default now). Non-numbers are refused. */
  logMetrics(runId: string, values: Record<string, number>, options?: { step?: number; timestamp?: number }): Promise<void>;
  /** Every value of one metric, in the server's order (step, then timestamp). `pageSize` defaults to 10 000. */
  getMetricHistory(runId: string, key: string, options?: { pageSize?: number }): Promise<Metric[]>;
  /** Logs datasets as run inputs (tag `mlflow.data.context` = `train`/`eval` as the Python client does). */
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void>;
}

const DEFAULT_USER = 'unknown';

function osUser(): string {
  try {
    return userInfo().username || DEFAULT_USER;
  } catch {
    return DEFAULT_USER;
  }
}

function decodeRun(run: Run): Run {
  const metrics = run.data?.metrics;
  if (metrics) run.data.metrics = metrics.map((m) => ({ ...m, value: decodeMetricValue(m.value) }));
  if (!run.data) run.data = {};
  return run;
}

const listed = (problems: string[]) => (problems.length > 25 ? [...problems.slice(0, 25), `… and ${problems.length - 25} more`] : problems);

/** The run calls over one HTTP layer (used by createMlflowClient). */
export function runsApi(ctx: Context, chunkOptions: ChunkOptions = {}): RunsApi {
  const { http } = ctx;

  function checkStatus(status: RunStatus | undefined, path: string): void {
    if (status !== undefined && !RUN_STATUSES.includes(status)) throw validationError('POST', path, [`status must be one of ${RUN_STATUSES.join(', ')}, received ${JSON.stringify(status)}`]);
  }

  const api: RunsApi = {
    async createRun(experimentId, options = {}) {
      const path = `${API}/runs/create`;
      const problems: string[] = [];
      const user = options.user ?? http.username ?? osUser();
      const system: KeyValue[] = [
        ...(options.runName !== undefined ? [{ key: 'mlflow.runName', value: options.runName }] : []),
        { key: 'mlflow.user', value: user },
        { key: 'mlflow.source.name', value: options.sourceName ?? process.argv[1] ?? '<console>' },
        { key: 'mlflow.source.type', value: options.sourceType ?? 'LOCAL' },
        ...(options.parentRunId !== undefined ? [{ key: 'mlflow.parentRunId', value: options.parentRunId }] : []),
      ];
      const byKey = new Map<string, string>();
      for (const t of [...system, ...(options.tags ?? [])]) {
        const p = keyProblem(t.key);
        if (p) problems.push(p);
        else byKey.set(t.key, fitValue(ctx, 'tag', t.key, t.value, MAX_TAG_VAL_LENGTH, problems));
      }
      const tagName = byKey.get('mlflow.runName');
      const runName = options.runName !== undefined ? http.redact(options.runName) : tagName;
      if (options.runName !== undefined && tagName !== undefined && tagName !== runName) {
        problems.push(`runName ${JSON.stringify(options.runName)} and the mlflow.runName tag ${JSON.stringify(tagName)} differ; the server refuses that`);
      }
      if (options.startTime !== undefined && !(Number.isSafeInteger(options.startTime) && options.startTime >= 0)) problems.push(`startTime must be whole milliseconds ≥ 0, received ${options.startTime}`);
      if (problems.length) throw validationError('POST', path, listed(problems));
      const res = await http.json<{ run: Run }>({
        method: 'POST',
        path,
        json: {
          experiment_id: experimentId,
          user_id: byKey.get('mlflow.user') ?? user,
          start_time: options.startTime ?? Date.now(),
          ...(runName !== undefined ? { run_name: runName } : {}),
          tags: [...byKey].map(([key, value]) => ({ key, value })),
        },
      });
      return res.run.info;
    },

    async updateRun(runId, update) {
      const path = `${API}/runs/update`;
      checkStatus(update.status, path);
      const res = await http.json<{ run_info: RunInfo }>({
        method: 'POST',
        path,
        json: {
          run_id: runId,
          ...(update.status !== undefined ? { status: update.status } : {}),
          ...(update.endTime !== undefined ? { end_time: update.endTime } : {}),
          ...(update.runName !== undefined ? { run_name: http.redact(update.runName) } : {}),
        },
      });
      return res.run_info;
    },

    endRun(runId, status = 'FINISHED', endTime = Date.now()) {
      return api.updateRun(runId, { status, endTime });
    },

    async getRun(runId) {
      return decodeRun((await http.json<{ run: Run }>({ method: 'GET', path: `${API}/runs/get`, query: { run_id: runId } })).run);
    },

    async searchRuns(experimentIds, options = {}) {
      const path = `${API}/runs/search`;
      const maxResults = pageSize('POST', path, options.maxResults, 1000, 50_000);
      const res = await http.json<{ runs?: Run[]; next_page_token?: string }>({
        method: 'POST',
        path,
        json: {
          experiment_ids: experimentIds,
          max_results: maxResults,
          run_view_type: options.runViewType ?? 'ACTIVE_ONLY',
          ...(options.filter ? { filter: options.filter } : {}),
          ...(options.orderBy?.length ? { order_by: options.orderBy } : {}),
          ...(options.pageToken ? { page_token: options.pageToken } : {}),
        },
      });
      return { runs: (res.runs ?? []).map(decodeRun), ...(res.next_page_token ? { nextPageToken: res.next_page_token } : {}) };
    },

    async searchAllRuns(experimentIds, options = {}) {
      const limit = options.limit ?? Number.POSITIVE_INFINITY;
      const runs: Run[] = [];
      if (!(limit > 0)) return runs;
      let pageToken: string | undefined;
      do {
        const page = await api.searchRuns(experimentIds, {
          ...(options.filter ? { filter: options.filter } : {}),
          ...(options.orderBy ? { orderBy: options.orderBy } : {}),
          ...(options.runViewType ? { runViewType: options.runViewType } : {}),
          maxResults: Math.min(1000, limit - runs.length),
          ...(pageToken ? { pageToken } : {}),
        });
        runs.push(...page.runs);
        pageToken = page.nextPageToken;
      } while (pageToken && runs.length < limit);
      return runs;
    },

    async setTag(runId, key, value) {
      const path = `${API}/runs/set-tag`;
      const problems: string[] = [];
      const p = keyProblem(key);
      if (p) problems.push(p);
      const v = fitValue(ctx, 'tag', key, value, MAX_TAG_VAL_LENGTH, problems);
      if (problems.length) throw validationError('POST', path, problems);
      await http.json({ method: 'POST', path, json: { run_id: runId, key, value: v } });
    },

    async deleteTag(runId, key) {
      const path = `${API}/runs/delete-tag`;
      const p = keyProblem(key);
      if (p) throw validationError('POST', path, [p]);
      await http.json({ method: 'POST', path, json: { run_id: runId, key } });
    },

    async logBatch(runId, batch) {
      const path = `${API}/runs/log-batch`;
      const problems: string[] = [];
      const now = Date.now();
      const metrics: Metric[] = [];
      for (const m of batch.metrics ?? []) {
        const p = metricProblem(m);
        if (p) problems.push(p);
        else metrics.push({ key: m.key, value: m.value, timestamp: m.timestamp ?? now, step: m.step ?? 0 });
      }
      const params = new Map<string, string>();
      for (const { key, value } of batch.params ?? []) {
        const p = keyProblem(key);
        if (p) {
          problems.push(p);
          continue;
        }
        const v = fitValue(ctx, 'param', key, value, MAX_PARAM_VAL_LENGTH, problems);
        const before = params.get(key);
        if (before !== undefined && before !== v) problems.push(`param ${JSON.stringify(key)} is given twice with different values; params are write-once`);
        params.set(key, v);
      }
      const tags = new Map<string, string>();
      for (const { key, value } of batch.tags ?? []) {
        const p = keyProblem(key);
        if (p) problems.push(p);
        else tags.set(key, fitValue(ctx, 'tag', key, value, MAX_TAG_VAL_LENGTH, problems));
      }
      if (problems.length) throw validationError('POST', path, listed(problems));

      const chunks = chunkBatch(
        { metrics, params: [...params].map(([key, value]) => ({ key, value })), tags: [...tags].map(([key, value]) => ({ key, value })) },
        chunkOptions,
      );
      for (const [i, chunk] of chunks.entries()) {
        try {
          await http.json({ method: 'POST', path, json: { run_id: runId, metrics: chunk.metrics.map((m) => ({ ...m, value: encodeMetricValue(m.value) })), params: chunk.params, tags: chunk.tags } });
        } catch (err) {
          if (!isMlflowError(err) || chunks.length === 1) throw err;
          const message = err.message.slice(`${err.method} ${err.path}: ${err.errorCode ? `${err.errorCode}: ` : ''}`.length);
          throw new MlflowError(`${message} (request ${i + 1} of ${chunks.length} of this log-batch; the ${i} before it were written)`, {
            kind: err.kind,
            method: err.method,
            path: err.path,
            attempts: err.attempts,
            cause: err,
            ...(err.status !== undefined ? { status: err.status } : {}),
            ...(err.errorCode !== undefined ? { errorCode: err.errorCode } : {}),
          });
        }
      }
    },

    logMetrics(runId, values, options = {}) {
      const metrics = Object.entries(values).map(([key, value]) => ({ key, value, ...(options.step !== undefined ? { step: options.step } : {}), ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}) }));
      return api.logBatch(runId, { metrics });
    },

    async getMetricHistory(runId, key, options = {}) {
      const out: Metric[] = [];
      let pageToken: string | undefined;
      do {
        const res = await http.json<{ metrics?: Metric[]; next_page_token?: string }>({
          method: 'GET',
          path: `${API}/metrics/get-history`,
          query: { run_id: runId, metric_key: key, max_results: options.pageSize ?? 10_000, page_token: pageToken },
        });
        out.push(...(res.metrics ?? []).map((m) => ({ ...m, value: decodeMetricValue(m.value), step: m.step ?? 0 })));
        pageToken = res.next_page_token || undefined;
      } while (pageToken);
      return out;
    },

    async logInputs(runId, datasets) {
      const path = `${API}/runs/log-inputs`;
      const problems: string[] = [];
      const limit = (what: string, value: string | undefined, max: number) => {
        if (value === undefined) return;
        if (typeof value !== 'string') problems.push(`${what} must be a string, received ${typeof value}`);
        else if (charLength(value) > max) problems.push(`${what} is ${charLength(value)} characters long; the limit is ${max}`);
      };
      const clean = datasets.map(({ dataset, tags = [] }, i) => {
        const d = {
          name: http.redact(dataset.name),
          digest: dataset.digest,
          source_type: dataset.source_type,
          source: http.redact(dataset.source),
          ...(dataset.schema !== undefined ? { schema: dataset.schema } : {}),
          ...(dataset.profile !== undefined ? { profile: dataset.profile } : {}),
        };
        for (const field of ['name', 'digest', 'source_type', 'source'] as const) {
          if (!d[field]) problems.push(`datasets[${i}].dataset.${field} is required`);
        }
        limit(`datasets[${i}].dataset.name`, d.name, MAX_DATASET_NAME_SIZE);
        limit(`datasets[${i}].dataset.digest`, d.digest, MAX_DATASET_DIGEST_SIZE);
        limit(`datasets[${i}].dataset.source`, d.source, MAX_DATASET_SOURCE_SIZE);
        limit(`datasets[${i}].dataset.schema`, d.schema, MAX_DATASET_SCHEMA_SIZE);
        limit(`datasets[${i}].dataset.profile`, d.profile, MAX_DATASET_PROFILE_SIZE);
        const cleanTags = tags.map((t, j) => {
          const value = http.redact(t.value);
          limit(`datasets[${i}].tags[${j}].key`, t.key, MAX_INPUT_TAG_KEY_SIZE);
          limit(`datasets[${i}].tags[${j}].value`, value, MAX_INPUT_TAG_VALUE_SIZE);
          return { key: t.key, value };
        });
        return { dataset: d, tags: cleanTags };
      });
      if (problems.length) throw validationError('POST', path, listed(problems));
      for (let i = 0; i < clean.length; i += MAX_DATASETS_PER_BATCH) {
        await http.json({ method: 'POST', path, json: { run_id: runId, datasets: clean.slice(i, i + MAX_DATASETS_PER_BATCH) } });
      }
    },
  };
  return api;
}
