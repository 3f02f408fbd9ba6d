// A run's MLflow side at its start: the run (new, or the one a resumed run already has), its params (the
// flattened config, optimiser details, dataset counts) and its dataset input with a content digest.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExperimentConfig } from '../config/schema';
import { dataSources } from '../data/config';
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
    tags: [
      { key: 'mlflow.note.content', value: `cxrlab run folder: ${runDir}${rerunOf ? `\n\nRerun of run ${rerunOf}.` : ''}` },
      ...(rerunOf ? [{ key: 'cxrlab.rerunOf', value: rerunOf }] : []),
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

/** tracking.json: the run's server, id and page (rewritten when a run created late gets its id). */
export async function recordTracking(target: TrackingTarget, runDir: string, tracker: RunTracker): Promise<void> {
  await writeJson(runDir, 'tracking.json', { trackingUri: target.client.trackingUri, runId: tracker.runId, url: tracker.url });
}
