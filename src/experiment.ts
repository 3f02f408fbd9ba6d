// The composition root: config → files → split → tensors → model → fit → evaluation → run folder.
// The only module that imports every area; each stage gets its slice of the config.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { augmentedBatches } from './augment/augmented-batches';
import type { ExperimentConfig } from './config/schema';
import { CLASS_NAMES, classIndex } from './data/classes';
import type { IndexedImage } from './data/index-entry';
import { cachedLoader, emptyCacheStats } from './data/decode-cache';
import { type LabelledTensors, type LoadTensorsOptions, disposeTensors, loadTensors } from './data/load-tensors';
import { streamBatches } from './data/stream-batches';
import { formatDataSummary } from './data/summary';
import type { BootstrapResult, ClassificationReport } from './eval';
import { CxrlabError } from './errors';
import { writeGradcams } from './explain/gallery';
import { buildTransferModel, setTrainableBackbone, type TransferModel } from './model/transfer';
import { buildModel } from './model/zoo';
import { tf } from './native/tf';
import { DECODED_CACHE_DIR } from './project-paths';
import { checkSameSplit, prepareData, type RunCounts, type RunData, type SplitPaths } from './run/data';
import { createRunDir, writeJson } from './run/dir';
import { evaluateSplit, evaluationMetrics, type SplitEvaluation } from './run/evaluate';
import { experimentAugmenter } from './run/augmenter';
import { writeRunOutputs } from './run/outputs';
import { auditMetrics, type ShortcutAudit, shortcutAudit } from './run/shortcut-audit';
import { recordTracking, startTracking } from './run/tracking';
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
import { type BatchSource, expandPlanes, memoryBatches } from './train/memory-batches';
import { makeSchedule } from './train/schedules';
import type { KeyValue } from './mlflow-client';
import type { TrackingTarget } from './tracking/resolve';
import type { RunTracker } from './tracking/run-tracker';
import { deriveSeed } from './util/rng';

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
  /** Extra MLflow tags for a new tracked run (e.g. `mlflow.parentRunId` for a sweep's child). */
  tags?: KeyValue[];
  /** This run repeats an MLflow run: its split must come out identical, and the run is tagged with its source. */
  rerunOf?: { runId: string; split: SplitPaths };
}

export interface ExperimentResult {
  /** The MLflow run, when tracked. */
  mlflow?: { runId: string; url: string };
  /** Everything this run wrote: config.json, data.json, split.json, history.json, report.json, model-card.md,
   * curves.html, confusion.html/.png, roc.html, reliability.html (and …-test.* with a test split), model/,
   * checkpoints/, gradcam/. */
  runDir: string;
  counts: RunCounts;
  history: EpochLogs[];
  stopReason?: string;
  /** Validation confusion matrix, rows = true class in CLASS_NAMES order. */
  confusion: number[][];
  /** The validation report: per-class precision / sensitivity / specificity / F1 / AUC, averages, log loss. */
  report: ClassificationReport;
  /** Seeded bootstrap 95 % intervals (resampled by patient): accuracy, macro-F1, macro AUC, COVID sensitivity and PPV. */
  intervals: BootstrapResult;
  /** Expected calibration error (top label, 15 bins). */
  ece: number;
  valAccuracy: number;
  /** The validation split's evaluation in full (with the per-source reports). */
  validation: SplitEvaluation;
  /** The test split's (carved by data.testFraction, given by test/ folders, or external sources), when there is one. */
  test?: SplitEvaluation;
  /** Whether the features tell sources apart within a class. */
  shortcutAudit?: ShortcutAudit;
  /** Median training throughput over the epochs, images per second. */
  imagesPerSecond: number;
}

/** `memory` or `stream`: `auto` streams when the decoded training set would exceed data.memoryLimitMB. */
function trainingPipeline(config: ExperimentConfig, images: number): 'memory' | 'stream' {
  const { pipeline, imageSize, channels, memoryLimitMB } = config.data;
  if (pipeline !== 'auto') return pipeline;
  return (images * imageSize * imageSize * channels * 4) / 2 ** 20 > memoryLimitMB ? 'stream' : 'memory';
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
  const data = await prepareData(config);
  const runDir = hooks.resumeDir ?? (await createRunDir(config.output.dir, config.name));
  let resume: TrainingState | undefined;
  if (hooks.resumeDir) {
    const saved = JSON.parse(await readFile(join(runDir, 'split.json'), 'utf8')) as SplitPaths;
    checkSameSplit(join(runDir, 'split.json'), saved, data.record, 'resume');
    resume = await loadTrainingState(join(runDir, 'checkpoints', 'last')).catch((cause: unknown) => {
      throw new CxrlabError(`${join(runDir, 'checkpoints', 'last')}: no completed epoch to resume from`, { cause });
    });
    log(`resuming ${runDir} after epoch ${resume.epoch} of ${config.train.epochs}`);
  } else {
    if (hooks.rerunOf) checkSameSplit(`the split of run ${hooks.rerunOf.runId}`, hooks.rerunOf.split, data.record, 'rerun it');
    await writeJson(runDir, 'config.json', config);
    await writeJson(runDir, 'data.json', data.summary);
    await writeJson(runDir, 'split.json', data.record);
  }
  for (const line of formatDataSummary(data.summary).trimEnd().split('\n')) log(line);
  if (data.externalSources.length) log(`external test sources (never trained on, reported apart): ${data.externalSources.join(', ')}`);

  const tracker = hooks.tracking
    ? await startTracking({
        target: hooks.tracking,
        config,
        runDir,
        resumed: Boolean(resume),
        data,
        ...(hooks.rerunOf ? { rerunOf: hooks.rerunOf.runId } : {}),
        ...(hooks.tags ? { tags: hooks.tags } : {}),
        log,
      })
    : undefined;
  if (tracker) log(tracker.url ? `MLflow run: ${tracker.url}` : `MLflow run not created yet (server away); records are kept in ${join(runDir, 'mlflow-spool.jsonl')}`);
  try {
    return await trainAndEvaluate(config, hooks, { runDir, data, resume, tracker, log });
  } catch (err) {
    if (tracker && hooks.tracking) {
      await recordTracking(hooks.tracking, runDir, tracker).catch(() => {});
      await tracker.finish('FAILED', runDir).catch(() => {});
    }
    throw err;
  }
}

interface RunContext {
  runDir: string;
  data: RunData;
  resume: TrainingState | undefined;
  tracker: RunTracker | undefined;
  log: (m: string) => void;
}

function buildRunModel(config: ExperimentConfig, transfer: TransferModel | null): tf.LayersModel {
  return (
    transfer?.model ??
    buildModel(config.model.name, {
      inputSize: config.data.imageSize,
      channels: config.data.channels,
      numClasses: CLASS_NAMES.length,
      dropout: config.model.dropout,
      width: config.model.width,
      seed: deriveSeed(config.seed, 'init'),
    })
  );
}

async function trainAndEvaluate(config: ExperimentConfig, hooks: ExperimentHooks, ctx: RunContext): Promise<ExperimentResult> {
  const { runDir, data, resume, tracker, log } = ctx;
  const { split } = data;
  const decode: LoadTensorsOptions = {
    size: config.data.imageSize,
    channels: config.data.channels,
    crop: config.data.crop,
    ...(config.data.cache ? { cache: { dir: config.data.cacheDir ?? DECODED_CACHE_DIR } } : {}),
  };
  const streaming = trainingPipeline(config, split.train.length) === 'stream';
  const [train, val, test] = await Promise.all([
    streaming ? Promise.resolve(null) : loadTensors(split.train, { ...decode, grey: 'planes' }),
    loadTensors(split.val, decode),
    split.test.length ? loadTensors(split.test, decode) : Promise.resolve(null),
  ]);
  const streamCache = streaming && decode.cache ? emptyCacheStats() : undefined;
  const cache = [train, val, test].flatMap((t) => (t?.cache ? [t.cache] : []));
  if (cache.length) log(`decoded-image cache: ${cache.reduce((n, c) => n + c.hits, 0)} hits, ${cache.reduce((n, c) => n + c.misses, 0)} decoded (${decode.cache?.dir})`);
  log(`pipeline: ${streaming ? `streaming ${split.train.length} training images in batches (data.pipeline: ${config.data.pipeline})` : 'training images decoded into memory'}`);
  const transfer = config.model.name === 'transfer' ? await transferModel(config) : null;
  const model = buildRunModel(config, transfer);
  if (resume) {
    model.setWeights(resume.weights);
    tf.dispose(resume.weights);
  }
  const trainBatches = (seedName: string): BatchSource => {
    const seed = deriveSeed(config.seed, seedName);
    if (train) return memoryBatches(train.xs, train.ys, { seed });
    return streamBatches(split.train, { decode, seed, grey: 'planes', ...(decode.cache ? { load: cachedLoader(decode.cache, streamCache) } : {}) });
  };
  try {
    const t = config.train;
    const classWeights = classWeightsOf(config, Int32Array.from(split.train, (e) => classIndex(e.label)));
    const augmenter = experimentAugmenter(config);
    const first = await fit(
      model,
      { train: augmentedBatches(trainBatches('shuffle'), augmenter), val: { xs: val.xs, ys: val.ys } },
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
    const { history } = first;
    let { stopReason } = first;
    if (resume) tf.dispose(resume.optimizer.map((o) => o.tensor));
    if (stopReason) log(stopReason);
    if (transfer && t.fineTune.epochs > 0 && !stopReason) {
      setTrainableBackbone(transfer, t.fineTune.unfreeze === 'all' ? 'none' : t.fineTune.unfreeze);
      log(`fine-tuning: ${t.fineTune.epochs} epoch(s) at learning rate ${t.fineTune.learningRate} with the backbone unfrozen`);
      const phase2 = await fit(
        model,
        { train: augmentedBatches(trainBatches('shuffle:fine-tune'), augmenter), val: { xs: val.xs, ys: val.ys } },
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
      stopReason = phase2.stopReason; // an interrupt while fine-tuning ends the run KILLED
    }
    if (streamCache) log(`decoded-image cache while streaming: ${streamCache.hits} hits, ${streamCache.misses} decoded`);
    await writeJson(runDir, 'history.json', history);
    await model.save(`file://${join(runDir, 'model')}`);

    const evaluate = (part: 'val' | 'test', tensors: LabelledTensors, images: IndexedImage[]): SplitEvaluation =>
      evaluateSplit(model, tensors, images, { split: part, batchSize: t.batchSize, seed: deriveSeed(config.seed, `bootstrap:${part}`), externalSources: data.externalSources });
    const validation = evaluate('val', val, split.val);
    const testEval = test ? evaluate('test', test, split.test) : undefined;
    const trainXs = train && config.evaluation.shortcutAudit ? expandPlanes(train.xs, config.data.channels) : null; // grey training images are held as one plane
    const audit = config.evaluation.shortcutAudit
      ? shortcutAudit(model, [...(trainXs ? [{ xs: trainXs, images: split.train }] : []), { xs: val.xs, images: split.val }, ...(test ? [{ xs: test.xs, images: split.test }] : [])], {
          seed: deriveSeed(config.seed, 'shortcut-audit'),
          batchSize: t.batchSize,
        })
      : undefined;
    if (trainXs && trainXs !== train?.xs) trainXs.dispose();
    if (audit) log(`shortcut audit: ${audit.summary}`);
    await writeRunOutputs({
      config,
      runDir,
      data,
      history,
      parameters: model.countParams(),
      evaluations: testEval ? [validation, testEval] : [validation],
      ...(audit ? { audit } : {}),
      ...(tracker ? { mlflowUrl: tracker.url } : {}),
    });
    if (config.evaluation.gradcamPerClass > 0) {
      // The test split's images where there is one (never used for model selection), else validation's.
      const [tensors, images] = test ? [test, split.test] : [val, split.val];
      const written = await writeGradcams(model, tensors, { dir: join(runDir, 'gradcam'), perClass: config.evaluation.gradcamPerClass, names: images.map((e) => e.path) });
      log(`grad-cam: ${written.length} ${test ? 'test' : 'validation'} images in ${join(runDir, 'gradcam')}`);
    }
    const rates = history.map((h) => h.images_per_second).sort((a, b) => a - b);
    const result: ExperimentResult = {
      runDir,
      counts: data.counts,
      history,
      confusion: validation.confusion,
      report: validation.report,
      intervals: validation.intervals,
      ece: validation.calibration.ece,
      valAccuracy: validation.accuracy,
      validation,
      ...(testEval ? { test: testEval } : {}),
      ...(audit ? { shortcutAudit: audit } : {}),
      imagesPerSecond: rates[Math.floor(rates.length / 2)] ?? Number.NaN,
      ...(stopReason ? { stopReason } : {}),
    };
    if (tracker && hooks.tracking) {
      await tracker.logMetrics({ ...evaluationMetrics(validation), ...(testEval ? evaluationMetrics(testEval) : {}), ...(audit ? auditMetrics(audit) : {}) }, history.length);
      await recordTracking(hooks.tracking, runDir, tracker); // a run created after the start records its id before the upload
      await tracker.finish(stopReason?.startsWith('stopped') ? 'KILLED' : 'FINISHED', runDir);
      if (tracker.runId) result.mlflow = { runId: tracker.runId, url: tracker.url };
    }
    return result;
  } finally {
    model.dispose();
    for (const tensors of [train, val, test]) if (tensors) disposeTensors(tensors);
  }
}
