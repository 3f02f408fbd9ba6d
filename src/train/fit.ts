// The training loop: epochs over a BatchSource, a chosen optimiser and loss, validation after each
// epoch, callbacks for every side effect, and a cooperative stop (AbortSignal) checked between
// batches. Metric names follow Keras (loss, accuracy, val_loss, val_accuracy, lr).
import { enableFastPath } from '../native/fast';
import { tf } from '../native/tf';
import type { BatchLogs, EpochLogs, TrainingCallback, TrainingContext } from './callbacks/callback';
import type { NamedTensor } from './callbacks/last-state';
import { type LossOptions, categoricalCrossentropy } from './loss';
import { type BatchSource, expandPlanes } from './memory-batches';
import { type OptimizerOptions, getLearningRate, makeOptimizer, setLearningRate } from './optimizers';

export type { EpochLogs } from './callbacks/callback';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Defaults to Adam at 1e-3. */
  optimizer?: OptimizerOptions;
  loss?: LossOptions;
  /** Learning rate for each epoch (0-based), applied before it starts; overrides the optimiser's rate. */
  schedule?: (epoch: number) => number;
  callbacks?: TrainingCallback[];
  /** Use cxrlab's native-kernel training path (see native/fast). Defaults to true. */
  fastPath?: boolean;
  /** Stops training after the current batch when aborted (Ctrl-C, a notebook interrupt). */
  signal?: AbortSignal;
  /** Continue a run: the epochs it completed and the optimiser state saved after the last of them. */
  resume?: { history: EpochLogs[]; optimizer: NamedTensor[]; learningRate: number };
}

export interface FitData {
  train: BatchSource;
  val?: { xs: tf.Tensor4D; ys: tf.Tensor2D };
}

export interface FitResult {
  history: EpochLogs[];
  /** Why training ended before `epochs`, if it did (early stopping, abort). */
  stopReason?: string;
}

/** Compiles for 3-class training; returns the optimiser, which the caller owns and disposes. */
export function compileForClassification(
  model: tf.LayersModel,
  options: { optimizer?: OptimizerOptions; loss?: LossOptions } = {},
): tf.Optimizer {
  const optimizer = makeOptimizer(options.optimizer ?? { name: 'adam', learningRate: 1e-3 });
  model.compile({ optimizer, loss: categoricalCrossentropy(options.loss), metrics: ['accuracy'] });
  return optimizer;
}

/** Trains `model` in place. The optimiser (and its state) lives for this call only. */
export async function fit(model: tf.LayersModel, data: FitData, options: FitOptions): Promise<FitResult> {
  if (options.fastPath ?? true) enableFastPath();
  const optimizer = compileForClassification(model, options);
  const valLoss = categoricalCrossentropy({ labelSmoothing: options.loss?.labelSmoothing ?? 0 });
  let stopReason: string | undefined;
  const ctx: TrainingContext = {
    model,
    optimizer,
    epochs: options.epochs,
    batchesPerEpoch: Math.ceil(data.train.size / options.batchSize),
    stopTraining: (reason) => {
      stopReason ??= reason;
    },
  };
  const callbacks = options.callbacks ?? [];
  const history: EpochLogs[] = [...(options.resume?.history ?? [])];
  let failure: unknown;
  try {
    if (options.resume) {
      await optimizer.setWeights(options.resume.optimizer);
      setLearningRate(optimizer, options.resume.learningRate);
      for (const cb of callbacks) await cb.onResume?.(history, ctx);
    }
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
    for (let epoch = history.length; epoch < options.epochs && stopReason === undefined; epoch++) {
      if (options.schedule) setLearningRate(optimizer, options.schedule(epoch));
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      const logs = await trainEpoch(model, data.train, epoch, options, ctx, callbacks);
      if (logs === null) break; // aborted mid-epoch: the partial epoch is not part of the history
      if (data.val) Object.assign(logs, validate(model, data.val, options.batchSize, valLoss));
      history.push(logs);
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
    }
  } catch (err) {
    failure = err;
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(history, ctx, failure);
  optimizer.dispose();
  if (failure !== undefined) throw failure;
  return stopReason === undefined ? { history } : { history, stopReason };
}

async function trainEpoch(
  model: tf.LayersModel,
  source: BatchSource,
  epoch: number,
  options: FitOptions,
  ctx: TrainingContext,
  callbacks: TrainingCallback[],
): Promise<EpochLogs | null> {
  const lr = getLearningRate(ctx.optimizer);
  let seen = 0;
  let lossSum = 0;
  let accSum = 0;
  let trainMs = 0;
  let waitMs = 0;
  let batch = 0;
  const channels = model.inputs[0]?.shape[3] ?? 1;
  let asked = performance.now();
  for await (const { xs, ys } of source.batches(epoch, options.batchSize)) {
    waitMs += performance.now() - asked;
    // A batch's awaits resolve at once: without a turn of the event loop between batches, SIGINT listeners
    // (Ctrl-C, a notebook interrupt), timers (system metrics) and network I/O (tracking delivered in the
    // background, a server closing an idle connection) would all wait for the epoch's end.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) {
      ctx.stopTraining(`stopped: ${String(options.signal.reason ?? 'aborted')}`);
      return null;
    }
    const t0 = performance.now();
    const input = expandPlanes(xs, channels);
    const [loss, acc] = (await model.trainOnBatch(input, ys)) as [number, number];
    if (input !== xs) input.dispose();
    trainMs += performance.now() - t0;
    const size = xs.shape[0];
    seen += size;
    lossSum += loss * size;
    accSum += acc * size;
    const logs: BatchLogs = { batch: batch++, size, loss, accuracy: acc };
    for (const cb of callbacks) await cb.onBatchEnd?.(epoch, logs, ctx);
    asked = performance.now();
  }
  return { loss: lossSum / seen, accuracy: accSum / seen, lr, images_per_second: (seen / trainMs) * 1000, input_wait_fraction: waitMs / (waitMs + trainMs) };
}

/** Validation loss (smoothed like training, never class-weighted, as in Keras) and accuracy. */
function validate(
  model: tf.LayersModel,
  val: { xs: tf.Tensor4D; ys: tf.Tensor2D },
  batchSize: number,
  lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor,
): { val_loss: number; val_accuracy: number } {
  return tf.tidy(() => {
    const probs = model.predict(val.xs, { batchSize }) as tf.Tensor2D;
    const loss = lossFn(val.ys, probs).dataSync()[0] as number;
    const acc = probs.argMax(-1).equal(val.ys.argMax(-1)).mean().dataSync()[0] as number;
    return { val_loss: loss, val_accuracy: acc };
  });
}
