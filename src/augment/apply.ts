// Applies one parameter record per image to a whole NHWC float32 batch in native code: one
// TensorFlow ImageProjectiveTransformV3 call (bilinear, like Keras' scipy `order=1`), flips folded
// into the matrices; fillMode 'constant' adds a mask to reproduce scipy's hard image edge.
import { ConfigError } from '../errors';
import { runOp } from '../native/exec';
import { tf } from '../native/tf';
import { isIdentity, projectiveRow } from './matrix';
import type { FillMode } from './options';
import type { AugmentParams } from './params';

export interface ApplyOptions {
  fillMode: FillMode;
  /** The fill value of fillMode 'constant'. */
  cval: number;
}

type OpFillMode = 'NEAREST' | 'REFLECT' | 'WRAP' | 'CONSTANT';

/**
 * TensorFlow's fill modes that read like scipy's. 'nearest' and 'reflect' (dcba|abcd|dcba) are the
 * same functions in both. 'wrap' differs: scipy's `wrap` repeats with period size − 1 (the first
 * and last pixel overlap), TensorFlow's tiles with period size (and clamps inside the seam).
 * 'constant' runs as 'NEAREST' and is masked afterwards (see applyParams).
 */
const OP_FILL_MODE: Readonly<Record<FillMode, OpFillMode>> = { nearest: 'NEAREST', reflect: 'REFLECT', wrap: 'WRAP', constant: 'NEAREST' };

/**
 * A sample point this close (in pixels, on either axis) outside the image still counts as inside
 * for fillMode 'constant'. scipy decides in float64, with no tolerance, which lets float noise
 * decide: Keras' own 180° rotation of a 5×5 image fills a column with cval (sin π ≠ 0).
 */
export const CONSTANT_EDGE_TOLERANCE = 1e-4;

function transform(images: tf.Tensor, transforms: tf.Tensor, outputShape: tf.Tensor, fill: tf.Tensor, mode: OpFillMode): tf.Tensor {
  return runOp(
    'ImageProjectiveTransformV3',
    [
      { name: 'dtype', type: 'float32' },
      { name: 'interpolation', string: 'BILINEAR' },
      { name: 'fill_mode', string: mode },
    ],
    [images, transforms, outputShape, fill],
  );
}

function checkInputs(images: tf.Tensor, params: readonly AugmentParams[]): void {
  const issues: string[] = [];
  if (images.rank !== 4) issues.push(`\`images\` must be a rank-4 batch [n, height, width, channels]. Received shape: [${images.shape.join(', ')}]`);
  if (images.dtype !== 'float32') issues.push(`\`images\` must be float32. Received: ${images.dtype}`);
  if (images.rank === 4 && params.length !== images.shape[0]) {
    issues.push(`\`params\` must hold one record per image (${images.shape[0]}). Received: ${params.length}`);
  }
  if (issues.length) throw new ConfigError('augmentation input', issues);
}

/**
 * The batch with each image transformed by its record, as Keras' `apply_transform` does it
 * (affine transform, then flips). Returns a new tensor the caller disposes; the input is untouched.
 * A batch of identity records is a clone (no op runs).
 */
export function applyParams(images: tf.Tensor4D, params: readonly AugmentParams[], options: ApplyOptions): tf.Tensor4D {
  checkInputs(images, params);
  if (params.every(isIdentity)) return images.clone();
  const [n, height, width] = images.shape;
  const rows = new Float32Array(n * 8);
  params.forEach((p, i) => rows.set(projectiveRow(p, { height, width }), i * 8));
  return tf.tidy(() => {
    const transforms = tf.tensor2d(rows, [n, 8]);
    const fill = tf.scalar(options.cval, 'float32');
    const values = transform(images, transforms, tf.tensor1d([height, width], 'int32'), fill, OP_FILL_MODE[options.fillMode]);
    if (options.fillMode !== 'constant') return values as tf.Tensor4D;
    // scipy's 'constant' fills every point outside [0, size − 1] and blends nothing across the edge;
    // TensorFlow's CONSTANT blends the fill into a one-pixel band. So: values with the edge pixels
    // extended ('NEAREST'), and cval wherever the sample point falls outside the image.
    return tf.where(insideMask(transforms, n, height, width), values, fill) as tf.Tensor4D;
  });
}

/**
 * [n, h, w, 1]: whether each output pixel's sample point lies in [0, w − 1] × [0, h − 1], give or
 * take CONSTANT_EDGE_TOLERANCE. Computed in float32 from the rows the op reads, the way its kernel
 * computes them (a0·x + a1·y + a2): a few small broadcast ops, cheaper than a second transform.
 */
function insideMask(transforms: tf.Tensor2D, n: number, height: number, width: number): tf.Tensor {
  const xs = tf.range(0, width, 1, 'float32').reshape([1, 1, width]);
  const ys = tf.range(0, height, 1, 'float32').reshape([1, height, 1]);
  const k = (i: number) => transforms.slice([0, i], [n, 1]).reshape([n, 1, 1]);
  const x = k(0).mul(xs).add(k(1).mul(ys)).add(k(2));
  const y = k(3).mul(xs).add(k(4).mul(ys)).add(k(5));
  const t = CONSTANT_EDGE_TOLERANCE;
  return x
    .greaterEqual(-t)
    .logicalAnd(x.lessEqual(width - 1 + t))
    .logicalAnd(y.greaterEqual(-t))
    .logicalAnd(y.lessEqual(height - 1 + t))
    .expandDims(3);
}
