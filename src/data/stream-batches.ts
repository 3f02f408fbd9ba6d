// Training batches streamed from image files: each epoch in a seeded order (the same order memoryBatches
// gives for the same seed and epoch), decoded a few images at a time (sharp decodes on libvips' own
// threads) and `prefetch` batches ahead of the one being trained on, so memory stays at a few batches
// whatever the dataset size. Integers become floats in one native step per batch; with `grey: 'planes'`
// a batch of grey images stays one plane (planes.ts). This source disposes the tensors it yields.
import { tf } from '../native/tf';
import type { Batch, BatchSource } from '../train/memory-batches';
import { mapLimit } from '../util/map-limit';
import { deriveSeed, Rng } from '../util/rng';
import { CLASS_NAMES, classIndex } from './classes';
import type { DecodeOptions } from './decode';
import type { ImageEntry } from './index-entry';
import { type PlaneBatch, type PlanePixels, assemblePlanes, checkPlanes, decodePlanes, pixelTensor } from './planes';

export interface StreamOptions<E extends ImageEntry> {
  decode: DecodeOptions;
  /** The shuffle seed (as memoryBatches': `deriveSeed(seed, 'shuffle:<epoch>')` orders each epoch). */
  seed: number;
  /** Batches decoded ahead of the one being trained on. Default 2. */
  prefetch?: number;
  /** Images decoded at a time. Default 4. */
  concurrency?: number;
  /** Reads one image's integer pixels, grey as one plane; default: decodePixels (cachedLoader reads through the cache). */
  load?: (entry: E, decode: DecodeOptions) => Promise<PlanePixels>;
  /**
   * 'planes': a batch whose images are all grey is yielded as [n, size, size, 1] (`fit` replicates it at
   * the model's input; the augmentation does a third of the work). Default 'channels': always `decode.channels`.
   */
  grey?: 'planes' | 'channels';
}

const DEFAULT_PREFETCH = 2;
const DEFAULT_CONCURRENCY = 4;

interface Pixels extends PlaneBatch {
  labels: Int32Array;
}

/** Reads the images of one batch, `concurrency` at a time, into one buffer. */
async function readBatch<E extends ImageEntry>(entries: readonly E[], options: StreamOptions<E>): Promise<Pixels> {
  const load = options.load ?? decodePlanes;
  const images = await mapLimit(entries, options.concurrency ?? DEFAULT_CONCURRENCY, async (entry) => checkPlanes(await load(entry, options.decode), options.decode, entry.path));
  return { ...assemblePlanes(images, options.decode), labels: Int32Array.from(entries, (e) => classIndex(e.label)) };
}

function toBatch(p: Pixels, options: { decode: DecodeOptions; grey?: 'planes' | 'channels' }): Batch {
  return tf.tidy(() => ({
    xs: pixelTensor(p, options.decode, options.grey ?? 'channels'),
    ys: tf.oneHot(tf.tensor1d(p.labels, 'int32'), CLASS_NAMES.length).toFloat() as tf.Tensor2D,
  }));
}

export function streamBatches<E extends ImageEntry>(entries: readonly E[], options: StreamOptions<E>): BatchSource {
  const n = entries.length;
  const ahead = Math.max(0, options.prefetch ?? DEFAULT_PREFETCH);
  return {
    size: n,
    async *batches(epoch: number, batchSize: number) {
      const order = new Rng(deriveSeed(options.seed, `shuffle:${epoch}`)).shuffle([...Array(n).keys()]);
      const starts = Array.from({ length: Math.ceil(n / batchSize) }, (_, b) => b * batchSize);
      const read = (start: number): Promise<Pixels> => readBatch(order.slice(start, start + batchSize).map((i) => entries[i] as E), options);
      // Reads in flight, oldest first; a failed read is awaited (and thrown) in its turn.
      const queue: Promise<Pixels>[] = [];
      let started = 0;
      try {
        for (let b = 0; b < starts.length; b++) {
          while (started < starts.length && queue.length <= ahead) {
            const pending = read(starts[started++] as number);
            pending.catch(() => {}); // observed when its turn comes
            queue.push(pending);
          }
          const batch = toBatch(await (queue.shift() as Promise<Pixels>), options);
          try {
            yield batch;
          } finally {
            tf.dispose([batch.xs, batch.ys]);
          }
        }
      } finally {
        await Promise.allSettled(queue); // a stopped epoch leaves no read running behind it
      }
    },
  };
}
