// One training run in MLflow: created with the system tags the Python client sets (mlflow.user,
// mlflow.source.*, git commit), per-epoch metrics through a training callback (step = epoch, Keras'
// names), and a finish that uploads the run folder, logs the model as an MLflow 3 LoggedModel and sets
// FINISHED / FAILED / KILLED. A tracking failure never stops training: it is reported once and the
// records wait in memory for the next attempt.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, join } from 'node:path';
import type { Dataset, KeyValue, MlflowClient, RunStatus } from '../mlflow-client';
import type { Metric } from '../mlflow-client';
import type { EpochLogs, TrainingCallback } from '../train/callbacks/callback';
import { startSystemMetrics } from './system-metrics';

export interface TrackerOptions {
  client: MlflowClient;
  experimentName: string;
  runName: string;
  /** Continue this MLflow run (a resumed training run) instead of creating one. */
  runId?: string;
  /** Extra tags (e.g. mlflow.note.content). */
  tags?: KeyValue[];
  /** Warnings about tracking problems. Defaults to console.warn. */
  warn?: (message: string) => void;
  /** Log MLflow's system metrics (system/…) while the run lasts. Defaults to true. */
  systemMetrics?: boolean;
}

export interface RunTracker {
  runId: string;
  experimentId: string;
  /** The run's page in the MLflow UI. */
  url: string;
  logParams(params: KeyValue[]): Promise<void>;
  logMetrics(values: Record<string, number | undefined>, step: number): Promise<void>;
  logDataset(dataset: Dataset, context: string): Promise<void>;
  /** Per-epoch metrics, step = epoch (0-based, as Keras autolog logs them). */
  callback(): TrainingCallback;
  /** Uploads `runDir` (without model/ and checkpoints/), logs `runDir/model` as a LoggedModel, sets the status. */
  finish(status: RunStatus, runDir?: string): Promise<void>;
}

function gitCommit(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

/** The tags MLflow's Python client adds itself (REST runs/create adds none of them). */
export function systemTags(env: NodeJS.ProcessEnv = process.env): KeyValue[] {
  const source = process.argv[1] ?? 'node';
  const inKernel = /tslab/.test(source);
  const tags: KeyValue[] = [
    { key: 'mlflow.user', value: env.MLFLOW_TRACKING_USERNAME ?? userInfo().username },
    { key: 'mlflow.source.name', value: inKernel ? 'notebook (tslab)' : basename(source) },
    { key: 'mlflow.source.type', value: inKernel ? 'NOTEBOOK' : 'LOCAL' },
  ];
  const commit = gitCommit(process.cwd());
  if (commit) tags.push({ key: 'mlflow.source.git.commit', value: commit });
  return tags;
}

export async function startRunTracker(options: TrackerOptions): Promise<RunTracker> {
  const { client } = options;
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const experimentId = await client.getOrCreateExperiment(options.experimentName);
  const info = options.runId
    ? (await client.getRun(options.runId)).info
    : await client.createRun(experimentId, { runName: options.runName, tags: [{ key: 'mlflow.runName', value: options.runName }, ...systemTags(), ...(options.tags ?? [])] });
  if (options.runId) await client.updateRun(info.run_id, { status: 'RUNNING' });
  const runId = info.run_id;
  let pending: Metric[] = [];
  let warned = false;

  const flush = async (): Promise<void> => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    try {
      await client.logBatch(runId, { metrics: batch });
    } catch (err) {
      pending = [...batch, ...pending];
      if (!warned) warn(`tracking: cannot log to ${client.trackingUri} (${err instanceof Error ? err.message : String(err)}); training goes on and the metrics are kept for the next attempt`);
      warned = true;
    }
  };

  const system =
    options.systemMetrics === false
      ? null
      : startSystemMetrics(async (metrics, step) => {
          const timestamp = Date.now();
          pending.push(...Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step })));
          await flush();
        }, { diskPath: process.cwd() });

  const tracker: RunTracker = {
    runId,
    experimentId,
    url: `${client.trackingUri}/#/experiments/${experimentId}/runs/${runId}`,
    async logParams(params) {
      await client.logBatch(runId, { params });
    },
    async logMetrics(values, step) {
      const timestamp = Date.now();
      for (const [key, value] of Object.entries(values)) {
        if (typeof value === 'number' && Number.isFinite(value)) pending.push({ key, value, timestamp, step });
      }
      await flush();
    },
    async logDataset(dataset, context) {
      await client.logInputs(runId, [{ dataset, tags: [{ key: 'mlflow.data.context', value: context }] }]);
    },
    callback() {
      return {
        async onEpochEnd(epoch: number, logs: EpochLogs) {
          await tracker.logMetrics({ ...logs }, epoch);
        },
      };
    },
    async finish(status, runDir) {
      await system?.stop();
      await flush();
      if (runDir) {
        const { readdir } = await import('node:fs/promises');
        for (const entry of await readdir(runDir, { withFileTypes: true })) {
          if (entry.name === 'model' || entry.name === 'checkpoints') continue;
          const path = join(runDir, entry.name);
          if (entry.isDirectory()) await client.uploadArtifacts(info.artifact_uri, path, entry.name);
          else await client.uploadArtifact(info.artifact_uri, path);
        }
        if (existsSync(join(runDir, 'model', 'model.json'))) {
          const model = await client.createLoggedModel(experimentId, { name: 'model', sourceRunId: runId, modelType: 'tfjs-layers' });
          await client.uploadArtifacts(model.artifactUri, join(runDir, 'model'));
          await client.finalizeLoggedModel(model.modelId);
          await client.logOutputs(runId, [{ modelId: model.modelId }]);
        }
      }
      await client.updateRun(runId, { status, endTime: Date.now() });
      if (pending.length) warn(`tracking: ${pending.length} metric values could not be sent to ${client.trackingUri}`);
    },
  };
  return tracker;
}
