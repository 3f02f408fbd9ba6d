// The training loop for in-memory tensors: seeded per-epoch shuffle, Adam, categorical cross-entropy,
// Keras metric names (loss, accuracy, val_loss, val_accuracy) and measured training throughput.
import { enableFastPath } from '../native/fast';
import { tf } from '../native/tf';
import { Rng, deriveSeed } from '../util/rng';

export interface EpochLogs {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  /** Training images per second this epoch (forward + backward + update; validation excluded). */
  images_per_second: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Seed of the per-epoch shuffle. */
  seed: number;
  /** Use cxrlab's native-kernel training path (see native/fast). Defaults to true. */
  fastPath?: boolean;
  /** Called after each epoch with its logs; epochs count from 0. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

export interface FitData {
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
  val?: { xs: tf.Tensor4D; ys: tf.Tensor2D };
}

/** Compiles for 3-class training; returns the optimizer, which the caller owns and disposes. */
export function compileForClassification(model: tf.LayersModel, learningRate: number): tf.Optimizer {
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return optimizer;
}

/** Trains `model` in place. The optimizer (and its state) lives for this call only. */
export async function fit(model: tf.LayersModel, data: FitData, options: FitOptions): Promise<EpochLogs[]> {
  if (options.fastPath ?? true) enableFastPath();
  const optimizer = compileForClassification(model, options.learningRate);
  try {
    return await fitEpochs(model, data, options);
  } finally {
    optimizer.dispose();
  }
}

async function fitEpochs(model: tf.LayersModel, data: FitData, options: FitOptions): Promise<EpochLogs[]> {
  const n = data.xs.shape[0];
  const history: EpochLogs[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = new Rng(deriveSeed(options.seed, `shuffle:${epoch}`)).shuffle([...Array(n).keys()]);
    let lossSum = 0;
    let accSum = 0;
    let trainMs = 0;
    for (let start = 0; start < n; start += options.batchSize) {
      const idx = order.slice(start, start + options.batchSize);
      const [bx, by] = tf.tidy(() => {
        const indices = tf.tensor1d(idx, 'int32');
        return [tf.gather(data.xs, indices), tf.gather(data.ys, indices)];
      });
      const t0 = performance.now();
      const [loss, acc] = (await model.trainOnBatch(bx, by)) as number[];
      trainMs += performance.now() - t0;
      tf.dispose([bx, by]);
      lossSum += (loss as number) * idx.length;
      accSum += (acc as number) * idx.length;
    }
    const logs: EpochLogs = { loss: lossSum / n, accuracy: accSum / n, images_per_second: (n / trainMs) * 1000 };
    if (data.val) Object.assign(logs, evaluateLoss(model, data.val.xs, data.val.ys, options.batchSize));
    history.push(logs);
    await options.onEpochEnd?.(epoch, logs);
  }
  return history;
}

function evaluateLoss(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, batchSize: number) {
  const [loss, acc] = model.evaluate(xs, ys, { batchSize }) as tf.Scalar[];
  const out = { val_loss: (loss as tf.Scalar).dataSync()[0] as number, val_accuracy: (acc as tf.Scalar).dataSync()[0] as number };
  tf.dispose([loss, acc] as tf.Scalar[]);
  return out;
}
