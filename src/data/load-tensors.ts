// Decodes a list of images into one batch tensor and its one-hot labels, through the decoded-image cache
// when one is given. For datasets that fit in memory (cxr-dev: 219 images ≈ 59 MB at 150²×3); the
// streaming pipeline is separate.
import { tf } from '../native/tf';
import { mapLimit } from '../util/map-limit';
import { CLASS_NAMES, classIndex } from './classes';
import { type DecodeOptions, type DecodedPixels, decodePixels, writeUnitRange } from './decode';
import { type DecodeCacheOptions, type DecodeCacheStats, decodeCached, emptyCacheStats } from './decode-cache';
import type { ImageEntry } from './index-entry';

export interface LabelledTensors {
  /** [n, size, size, channels] float32 in [0, 1]. */
  xs: tf.Tensor4D;
  /** [n, 3] one-hot in CLASS_NAMES order. */
  ys: tf.Tensor2D;
  /** Class index per image, in the same order. */
  labels: Int32Array;
  /** Cache hits and misses, when `cache` was given. */
  cache?: DecodeCacheStats;
}

export interface LoadTensorsOptions extends DecodeOptions {
  /** The decoded-image cache; absent: every image is decoded. */
  cache?: DecodeCacheOptions;
}

/** An image to load: path and class, and the index's content hash when known (a cache hit then reads no image). */
export type LoadEntry = ImageEntry & { sha256?: string | null };

const DECODE_CONCURRENCY = 4;

export async function loadTensors(entries: readonly LoadEntry[], options: LoadTensorsOptions): Promise<LabelledTensors> {
  const pixels = options.size * options.size * options.channels;
  const buffer = new Float32Array(entries.length * pixels);
  const stats = options.cache ? emptyCacheStats() : undefined;
  const decodeOne = (entry: LoadEntry): Promise<DecodedPixels> =>
    options.cache ? decodeCached(entry, { ...options, cache: options.cache, ...(stats ? { stats } : {}) }) : decodePixels(entry.path, options);
  await mapLimit(entries, DECODE_CONCURRENCY, async (entry, i) => writeUnitRange(await decodeOne(entry), buffer, i * pixels));
  const labels = Int32Array.from(entries, (e) => classIndex(e.label));
  return {
    xs: tf.tensor4d(buffer, [entries.length, options.size, options.size, options.channels]),
    ys: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASS_NAMES.length).toFloat() as tf.Tensor2D),
    labels,
    ...(stats ? { cache: stats } : {}),
  };
}

export function disposeTensors(t: LabelledTensors): void {
  t.xs.dispose();
  t.ys.dispose();
}
