// Training batches streamed from image files: each epoch in a seeded order (the same order memoryBatches
// gives for the same seed and epoch), decoded a few images at a time (sharp decodes on libvips' own
// threads) and `prefetch` batches ahead of the one being trained on, so memory stays at a few batches
// whatever the dataset size. This source disposes the tensors it yields.
import { tf } from '../native/tf';
import type { Batch, BatchSource } from '../train/memory-batches';
import { mapLimit } from '../util/map-limit';
import { deriveSeed, Rng } from '../util/rng';
import { CLASS_NAMES, classIndex } from './classes';
import { type DecodeOptions, decodeImage } from './decode';
import type { ImageEntry } from './index-entry';

export interface StreamOptions<E extends ImageEntry> {
  decode: DecodeOptions;
  /** The shuffle seed (as memoryBatches': `deriveSeed(seed, 'shuffle:<epoch>')` orders each epoch). */
  seed: number;
  /** Batches decoded ahead of the one being trained on. Default 2. */
  prefetch?: number;
  /** Images decoded at a time. Default 4. */
  concurrency?: number;
  /** Reads one image as `size·size·channels` values in [0, 1]; default: decodeImage (e.g. a cache goes here). */
  load?: (entry: E, decode: DecodeOptions) => Promise<Float32Array>;
}

const DEFAULT_PREFETCH = 2;
const DEFAULT_CONCURRENCY = 4;

interface Pixels {
  values: Float32Array;
  labels: Int32Array;
}

/** Decodes the images of one batch into one buffer, `concurrency` at a time. */
async function readBatch<E extends ImageEntry>(entries: readonly E[], options: StreamOptions<E>): Promise<Pixels> {
  const { decode } = options;
  const load = options.load ?? ((e: E, d: DecodeOptions) => decodeImage(e.path, d));
  const pixels = decode.size * decode.size * decode.channels;
  const values = new Float32Array(entries.length * pixels);
  await mapLimit(entries, options.concurrency ?? DEFAULT_CONCURRENCY, async (entry, i) => {
    const image = await load(entry, decode);
    if (image.length !== pixels) throw new RangeError(`${entry.path}: decoded ${image.length} values, expected ${pixels}`);
    values.set(image, i * pixels);
  });
  return { values, labels: Int32Array.from(entries, (e) => classIndex(e.label)) };
}

function toBatch(p: Pixels, decode: DecodeOptions): Batch {
  const n = p.labels.length;
  return tf.tidy(() => ({
    xs: tf.tensor4d(p.values, [n, decode.size, decode.size, decode.channels]),
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
          const batch = toBatch(await (queue.shift() as Promise<Pixels>), options.decode);
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
