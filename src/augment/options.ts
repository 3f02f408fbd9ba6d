// Augmentation options with Keras `ImageDataGenerator` meanings: the one typed options object, its
// defaults (no augmentation) and its validation, which lists every problem at once.
import { ConfigError } from '../errors';

export const FILL_MODES = ['nearest', 'constant', 'reflect', 'wrap'] as const;
export type FillMode = (typeof FILL_MODES)[number];

/**
 * A shift range, as Keras reads `width_shift_range` / `height_shift_range`:
 * - a number `v`: the shift is drawn from U(−v, v);
 * - a list: one element at random, times a random sign.
 * Either way the shift is a fraction of the image size when the largest value is < 1, else pixels.
 * (Keras' int form `n`, integers in [0, n) times a sign, is the list `[0, 1, …, n − 1]` here: a
 * JavaScript number cannot tell `2` from `2.0`, so a number always means the float form.)
 */
export type ShiftRange = number | readonly number[];

export interface AugmentOptions {
  /** Degrees; θ ~ U(−r, r), counter-clockwise for positive θ. Default 0. */
  rotationRange?: number;
  /**
   * Keras' `width_shift_range`: scaled by the image width and placed in Keras' `ty`. Keras ≥ 2.9 (and
   * so this module) moves the image **vertically** with it (see index.ts). Default 0.
   */
  widthShiftRange?: ShiftRange;
  /** Keras' `height_shift_range`: scaled by the height, Keras' `tx`, a horizontal move. Default 0. */
  heightShiftRange?: ShiftRange;
  /** Degrees; shear ~ U(−s, s). Default 0. */
  shearRange?: number;
  /** `z` → zooms from U(1 − z, 1 + z), or `[lo, hi]`; x and y drawn independently. >1 zooms out. Default 0. */
  zoomRange?: number | readonly [number, number];
  /** Flip left-right with probability ½ (after the affine transform). Default false. */
  horizontalFlip?: boolean;
  /** Flip top-bottom with probability ½ (after the affine transform). Default false. */
  verticalFlip?: boolean;
  /** How points outside the image are filled. Default 'nearest' (Keras' default). */
  fillMode?: FillMode;
  /** The fill value of fillMode 'constant'. Default 0. */
  cval?: number;
}

/** Validated options with every default filled in; zoom normalised to [lo, hi]. */
export interface AugmentConfig {
  readonly rotationRange: number;
  readonly widthShiftRange: ShiftRange;
  readonly heightShiftRange: ShiftRange;
  readonly shearRange: number;
  readonly zoomRange: readonly [number, number];
  readonly horizontalFlip: boolean;
  readonly verticalFlip: boolean;
  readonly fillMode: FillMode;
  readonly cval: number;
}

export const DEFAULT_AUGMENT_CONFIG: AugmentConfig = {
  rotationRange: 0,
  widthShiftRange: 0,
  heightShiftRange: 0,
  shearRange: 0,
  zoomRange: [1, 1],
  horizontalFlip: false,
  verticalFlip: false,
  fillMode: 'nearest',
  cval: 0,
};

const OPTION_NAMES: readonly string[] = Object.keys(DEFAULT_AUGMENT_CONFIG);

/** A value as it should appear after "Received:". */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || value === undefined || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkNonNegative(name: string, value: unknown, unit: string, issues: string[]): number {
  if (isFiniteNumber(value) && value >= 0) return value;
  issues.push(`\`${name}\` must be a number ≥ 0 (${unit}). Received: ${show(value)}`);
  return 0;
}

function checkShift(name: string, value: unknown, issues: string[]): ShiftRange {
  if (isFiniteNumber(value) && value >= 0) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => isFiniteNumber(v) && v >= 0)) return Object.freeze([...(value as number[])]);
  issues.push(
    `\`${name}\` must be a number ≥ 0 (a fraction of the size when < 1, else pixels) or a non-empty list of numbers ≥ 0 (the sign is drawn at random). Received: ${show(value)}`,
  );
  return 0;
}

function checkZoom(value: unknown, issues: string[]): readonly [number, number] {
  if (isFiniteNumber(value) && value >= 0 && value <= 1) return [1 - value, 1 + value];
  if (Array.isArray(value) && value.length === 2 && value.every(isFiniteNumber)) {
    const [lo, hi] = value as [number, number];
    if (lo > 0 && lo <= hi) return [lo, hi];
  }
  issues.push(`\`zoomRange\` must be a number in [0, 1] (zooms in [1 − z, 1 + z]) or a pair [lo, hi] with 0 < lo ≤ hi. Received: ${show(value)}`);
  return [1, 1];
}

function checkBoolean(name: string, value: unknown, issues: string[]): boolean {
  if (typeof value === 'boolean') return value;
  issues.push(`\`${name}\` must be true or false. Received: ${show(value)}`);
  return false;
}

/** Validates `options` once, listing every problem in one ConfigError, and fills in the defaults. */
export function resolveAugmentOptions(options: AugmentOptions = {}): AugmentConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('augmentation options', [`the options must be an object. Received: ${show(options)}`]);
  }
  const issues: string[] = [];
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.includes(key)) issues.push(`\`${key}\` is not an augmentation option (expected one of ${OPTION_NAMES.join(', ')})`);
  }
  const pick = (key: keyof AugmentConfig): unknown => (given[key] === undefined ? DEFAULT_AUGMENT_CONFIG[key] : given[key]);

  const fillMode = pick('fillMode');
  if (!FILL_MODES.includes(fillMode as FillMode)) {
    issues.push(`\`fillMode\` must be one of ${FILL_MODES.map((m) => `'${m}'`).join(', ')}. Received: ${show(fillMode)}`);
  }
  const cval = pick('cval');
  if (!isFiniteNumber(cval)) issues.push(`\`cval\` must be a finite number. Received: ${show(cval)}`);

  const config: AugmentConfig = {
    rotationRange: checkNonNegative('rotationRange', pick('rotationRange'), 'degrees', issues),
    widthShiftRange: checkShift('widthShiftRange', pick('widthShiftRange'), issues),
    heightShiftRange: checkShift('heightShiftRange', pick('heightShiftRange'), issues),
    shearRange: checkNonNegative('shearRange', pick('shearRange'), 'degrees', issues),
    zoomRange: checkZoom(given.zoomRange === undefined ? 0 : given.zoomRange, issues),
    horizontalFlip: checkBoolean('horizontalFlip', pick('horizontalFlip'), issues),
    verticalFlip: checkBoolean('verticalFlip', pick('verticalFlip'), issues),
    fillMode: fillMode as FillMode,
    cval: cval as number,
  };
  if (issues.length) throw new ConfigError('augmentation options', issues);
  return Object.freeze(config);
}

/** True when the config draws nothing but identities: no op needs to run. */
export function isIdentityConfig(config: AugmentConfig): boolean {
  const noShift = (r: ShiftRange) => (typeof r === 'number' ? r === 0 : r.every((v) => v === 0));
  return (
    config.rotationRange === 0 &&
    noShift(config.widthShiftRange) &&
    noShift(config.heightShiftRange) &&
    config.shearRange === 0 &&
    config.zoomRange[0] === 1 &&
    config.zoomRange[1] === 1 &&
    !config.horizontalFlip &&
    !config.verticalFlip
  );
}
