// The composition root: config → files → split → tensors → model → fit → evaluation → run folder.
// The only module that imports every area; each stage gets its slice of the config.
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type AugmentOptions, type Augmenter, makeAugmenter } from './augment';
import type { ExperimentConfig } from './config/schema';
import { CLASS_NAMES } from './data/classes';
import { scanClassFolders } from './data/folder-source';
import { disposeTensors, loadTensors } from './data/load-tensors';
import { stratifiedSplit } from './data/split';
import { type BootstrapResult, type ClassificationReport, bootstrapCI, calibration, classificationReport } from './eval';
import { accuracyOf, argmaxRows, confusionMatrix } from './eval/confusion';
import { predictProbabilities } from './eval/predict';
import { CxrlabError } from './errors';
import { writeGradcams } from './explain/gallery';
import { buildTransferModel, setTrainableBackbone, type TransferModel } from './model/transfer';
import { buildModel } from './model/zoo';
import { confusionFigure } from './plots/confusion';
import { confusionPng } from './plots/confusion-png';
import { trainingCurves } from './plots/curves';
import { figureHtml } from './plots/html';
import { tf } from './native/tf';
import { createRunDir, writeJson } from './run-dir';
import {
  type TrainingCallback,
  type TrainingState,
  checkpointBest,
  earlyStopping,
  lastState,
  loadTrainingState,
  reduceLrOnPlateau,
} from './train/callbacks';
import { type EpochLogs, fit } from './train/fit';
import { balancedClassWeights } from './train/loss';
import { type BatchSource, memoryBatches } from './train/memory-batches';
import { makeSchedule } from './train/schedules';
import { deriveSeed } from './util/rng';
import type { Dataset, KeyValue } from './mlflow-client';
import { flattenParams } from './tracking/flatten';
import type { TrackingTarget } from './tracking/resolve';
import { type RunTracker, startRunTracker } from './tracking/run-tracker';
import type { ImageEntry } from './data/folder-source';

export interface ExperimentHooks {
  /** Progress messages (dataset counts, callbacks' decisions). */
  log?: (message: string) => void;
  /** Extra training callbacks (a progress bar, live charts, tracking). */
  callbacks?: TrainingCallback[];
  /** Stops training cooperatively after the current batch. */
  signal?: AbortSignal;
  /** Continue this run folder from its last completed epoch instead of starting a new run. */
  resumeDir?: string;
  /** Log the run to MLflow (params, per-epoch metrics, dataset, artifacts, model, status). */
  tracking?: TrackingTarget;
  /** This run repeats an MLflow run: its split must come out identical, and the run is tagged with its source. */
  rerunOf?: { runId: string; split: SplitPaths };
}

export interface ExperimentResult {
  /** The MLflow run, when tracked. */
  mlflow?: { runId: string; url: string };
  /** Everything this run wrote: config.json, split.json, history.json, report.json, curves.html,
   * confusion.html, model/, checkpoints/, gradcam/. */
  runDir: string;
  counts: { train: number; val: number; perClass: Record<string, number> };
  history: EpochLogs[];
  stopReason?: string;
  /** Validation confusion matrix, rows = true class in CLASS_NAMES order. */
  confusion: number[][];
  /** The validation report: per-class precision / sensitivity / specificity / F1 / AUC, averages, log loss. */
  report: ClassificationReport;
  /** Seeded bootstrap 95 % intervals: accuracy, macro-F1, macro AUC, COVID sensitivity and PPV. */
  intervals: BootstrapResult;
  /** Expected calibration error (top label, 15 bins). */
  ece: number;
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

async function bestCheckpointWeights(runDir: string): Promise<tf.Tensor[] | null> {
  const model = await tf.loadLayersModel(`file://${join(runDir, 'checkpoints', 'best', 'model.json')}`).catch(() => null);
  if (!model) return null;
  const weights = model.getWeights().map((w) => w.clone());
  model.dispose();
  return weights;
}

function trainingCallbacks(config: ExperimentConfig, runDir: string, log: (m: string) => void): TrainingCallback[] {
  const { earlyStopping: es, reduceLrOnPlateau: rl, checkpoint } = config.train;
  const callbacks: TrainingCallback[] = [checkpointBest({ ...checkpoint, dir: join(runDir, 'checkpoints', 'best') })];
  if (rl.enabled) callbacks.push(reduceLrOnPlateau({ ...rl, onReduce: (e, from, to) => log(`epoch ${e + 1}: learning rate ${from} → ${to}`) }));
  if (es.enabled) {
    // On resume, the best epoch's weights are those checkpoint-best kept, if it watches the same metric.
    const sameMetric = es.monitor === checkpoint.monitor && es.mode === checkpoint.mode;
    callbacks.push(earlyStopping({ ...es, ...(sameMetric ? { resumeBestWeights: () => bestCheckpointWeights(runDir) } : {}) }));
  }
  return callbacks;
}

type SplitPaths = { train: string[]; val: string[] };

/** A resumed or rerun run must get the split it had: the data must not have changed. */
function checkSameSplit(source: string, expected: SplitPaths, split: SplitPaths, what: string): void {
  if (JSON.stringify(expected) !== JSON.stringify(split)) {
    const moved = [...expected.train.filter((p) => !split.train.includes(p)), ...expected.val.filter((p) => !split.val.includes(p))];
    throw new CxrlabError(
      `${source}: the dataset no longer gives this run's split (${moved.length} file(s) missing or moved, e.g. ${moved.slice(0, 3).join(', ') || 'new files added'}); cannot ${what}`,
    );
  }
}

/** The training batches, augmented per (epoch, batch) when the config asks for it; this source disposes what it makes. */
function augmented(source: BatchSource, augmenter: Augmenter): BatchSource {
  if (augmenter.identity) return source;
  return {
    size: source.size,
    async *batches(epoch, batchSize) {
      let batch = 0;
      for await (const { xs, ys } of source.batches(epoch, batchSize)) {
        const { images } = augmenter.augment(xs, { epoch, batch: batch++ });
        try {
          yield { xs: images, ys };
        } finally {
          images.dispose();
        }
      }
    },
  };
}

/** The dataset as an MLflow input: its digest covers every file's path and size. */
async function datasetInput(dir: string, entries: readonly ImageEntry[], counts: Record<string, number>): Promise<Dataset> {
  const hash = createHash('sha256');
  for (const e of [...entries].sort((a, b) => a.path.localeCompare(b.path))) hash.update(`${e.path}\t${(await stat(e.path)).size}\n`);
  return { name: basename(dir), digest: hash.digest('hex').slice(0, 16), source_type: 'local', source: dir, profile: JSON.stringify({ images: entries.length, ...counts }) };
}

function runParams(config: ExperimentConfig, counts: { train: number; val: number; perClass: Record<string, number> }): KeyValue[] {
  const optimizer: Record<string, number> =
    config.train.optimizer === 'adam' ? { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } : config.train.optimizer === 'rmsprop' ? { rho: 0.9, epsilon: 1e-7 } : {};
  return [
    ...flattenParams(config),
    ...flattenParams(optimizer, 'optimizer'),
    ...flattenParams({ train: counts.train, val: counts.val, ...counts.perClass }, 'dataset.count'),
  ];
}

async function startTracking(
  target: TrackingTarget,
  config: ExperimentConfig,
  runDir: string,
  resumed: boolean,
  data: { entries: readonly ImageEntry[]; counts: { train: number; val: number; perClass: Record<string, number> } },
  rerunOf?: string,
): Promise<RunTracker> {
  const previous = resumed ? (JSON.parse(await readFile(join(runDir, 'tracking.json'), 'utf8').catch(() => '{}')) as { runId?: string }) : {};
  const tracker = await startRunTracker({
    client: target.client,
    experimentName: target.experimentName,
    runName: `${config.name}-${basename(runDir)}`,
    ...(previous.runId ? { runId: previous.runId } : {}),
    tags: [
      { key: 'mlflow.note.content', value: `cxrlab run folder: ${runDir}${rerunOf ? `\n\nRerun of run ${rerunOf}.` : ''}` },
      ...(rerunOf ? [{ key: 'cxrlab.rerunOf', value: rerunOf }] : []),
    ],
  });
  if (!previous.runId) {
    await tracker.logParams(runParams(config, data.counts));
    await tracker.logDataset(await datasetInput(config.data.dir, data.entries, data.counts.perClass), 'train');
  }
  await writeJson(runDir, 'tracking.json', { trackingUri: target.client.trackingUri, runId: tracker.runId, url: tracker.url });
  return tracker;
}

/** The validation report as MLflow metrics (`val_…`), each interval as `…_ci_low` / `…_ci_high`. */
function evaluationMetrics(result: ExperimentResult): Record<string, number> {
  const m: Record<string, number> = {
    final_val_accuracy: result.valAccuracy,
    val_balanced_accuracy: result.report.balancedAccuracy,
    val_macro_f1: result.report.macro.f1,
    val_macro_auc: result.report.macro.auc,
    val_log_loss: result.report.logLoss,
    val_ece: result.ece,
  };
  for (const c of result.report.perClass) {
    Object.assign(m, { [`val_${c.name}_sensitivity`]: c.sensitivity, [`val_${c.name}_specificity`]: c.specificity, [`val_${c.name}_ppv`]: c.ppv, [`val_${c.name}_auc`]: c.auc });
  }
  for (const [name, ci] of Object.entries(result.intervals.intervals)) {
    Object.assign(m, { [`val_${name}_ci_low`]: ci.lower, [`val_${name}_ci_high`]: ci.upper });
  }
  return m;
}

/** The transfer model; its input must match the data settings. */
async function transferModel(config: ExperimentConfig): Promise<TransferModel> {
  const t = await buildTransferModel({
    backbone: config.model.backbone as string,
    freeze: config.model.freeze,
    numClasses: CLASS_NAMES.length,
    dropout: config.model.dropout,
    seed: deriveSeed(config.seed, 'init'),
  });
  const [, h, w, c] = t.inputShape;
  if (h !== config.data.imageSize || w !== config.data.imageSize || c !== config.data.channels) {
    t.model.dispose();
    throw new CxrlabError(
      `${config.model.backbone}: the backbone takes ${h}x${w}x${c} images; set data.imageSize: ${h} and data.channels: ${c} (received ${config.data.imageSize} and ${config.data.channels})`,
    );
  }
  return t;
}

export async function runExperiment(config: ExperimentConfig, hooks: ExperimentHooks = {}): Promise<ExperimentResult> {
  const log = hooks.log ?? (() => {});
  const runDir = hooks.resumeDir ?? (await createRunDir(config.output.dir, config.name));
  const entries = await scanClassFolders(config.data.dir);
  const split = stratifiedSplit(entries, { valFraction: config.data.valFraction, seed: deriveSeed(config.seed, 'split') });
  const splitPaths = { train: split.train.map((e) => e.path), val: split.val.map((e) => e.path) };
  let resume: TrainingState | undefined;
  if (hooks.resumeDir) {
    const saved = JSON.parse(await readFile(join(runDir, 'split.json'), 'utf8')) as SplitPaths;
    checkSameSplit(join(runDir, 'split.json'), saved, splitPaths, 'resume');
    resume = await loadTrainingState(join(runDir, 'checkpoints', 'last')).catch((cause: unknown) => {
      throw new CxrlabError(`${join(runDir, 'checkpoints', 'last')}: no completed epoch to resume from`, { cause });
    });
    log(`resuming ${runDir} after epoch ${resume.epoch} of ${config.train.epochs}`);
  } else {
    if (hooks.rerunOf) checkSameSplit(`the split of run ${hooks.rerunOf.runId}`, hooks.rerunOf.split, splitPaths, 'rerun it');
    await writeJson(runDir, 'config.json', config);
    await writeJson(runDir, 'split.json', splitPaths);
  }
  const perClass = Object.fromEntries(CLASS_NAMES.map((c) => [c, entries.filter((e) => e.label === c).length]));
  log(`data: ${entries.length} images in ${config.data.dir} (${CLASS_NAMES.map((c) => `${c} ${perClass[c]}`).join(', ')})`);
  log(`split: ${split.train.length} train, ${split.val.length} validation`);

  const counts = { train: split.train.length, val: split.val.length, perClass };
  const tracker = hooks.tracking ? await startTracking(hooks.tracking, config, runDir, Boolean(resume), { entries, counts }, hooks.rerunOf?.runId) : undefined;
  if (tracker) log(`MLflow run: ${tracker.url}`);
  try {
    return await trainAndEvaluate(config, hooks, { runDir, split, counts, resume, tracker, log });
  } catch (err) {
    await tracker?.finish('FAILED', runDir).catch(() => {});
    throw err;
  }
}

interface RunContext {
  runDir: string;
  split: { train: ImageEntry[]; val: ImageEntry[] };
  counts: { train: number; val: number; perClass: Record<string, number> };
  resume: TrainingState | undefined;
  tracker: RunTracker | undefined;
  log: (m: string) => void;
}

async function trainAndEvaluate(config: ExperimentConfig, hooks: ExperimentHooks, ctx: RunContext): Promise<ExperimentResult> {
  const { runDir, split, counts, resume, tracker, log } = ctx;
  const decode = { size: config.data.imageSize, channels: config.data.channels };
  const [train, val] = await Promise.all([loadTensors(split.train, decode), loadTensors(split.val, decode)]);
  const transfer = config.model.name === 'transfer' ? await transferModel(config) : null;
  const model =
    transfer?.model ??
    buildModel(config.model.name, {
      inputSize: config.data.imageSize,
      channels: config.data.channels,
      numClasses: CLASS_NAMES.length,
      dropout: config.model.dropout,
      width: config.model.width,
      seed: deriveSeed(config.seed, 'init'),
    });
  if (resume) {
    model.setWeights(resume.weights);
    tf.dispose(resume.weights);
  }
  try {
    const t = config.train;
    const classWeights = classWeightsOf(config, train.labels);
    const augmenter = makeAugmenter(config.augment as AugmentOptions, deriveSeed(config.seed, 'augment'));
    const { history, stopReason } = await fit(
      model,
      { train: augmented(memoryBatches(train.xs, train.ys, { seed: deriveSeed(config.seed, 'shuffle') }), augmenter), val: { xs: val.xs, ys: val.ys } },
      {
        epochs: t.epochs,
        batchSize: t.batchSize,
        optimizer: { name: t.optimizer, learningRate: t.learningRate, momentum: t.momentum },
        loss: { labelSmoothing: t.labelSmoothing, ...(classWeights ? { classWeights } : {}) },
        ...(t.schedule.kind === 'constant' ? {} : { schedule: makeSchedule(t.schedule, t.learningRate, t.epochs) }),
        callbacks: [
          ...trainingCallbacks(config, runDir, log),
          ...(tracker ? [tracker.callback()] : []),
          ...(hooks.callbacks ?? []),
          lastState({ dir: join(runDir, 'checkpoints', 'last') }), // last: it records what the others changed
        ],
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(resume ? { resume: { history: resume.history, optimizer: resume.optimizer, learningRate: resume.learningRate } } : {}),
      },
    );
    if (resume) tf.dispose(resume.optimizer.map((o) => o.tensor));
    if (stopReason) log(stopReason);
    if (transfer && t.fineTune.epochs > 0 && !stopReason) {
      setTrainableBackbone(transfer, t.fineTune.unfreeze === 'all' ? 'none' : t.fineTune.unfreeze);
      log(`fine-tuning: ${t.fineTune.epochs} epoch(s) at learning rate ${t.fineTune.learningRate} with the backbone unfrozen`);
      const phase2 = await fit(
        model,
        { train: augmented(memoryBatches(train.xs, train.ys, { seed: deriveSeed(config.seed, 'shuffle:fine-tune') }), augmenter), val: { xs: val.xs, ys: val.ys } },
        {
          epochs: t.fineTune.epochs,
          batchSize: t.batchSize,
          optimizer: { name: t.optimizer, learningRate: t.fineTune.learningRate, momentum: t.momentum },
          loss: { labelSmoothing: t.labelSmoothing, ...(classWeights ? { classWeights } : {}) },
          callbacks: [...trainingCallbacks(config, runDir, log), ...(hooks.callbacks ?? [])],
          ...(hooks.signal ? { signal: hooks.signal } : {}),
        },
      );
      history.push(...phase2.history);
      if (phase2.stopReason) log(phase2.stopReason);
    }
    await writeJson(runDir, 'history.json', history);
    await model.save(`file://${join(runDir, 'model')}`);
    const predictions = predictProbabilities(model, val.xs, t.batchSize);
    const confusion = confusionMatrix(val.labels, argmaxRows(predictions), CLASS_NAMES.length);
    const evalData = { yTrue: val.labels, probs: predictions.probs };
    const report = classificationReport(evalData, { classNames: CLASS_NAMES, rocCurves: true });
    const calib = calibration(evalData, { classNames: CLASS_NAMES });
    const intervals = bootstrapCI(evalData, { seed: deriveSeed(config.seed, 'bootstrap'), classNames: CLASS_NAMES });
    const rates = history.map((h) => h.images_per_second).sort((a, b) => a - b);
    const result: ExperimentResult = {
      runDir,
      counts,
      history,
      confusion,
      report,
      intervals,
      ece: calib.ece,
      valAccuracy: accuracyOf(confusion),
      imagesPerSecond: rates[Math.floor(rates.length / 2)] ?? Number.NaN,
      ...(stopReason ? { stopReason } : {}),
    };
    await writeJson(runDir, 'report.json', { split: 'validation', report, calibration: calib, intervals });
    await writeFile(join(runDir, 'curves.html'), figureHtml(trainingCurves(history, `${config.name}: training curves`), 'training curves'));
    await writeFile(join(runDir, 'confusion.html'), figureHtml(confusionFigure(confusion, CLASS_NAMES, 'Validation confusion matrix'), 'confusion matrix'));
    await writeFile(join(runDir, 'confusion.png'), await confusionPng(confusion, CLASS_NAMES, 'Validation confusion matrix'));
    if (config.evaluation.gradcamPerClass > 0) {
      const written = await writeGradcams(model, val, {
        dir: join(runDir, 'gradcam'),
        perClass: config.evaluation.gradcamPerClass,
        names: split.val.map((e) => e.path),
      });
      log(`grad-cam: ${written.length} images in ${join(runDir, 'gradcam')}`);
    }
    if (tracker) {
      await tracker.logMetrics(evaluationMetrics(result), history.length);
      await tracker.finish(stopReason?.startsWith('stopped') ? 'KILLED' : 'FINISHED', runDir);
      result.mlflow = { runId: tracker.runId, url: tracker.url };
    }
    return result;
  } finally {
    model.dispose();
    disposeTensors(train);
    disposeTensors(val);
  }
}
