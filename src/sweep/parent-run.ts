// The sweep's parent run in MLflow: created with the sweep's name, the `cxrlab.sweep` tag and the sweep's
// method and parameters as params; each child's metric logged on it as the trials end (`trial_<metric>`,
// step = trial number); at the end the summary — trial counts, `best_<metric>`, the `cxrlab.bestRun` tag,
// the sweep folder's files (sweep.yaml, sweep.json, sweep.csv, logs/) — and its status.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue, MlflowClient, RunStatus } from '../mlflow-client';
import type { TrackingTarget } from '../tracking/resolve';
import { systemTags } from '../tracking/run-tracker';
import type { SweepPlan } from './plan';
import type { SweepSpec } from './schema';
import type { SweepSummary, TrialOutcome } from './summary';
import { formatValue } from './values';

export const SWEEP_TAG = 'cxrlab.sweep';
export const BEST_RUN_TAG = 'cxrlab.bestRun';

export interface ParentRun {
  client: MlflowClient;
  runId: string;
  experimentId: string;
  artifactUri: string;
  /** The run's page in the MLflow UI. */
  url: string;
}

/** The sweep as params: `sweep.method`, `sweep.trials`, `sweep.param.<key>` = its list or range, … */
export function sweepParams(spec: SweepSpec, trials: number): KeyValue[] {
  const space = (s: SweepSpec['parameters'][number]['space']): string =>
    s.kind === 'list' ? formatValue(s.values) : formatValue({ min: s.min, max: s.max, ...(s.log ? { log: true } : {}), ...(s.int ? { int: true } : {}) });
  return [
    { key: 'sweep.method', value: spec.method },
    { key: 'sweep.experiment', value: spec.experiment },
    { key: 'sweep.trials', value: String(trials) },
    ...(spec.seed !== undefined ? [{ key: 'sweep.seed', value: String(spec.seed) }] : []),
    { key: 'sweep.workers', value: String(spec.workers) },
    { key: 'sweep.metric', value: spec.metric.name },
    { key: 'sweep.goal', value: spec.metric.goal },
    ...(spec.set.length ? [{ key: 'sweep.set', value: spec.set.join(' ') }] : []),
    ...spec.parameters.map((p) => ({ key: `sweep.param.${p.key}`, value: space(p.space) })),
  ];
}

export async function createParentRun(tracking: TrackingTarget, plan: SweepPlan, workers: number): Promise<ParentRun> {
  const { client } = tracking;
  const { spec } = plan;
  const experimentId = await client.getOrCreateExperiment(tracking.experimentName);
  const info = await client.createRun(experimentId, {
    runName: spec.name,
    tags: [
      ...systemTags(),
      { key: SWEEP_TAG, value: spec.name },
      { key: 'mlflow.note.content', value: `cxrlab sweep ${spec.path}: ${plan.trials.length} trial(s) of ${spec.experiment} (${spec.method}), ${workers} at a time` },
    ],
  });
  await client.logBatch(info.run_id, { params: sweepParams({ ...spec, workers }, plan.trials.length) });
  return { client, runId: info.run_id, experimentId, artifactUri: info.artifact_uri, url: `${client.trackingUri}/#/experiments/${experimentId}/runs/${info.run_id}` };
}

/** The child's metric on the parent, one point per trial (step = trial number): the sweep's progress as a chart. */
export async function logTrialMetric(parent: ParentRun, outcome: TrialOutcome, metric: string): Promise<void> {
  const value = outcome.metrics[metric];
  if (outcome.status === 'FINISHED' && value !== undefined) await parent.client.logBatch(parent.runId, { metrics: [{ key: `trial_${metric}`, value, step: outcome.number }] });
}

/** Files of the sweep folder uploaded to the parent (the trials' own run folders are their runs' artifacts). */
export const SWEEP_FILES = ['sweep.yaml', 'sweep.json', 'sweep.csv'];

export async function finishParentRun(parent: ParentRun, summary: SweepSummary, dir: string): Promise<void> {
  const { client, runId } = parent;
  const { counts, best, metric } = summary;
  await client.logBatch(runId, {
    metrics: [
      { key: 'trials_total', value: summary.trials.length },
      { key: 'trials_finished', value: counts.FINISHED },
      { key: 'trials_failed', value: counts.FAILED },
      { key: 'trials_killed', value: counts.KILLED },
      { key: 'trials_not_run', value: counts.NOT_RUN },
      ...(best ? [{ key: `best_${metric.name}`, value: best.value }] : []),
    ],
    tags: best
      ? [
          { key: BEST_RUN_TAG, value: best.runId },
          { key: 'cxrlab.bestTrial', value: String(best.number) },
        ]
      : [],
  });
  for (const file of SWEEP_FILES) if (existsSync(join(dir, file))) await client.uploadArtifact(parent.artifactUri, join(dir, file));
  if (existsSync(join(dir, 'logs'))) await client.uploadArtifacts(parent.artifactUri, join(dir, 'logs'), 'logs');
  await endParentRun(parent, summary.status);
}

export async function endParentRun(parent: ParentRun, status: Exclude<RunStatus, 'RUNNING' | 'SCHEDULED'>): Promise<void> {
  await parent.client.endRun(parent.runId, status);
}
