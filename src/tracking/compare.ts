// An experiment's runs read back from MLflow for comparison: one record per run (chosen params, final
// metric values, its logged model), flat table rows for a DataFrame, per-epoch metric histories, and the
// best run by a metric. Read-only: nothing is written to the server.
import { CxrlabError } from '../errors';
import type { MlflowClient, Run, RunStatus } from '../mlflow-client';

/** Params shown by default: what usually differs between runs of one experiment. */
export const KEY_PARAMS: readonly string[] = ['model.name', 'data.imageSize', 'train.epochs', 'train.batchSize', 'train.optimizer', 'train.learningRate', 'seed'];

/** Final metrics shown by default: the validation report's headline figures. */
export const KEY_METRICS: readonly string[] = ['final_val_accuracy', 'val_balanced_accuracy', 'val_macro_f1', 'val_macro_auc', 'val_log_loss', 'val_ece'];

export interface CompareRunsOptions {
  client: MlflowClient;
  /** The MLflow experiment whose runs are compared. */
  experimentName: string;
  /** Param keys kept per run. Defaults to KEY_PARAMS. */
  params?: readonly string[];
  /** Metric keys kept per run (their latest value). Defaults to KEY_METRICS. */
  metrics?: readonly string[];
  /** Only runs in these states. Defaults to FINISHED only. */
  statuses?: readonly RunStatus[];
  /** At most this many runs, the newest first. Defaults to 100. */
  limit?: number;
}

/** One run of the experiment, as compared. */
export interface ComparedRun {
  runId: string;
  runName: string;
  status: RunStatus;
  /** Milliseconds since the epoch; null when the server has none. */
  startTime: number | null;
  /** The params asked for that the run has. */
  params: Record<string, string>;
  /** The latest value of the metrics asked for that the run has. */
  metrics: Record<string, number>;
  /** The run's logged model (the last of its outputs), or null when it has none. */
  modelId: string | null;
}

/** One value of a metric's history. */
export interface MetricPoint {
  step: number;
  value: number;
}

/** Per run id, per metric key, the points in step order (one per step: the last logged). */
export type MetricHistories = Record<string, Record<string, MetricPoint[]>>;

function compared(run: Run, params: readonly string[], metrics: readonly string[]): ComparedRun {
  const paramValues = new Map((run.data.params ?? []).map((p) => [p.key, p.value]));
  const metricValues = new Map((run.data.metrics ?? []).map((m) => [m.key, m.value]));
  const outputs = run.outputs?.model_outputs ?? [];
  return {
    runId: run.info.run_id,
    runName: run.info.run_name ?? run.info.run_id,
    status: run.info.status,
    startTime: run.info.start_time ?? null,
    params: Object.fromEntries(params.flatMap((k) => (paramValues.has(k) ? [[k, paramValues.get(k) as string]] : []))),
    metrics: Object.fromEntries(metrics.flatMap((k) => (metricValues.has(k) ? [[k, metricValues.get(k) as number]] : []))),
    modelId: outputs.length ? (outputs[outputs.length - 1] as { model_id: string }).model_id : null,
  };
}

/**
 * The runs of `experimentName`, newest first, each with the chosen params and final metrics.
 * @throws CxrlabError when the server has no experiment of that name.
 */
export async function compareRuns(options: CompareRunsOptions): Promise<ComparedRun[]> {
  const { client, experimentName } = options;
  const params = options.params ?? KEY_PARAMS;
  const metrics = options.metrics ?? KEY_METRICS;
  const statuses = new Set<RunStatus>(options.statuses ?? ['FINISHED']);
  const limit = options.limit ?? 100;
  if (!(Number.isInteger(limit) && limit > 0)) throw new CxrlabError(`compareRuns: \`limit\` must be a positive integer, received ${limit}`);
  const experiment = await client.getExperimentByName(experimentName);
  if (!experiment || experiment.lifecycle_stage !== 'active') {
    throw new CxrlabError(`compareRuns: no active MLflow experiment named ${JSON.stringify(experimentName)} at ${client.trackingUri} (MLFLOW_EXPERIMENT_NAME names the one runs are logged to)`);
  }
  const runs: ComparedRun[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.searchRuns([experiment.experiment_id], { orderBy: ['attributes.start_time DESC'], maxResults: 200, ...(pageToken ? { pageToken } : {}) });
    for (const run of page.runs) if (statuses.has(run.info.status) && runs.length < limit) runs.push(compared(run, params, metrics));
    pageToken = page.nextPageToken;
  } while (pageToken && runs.length < limit);
  return runs;
}

/** Flat rows for a table (e.g. a danfojs DataFrame): run name, short id, the params, then the metrics (NaN where missing). */
export function runTable(runs: readonly ComparedRun[], columns: { params?: readonly string[]; metrics?: readonly string[] } = {}): Record<string, string | number>[] {
  const params = columns.params ?? KEY_PARAMS;
  const metrics = columns.metrics ?? KEY_METRICS;
  return runs.map((r) => ({
    run: r.runName,
    runId: r.runId.slice(0, 8),
    ...Object.fromEntries(params.map((k) => [k, r.params[k] ?? ''])),
    ...Object.fromEntries(metrics.map((k) => [k, r.metrics[k] ?? Number.NaN])),
  }));
}

/** The per-step history of each metric of each run (e.g. `val_loss`, `val_accuracy`: step = epoch). */
export async function metricHistories(client: MlflowClient, runIds: readonly string[], keys: readonly string[]): Promise<MetricHistories> {
  const out: MetricHistories = {};
  for (const runId of runIds) {
    const perKey: Record<string, MetricPoint[]> = {};
    for (const key of keys) {
      const byStep = new Map<number, { value: number; timestamp: number }>();
      for (const m of await client.getMetricHistory(runId, key)) {
        const seen = byStep.get(m.step);
        if (!seen || m.timestamp >= seen.timestamp) byStep.set(m.step, { value: m.value, timestamp: m.timestamp });
      }
      perKey[key] = [...byStep].sort((a, b) => a[0] - b[0]).map(([step, { value }]) => ({ step, value }));
    }
    out[runId] = perKey;
  }
  return out;
}

/**
 * The run with the highest (`max`) or lowest (`min`) value of `metric`; runs without it, or with NaN, are left out.
 * @throws CxrlabError when no run has the metric.
 */
export function bestRun(runs: readonly ComparedRun[], metric: string, mode: 'max' | 'min' = 'max'): ComparedRun {
  let best: ComparedRun | null = null;
  for (const run of runs) {
    const value = run.metrics[metric];
    if (value === undefined || Number.isNaN(value)) continue;
    const current = best?.metrics[metric] as number;
    if (!best || (mode === 'max' ? value > current : value < current)) best = run;
  }
  if (!best) throw new CxrlabError(`bestRun: none of the ${runs.length} run(s) has the metric ${JSON.stringify(metric)} (ask compareRuns for it in \`metrics\`)`);
  return best;
}
