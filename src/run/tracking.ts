// A run's MLflow side at its start: the run (new, or the one a resumed run already has), its params (the
// flattened config, optimiser details, dataset counts) and its dataset input with a content digest; and
// the run folder's tracking.json (server, run id, page, and the registered model version once there is one).
// Tags name the run folder, the run it repeats and the training route (fast-path ops).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExperimentConfig } from '../config/schema';
import { dataSources } from '../data/config';
import { describeFastPath } from '../native/fast';
import type { Dataset, KeyValue } from '../mlflow-client';
import { flattenParams } from '../tracking/flatten';
import type { TrackingTarget } from '../tracking/resolve';
import { type RunTracker, startRunTracker } from '../tracking/run-tracker';
import type { RunData } from './data';
import { writeJson } from './dir';

/** The dataset as an MLflow input: its digest covers every used file's key, split and content hash. */
export function datasetInput(config: ExperimentConfig, data: RunData): Dataset {
  const hash = createHash('sha256');
  const lines = (['train', 'val', 'test'] as const).flatMap((s) => data.split[s].map((e) => `${s}\t${e.dataset}/${e.relPath}\t${e.sha256}\n`));
  for (const line of lines.sort()) hash.update(line);
  const sources = dataSources(config.data);
  return {
    name: sources.map((s) => s.name).join('+'),
    digest: hash.digest('hex').slice(0, 16),
    source_type: 'local',
    source: sources.map((s) => (s.kind === 'csv' ? s.csv : s.dir)).join(', '),
    profile: JSON.stringify({ images: data.summary.index.used, skipped: data.summary.index.skipped, ...data.counts }),
  };
}

export function runParams(config: ExperimentConfig, data: RunData): KeyValue[] {
  const optimizer: Record<string, number> =
    config.train.optimizer === 'adam' ? { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } : config.train.optimizer === 'rmsprop' ? { rho: 0.9, epsilon: 1e-7 } : {};
  const { train, val, test, perClass, perSource } = data.counts;
  return [
    ...flattenParams(config),
    ...flattenParams(optimizer, 'optimizer'),
    ...flattenParams({ train, val, test, ...perClass, skipped: data.summary.index.skipped }, 'dataset.count'),
    ...flattenParams(perSource, 'dataset.source'),
  ];
}

export interface StartTrackingOptions {
  target: TrackingTarget;
  config: ExperimentConfig;
  runDir: string;
  /** Continue the MLflow run recorded in the run folder's tracking.json. */
  resumed: boolean;
  data: RunData;
  /** The MLflow run this run repeats. */
  rerunOf?: string;
  /** Extra tags for a new run. */
  tags?: KeyValue[];
  /** Progress lines of the tracker (e.g. `registered cxr version 3`). Defaults to console.log with a `cxrlab: ` prefix. */
  log?: (message: string) => void;
}

export async function startTracking(options: StartTrackingOptions): Promise<RunTracker> {
  const { target, config, runDir, rerunOf } = options;
  const previous = options.resumed ? (JSON.parse(await readFile(join(runDir, 'tracking.json'), 'utf8').catch(() => '{}')) as { runId?: string }) : {};
  const tracker = await startRunTracker({
    client: target.client,
    experimentName: target.experimentName,
    runName: `${config.name}-${basename(runDir)}`,
    spoolDir: runDir,
    ...(previous.runId ? { runId: previous.runId } : {}),
    ...(config.tracking?.registeredModel !== undefined ? { registeredModel: config.tracking.registeredModel } : {}),
    log: options.log ?? ((m) => console.log(`cxrlab: ${m}`)),
    // tracking.json names the version as soon as there is one (finish() registers after the upload of the folder).
    onRegistered: () => recordTracking(target, runDir, tracker),
    tags: [
      { key: 'mlflow.note.content', value: `cxrlab run folder: ${runDir}${rerunOf ? `\n\nRerun of run ${rerunOf}.` : ''}` },
      ...(rerunOf ? [{ key: 'cxrlab.rerunOf', value: rerunOf }] : []),
      // Which native kernels trained the run (e.g. `relu-grad=on … adam=on`): round-off differs between routes.
      { key: 'cxrlab.fastPath', value: describeFastPath() },
      ...(options.tags ?? []),
    ],
  });
  if (!previous.runId) {
    await tracker.logParams(runParams(config, options.data));
    await tracker.logDataset(datasetInput(config, options.data), 'train');
  }
  await recordTracking(target, runDir, tracker);
  return tracker;
}

/** What tracking.json holds. */
export interface TrackingRecord {
  trackingUri: string;
  runId: string;
  url: string;
  /** The model version this run's model was registered as (config `tracking.registeredModel`). */
  registeredModel?: { name: string; version: string; modelId: string };
}

/** tracking.json: the run's server, id and page (rewritten when a run created late gets its id), and its registered model version. */
export async function recordTracking(target: TrackingTarget, runDir: string, tracker: RunTracker): Promise<void> {
  const registered = tracker.registered;
  const record: TrackingRecord = {
    trackingUri: target.client.trackingUri,
    runId: tracker.runId,
    url: tracker.url,
    ...(registered ? { registeredModel: { name: registered.name, version: registered.version, modelId: registered.modelId } } : {}),
  };
  await writeJson(runDir, 'tracking.json', record);
}
