// Draws one plain transform record per image the way Keras' `get_random_transform` does (same
// parameters, same order of draws), from an explicit seeded Rng rather than numpy's global one. Pure.
import type { Rng } from '../util/rng';
import type { AugmentConfig, ShiftRange } from './options';

/** One image's transform, with Keras' meanings (`get_random_transform`'s dict, flips renamed). */
export interface AugmentParams {
  /** Rotation in degrees, counter-clockwise on screen for θ > 0. */
  readonly theta: number;
  /** Keras' `tx`, in pixels: drawn from heightShiftRange, it moves the content left for tx > 0. */
  readonly tx: number;
  /** Keras' `ty`, in pixels: drawn from widthShiftRange, it moves the content up for ty > 0. */
  readonly ty: number;
  /** Shear angle in degrees. */
  readonly shear: number;
  /** Zoom factors (> 1 zooms out): Keras' `zx` scales columns, `zy` rows. */
  readonly zx: number;
  readonly zy: number;
  /** Flips, applied after the affine transform (Keras' flip_horizontal / flip_vertical). */
  readonly flipH: boolean;
  readonly flipV: boolean;
}

export interface ImageSize {
  readonly height: number;
  readonly width: number;
}

export const IDENTITY_PARAMS: AugmentParams = Object.freeze({ theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1, flipH: false, flipV: false });

/** numpy's `uniform(low, high)`: low + (high − low) · u. */
function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng.next();
}

/** Keras' shift draw: U(−v, v) for a number, a random element times a random sign for a list; ×size when max < 1. */
function drawShift(range: ShiftRange, size: number, rng: Rng): number {
  if (typeof range === 'number') {
    if (range === 0) return 0;
    const shift = uniform(rng, -range, range);
    return range < 1 ? shift * size : shift;
  }
  const element = range[rng.int(range.length)] ?? 0;
  const shift = element * (rng.int(2) === 0 ? -1 : 1);
  return Math.max(...range) < 1 ? shift * size : shift;
}

/** One image's parameters; the draws happen in Keras' order (θ, tx, ty, shear, zx, zy, flips). */
export function sampleParams(config: AugmentConfig, size: ImageSize, rng: Rng): AugmentParams {
  const theta = config.rotationRange ? uniform(rng, -config.rotationRange, config.rotationRange) : 0;
  const tx = drawShift(config.heightShiftRange, size.height, rng);
  const ty = drawShift(config.widthShiftRange, size.width, rng);
  const shear = config.shearRange ? uniform(rng, -config.shearRange, config.shearRange) : 0;
  const [lo, hi] = config.zoomRange;
  const zoomed = !(lo === 1 && hi === 1);
  const zx = zoomed ? uniform(rng, lo, hi) : 1;
  const zy = zoomed ? uniform(rng, lo, hi) : 1;
  // Keras draws both flip coins even when a flip is off, so turning one on leaves later draws alone.
  const flipH = rng.next() < 0.5 && config.horizontalFlip;
  const flipV = rng.next() < 0.5 && config.verticalFlip;
  return { theta, tx, ty, shear, zx, zy, flipH, flipV };
}

/** `count` records in a row from one Rng: image i of a batch gets the i-th. */
export function sampleBatchParams(config: AugmentConfig, size: ImageSize, count: number, rng: Rng): AugmentParams[] {
  return Array.from({ length: count }, () => sampleParams(config, size, rng));
}
