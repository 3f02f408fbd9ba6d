// The augmenter a training loop holds: options validated once, a seed, and its own parameter stream
// for each (epoch, batch), so a batch's augmentation never depends on which batches ran before it.
import { ConfigError } from '../errors';
import type { tf } from '../native/tf';
import { Rng, deriveSeed } from '../util/rng';
import { applyParams } from './apply';
import { type AugmentConfig, type AugmentOptions, isIdentityConfig, resolveAugmentOptions, show } from './options';
import { type AugmentParams, IDENTITY_PARAMS, type ImageSize, sampleBatchParams } from './params';

/** Which batch of which epoch (both 0-based); epoch defaults to 0. */
export interface BatchPosition {
  batch: number;
  epoch?: number;
}

export interface AugmentResult {
  /** A new tensor the caller disposes (a clone of the input when nothing is configured). */
  images: tf.Tensor4D;
  /** The record drawn for each image, e.g. to show next to the images in a notebook. */
  params: readonly AugmentParams[];
}

export interface Augmenter {
  readonly config: AugmentConfig;
  readonly seed: number;
  /** True when the options configure no augmentation: `augment` then runs no op. */
  readonly identity: boolean;
  /** The records `augment` would draw for a batch of `count` images of `size` at `position`. Pure. */
  sampleParams(position: BatchPosition, count: number, size: ImageSize): AugmentParams[];
  /** Draws one record per image of `images` (NHWC float32) and applies them. Same seed, same position → same bits. */
  augment(images: tf.Tensor4D, position: BatchPosition): AugmentResult;
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function checkPosition(position: BatchPosition): { batch: number; epoch: number } {
  const epoch = position.epoch ?? 0;
  const issues: string[] = [];
  if (!isIndex(position.batch)) issues.push(`\`batch\` must be an integer ≥ 0. Received: ${show(position.batch)}`);
  if (!isIndex(epoch)) issues.push(`\`epoch\` must be an integer ≥ 0. Received: ${show(epoch)}`);
  if (issues.length) throw new ConfigError('augmentation batch position', issues);
  return { batch: position.batch, epoch };
}

/** The Rng of one batch: a sub-seed of `seed` named by the position. */
function batchRng(seed: number, position: BatchPosition): Rng {
  const { batch, epoch } = checkPosition(position);
  return new Rng(deriveSeed(seed, `augment epoch ${epoch} batch ${batch}`));
}

/**
 * An augmenter for `options` (validated here, every problem listed) and `seed` (an integer in
 * [0, 2³²); pass a sub-seed of the run's seed, e.g. `deriveSeed(seed, 'augment')`).
 */
export function makeAugmenter(options: AugmentOptions, seed: number): Augmenter {
  const issues: string[] = [];
  let config: AugmentConfig | undefined;
  try {
    config = resolveAugmentOptions(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  if (!(isIndex(seed) && seed <= 0xffffffff)) issues.push(`\`seed\` must be an integer in [0, 2^32). Received: ${show(seed)}`);
  if (config === undefined || issues.length) throw new ConfigError('augmentation options', issues);

  const resolved = config;
  const identity = isIdentityConfig(resolved);
  const sampleParams = (position: BatchPosition, count: number, size: ImageSize): AugmentParams[] => {
    const rng = batchRng(seed, position);
    return identity ? Array.from({ length: count }, () => IDENTITY_PARAMS) : sampleBatchParams(resolved, size, count, rng);
  };
  return {
    config: resolved,
    seed,
    identity,
    sampleParams,
    augment(images, position) {
      if (images.rank !== 4) {
        throw new ConfigError('augmentation input', [`\`images\` must be a rank-4 batch [n, height, width, channels]. Received shape: [${images.shape.join(', ')}]`]);
      }
      const [n, height, width] = images.shape;
      const params = sampleParams(position, n, { height, width });
      return { images: applyParams(images, params, { fillMode: resolved.fillMode, cval: resolved.cval }), params };
    },
  };
}
