// Decodes a list of images into one batch tensor and its one-hot labels, through the decoded-image cache
// when one is given. For datasets that fit in memory (cxr-dev: 219 images ≈ 59 MB at 150²×3); the
// streaming pipeline is separate.
import { tf } from '../native/tf';
import { mapLimit } from '../util/map-limit';
import { CLASS_NAMES, classIndex } from './classes';
import type { DecodeOptions } from './decode';
import { type DecodeCacheOptions, type DecodeCacheStats, cachedLoader, emptyCacheStats } from './decode-cache';
import type { ImageEntry } from './index-entry';
import { assemblePlanes, decodePlanes, pixelTensor } from './planes';

export interface LabelledTensors {
  /** [n, size, size, channels] float32 in [0, 1]; [n, size, size, 1] when all are grey and `grey` is 'planes'. */
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
  /**
   * 'planes': when every image is grey, one plane (a third of the memory and of the augmentation's work;
   * `fit` replicates it at the model's input, expandPlanes elsewhere). Default 'channels'.
   */
  grey?: 'planes' | 'channels';
}

/** An image to load: path and class, and the index's content hash when known (a cache hit then reads no image). */
export type LoadEntry = ImageEntry & { sha256?: string | null };

const DECODE_CONCURRENCY = 4;

export async function loadTensors(entries: readonly LoadEntry[], options: LoadTensorsOptions): Promise<LabelledTensors> {
  const stats = options.cache ? emptyCacheStats() : undefined;
  const load = options.cache ? cachedLoader(options.cache, stats) : decodePlanes;
  const images = await mapLimit(entries, DECODE_CONCURRENCY, (entry) => load(entry, options));
  const labels = Int32Array.from(entries, (e) => classIndex(e.label));
  return {
    xs: pixelTensor(assemblePlanes(images, options), options, options.grey ?? 'channels'),
    ys: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASS_NAMES.length).toFloat() as tf.Tensor2D),
    labels,
    ...(stats ? { cache: stats } : {}),
  };
}

export function disposeTensors(t: LabelledTensors): void {
  t.xs.dispose();
  t.ys.dispose();
}
