// The composition root: config → files → split → tensors → model → fit → evaluation → run folder.
// The only module that imports every area; each stage gets its slice of the config.
import { join } from 'node:path';
import type { ExperimentConfig } from './config/schema';
import { CLASS_NAMES } from './data/classes';
import { scanClassFolders } from './data/folder-source';
import { disposeTensors, loadTensors } from './data/load-tensors';
import { stratifiedSplit } from './data/split';
import { accuracyOf, argmaxRows, confusionMatrix } from './eval/confusion';
import { predictProbabilities } from './eval/predict';
import { buildModel } from './model/zoo';
import { createRunDir, writeJson } from './run-dir';
import { checkpointBest, earlyStopping, reduceLrOnPlateau, type TrainingCallback } from './train/callbacks';
import { type EpochLogs, fit } from './train/fit';
import { balancedClassWeights } from './train/loss';
import { memoryBatches } from './train/memory-batches';
import { makeSchedule } from './train/schedules';
import { deriveSeed } from './util/rng';

export interface ExperimentHooks {
  /** Progress messages (dataset counts, callbacks' decisions). */
  log?: (message: string) => void;
  /** Extra training callbacks (a progress bar, live charts, tracking). */
  callbacks?: TrainingCallback[];
  /** Stops training cooperatively after the current batch. */
  signal?: AbortSignal;
}

export interface ExperimentResult {
  /** Everything this run wrote: config.json, split.json, history.json, report.json, model/, checkpoints/. */
  runDir: string;
  counts: { train: number; val: number; perClass: Record<string, number> };
  history: EpochLogs[];
  stopReason?: string;
  /** Validation confusion matrix, rows = true class in CLASS_NAMES order. */
  confusion: number[][];
  valAccuracy: number;
  /** Median training throughput over the epochs, images per second. */
  imagesPerSecond: number;
}

function classWeightsOf(config: ExperimentConfig, labels: Int32Array): number[] | undefined {
  const cw = config.train.classWeights;
  if (cw === 'none') return undefined;
  if (cw === 'balanced') return balancedClassWeights(labels, CLASS_NAMES.length);
  return CLASS_NAMES.map((c) => cw[c]);
}

function trainingCallbacks(config: ExperimentConfig, runDir: string, log: (m: string) => void): TrainingCallback[] {
  const { earlyStopping: es, reduceLrOnPlateau: rl, checkpoint } = config.train;
  const callbacks: TrainingCallback[] = [checkpointBest({ ...checkpoint, dir: join(runDir, 'checkpoints', 'best') })];
  if (rl.enabled) callbacks.push(reduceLrOnPlateau({ ...rl, onReduce: (e, from, to) => log(`epoch ${e + 1}: learning rate ${from} → ${to}`) }));
  if (es.enabled) callbacks.push(earlyStopping(es));
  return callbacks;
}

export async function runExperiment(config: ExperimentConfig, hooks: ExperimentHooks = {}): Promise<ExperimentResult> {
  const log = hooks.log ?? (() => {});
  const runDir = await createRunDir(config.output.dir, config.name);
  await writeJson(runDir, 'config.json', config);
  const entries = await scanClassFolders(config.data.dir);
  const split = stratifiedSplit(entries, { valFraction: config.data.valFraction, seed: deriveSeed(config.seed, 'split') });
  await writeJson(runDir, 'split.json', { train: split.train.map((e) => e.path), val: split.val.map((e) => e.path) });
  const perClass = Object.fromEntries(CLASS_NAMES.map((c) => [c, entries.filter((e) => e.label === c).length]));
  log(`data: ${entries.length} images in ${config.data.dir} (${CLASS_NAMES.map((c) => `${c} ${perClass[c]}`).join(', ')})`);
  log(`split: ${split.train.length} train, ${split.val.length} validation`);

  const decode = { size: config.data.imageSize, channels: config.data.channels };
  const [train, val] = await Promise.all([loadTensors(split.train, decode), loadTensors(split.val, decode)]);
  const model = buildModel(config.model.name, {
    inputSize: config.data.imageSize,
    channels: config.data.channels,
    numClasses: CLASS_NAMES.length,
    dropout: config.model.dropout,
    width: config.model.width,
    seed: deriveSeed(config.seed, 'init'),
  });
  try {
    const t = config.train;
    const classWeights = classWeightsOf(config, train.labels);
    const { history, stopReason } = await fit(
      model,
      { train: memoryBatches(train.xs, train.ys, { seed: deriveSeed(config.seed, 'shuffle') }), val: { xs: val.xs, ys: val.ys } },
      {
        epochs: t.epochs,
        batchSize: t.batchSize,
        optimizer: { name: t.optimizer, learningRate: t.learningRate, momentum: t.momentum },
        loss: { labelSmoothing: t.labelSmoothing, ...(classWeights ? { classWeights } : {}) },
        schedule: makeSchedule(t.schedule, t.learningRate, t.epochs),
        callbacks: [...trainingCallbacks(config, runDir, log), ...(hooks.callbacks ?? [])],
        ...(hooks.signal ? { signal: hooks.signal } : {}),
      },
    );
    if (stopReason) log(stopReason);
    await writeJson(runDir, 'history.json', history);
    await model.save(`file://${join(runDir, 'model')}`);
    const predictions = predictProbabilities(model, val.xs, t.batchSize);
    const confusion = confusionMatrix(val.labels, argmaxRows(predictions), CLASS_NAMES.length);
    const rates = history.map((h) => h.images_per_second).sort((a, b) => a - b);
    const result: ExperimentResult = {
      runDir,
      counts: { train: split.train.length, val: split.val.length, perClass },
      history,
      confusion,
      valAccuracy: accuracyOf(confusion),
      imagesPerSecond: rates[Math.floor(rates.length / 2)] ?? Number.NaN,
      ...(stopReason ? { stopReason } : {}),
    };
    await writeJson(runDir, 'report.json', { classes: CLASS_NAMES, confusion, valAccuracy: result.valAccuracy });
    return result;
  } finally {
    model.dispose();
    disposeTensors(train);
    disposeTensors(val);
  }
}
