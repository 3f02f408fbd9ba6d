// The batch-source contract of the training loop (grey batches may come as one plane), and batches from tensors held in memory, reshuffled each epoch with a seed derived from (seed, epoch):
// the order of any epoch is reproducible on its own, which is what resuming needs.
import { tf } from '../native/tf';
import { Rng, deriveSeed } from '../util/rng';

export interface Batch {
  /** [n, size, size, channels]; or [n, size, size, 1] for a batch of grey images, replicated at the model's input by `fit` (expandPlanes). */
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
}

/** What the training loop consumes: `size` images per epoch, in batches this source owns and disposes. */
export interface BatchSource {
  size: number;
  batches(epoch: number, batchSize: number): AsyncIterable<Batch>;
}

/** `xs` with `channels` channels: a one-plane batch replicated natively (a new tensor), else `xs` itself. */
export function expandPlanes(xs: tf.Tensor4D, channels: number): tf.Tensor4D {
  return xs.shape[3] === 1 && channels > 1 ? tf.tile(xs, [1, 1, 1, channels]) : xs;
}

export function memoryBatches(xs: tf.Tensor4D, ys: tf.Tensor2D, options: { seed: number }): BatchSource {
  const n = xs.shape[0];
  return {
    size: n,
    async *batches(epoch: number, batchSize: number) {
      const order = new Rng(deriveSeed(options.seed, `shuffle:${epoch}`)).shuffle([...Array(n).keys()]);
      for (let start = 0; start < n; start += batchSize) {
        const batch = tf.tidy(() => {
          const idx = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
          return { xs: tf.gather(xs, idx) as tf.Tensor4D, ys: tf.gather(ys, idx) as tf.Tensor2D };
        });
        try {
          yield batch;
        } finally {
          tf.dispose([batch.xs, batch.ys]);
        }
      }
    },
  };
}
