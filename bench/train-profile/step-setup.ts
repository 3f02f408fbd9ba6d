// What bench:profile and bench:ablate share: the command-line options naming the model and batch,
// and the seeded random batch both train on.
import { tf } from '../../src';

export const STEP_OPTIONS = {
  model: { type: 'string', default: 'seed-004' },
  batch: { type: 'string', default: '32' },
  size: { type: 'string', default: '150' },
} as const;

/** `batch` seeded random images of size² × 3 and one-hot labels cycling through the 3 classes. The caller disposes them. */
export function randomBatch(batch: number, size: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 3), 'int32'), 3).toFloat()) as tf.Tensor2D;
  return { xs, ys };
}
