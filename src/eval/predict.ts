// The tensor → numbers boundary of evaluation: class probabilities as a plain Float32Array.
import { tf } from '../native/tf';

export interface Predictions {
  /** Row-major [n, numClasses] probabilities. */
  probs: Float32Array;
  numClasses: number;
}

export function predictProbabilities(model: tf.LayersModel, xs: tf.Tensor4D, batchSize: number): Predictions {
  const out = model.predict(xs, { batchSize }) as tf.Tensor2D;
  const probs = out.dataSync() as Float32Array;
  const numClasses = out.shape[1];
  out.dispose();
  return { probs, numClasses };
}
