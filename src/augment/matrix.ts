// The transform matrix of one parameter record, composed exactly as Keras' `apply_affine_transform`
// composes it, and its conversion to the 8-value row of TensorFlow's ImageProjectiveTransformV3.
// Pure number code (float64).
import type { AugmentParams, ImageSize } from './params';

export type Row3 = readonly [number, number, number];
/** A 3×3 homogeneous matrix, row-major. */
export type Matrix3 = readonly [Row3, Row3, Row3];

/**
 * The 8 values [a0, a1, a2, b0, b1, b2, c0, c1] of a projective transform mapping an **output** pixel
 * (x = column, y = row) to the input point it reads: ((a0x + a1y + a2)/k, (b0x + b1y + b2)/k),
 * k = c0x + c1y + 1. This is what ImageProjectiveTransformV3 (and tf.image.transform) take.
 */
export type ProjectiveRow = readonly [number, number, number, number, number, number, number, number];

export const IDENTITY_MATRIX: Matrix3 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** numpy's `np.dot` of two 3×3 matrices. */
export function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const cell = (i: 0 | 1 | 2, j: 0 | 1 | 2) => a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  return [
    [cell(0, 0), cell(0, 1), cell(0, 2)],
    [cell(1, 0), cell(1, 1), cell(1, 2)],
    [cell(2, 0), cell(2, 1), cell(2, 2)],
  ];
}

/** numpy's `deg2rad`. */
const deg2rad = (degrees: number): number => degrees * (Math.PI / 180);

/**
 * Keras' `transform_matrix_offset_center(matrix, h, w)`: C · M · C⁻¹ with C a shift by
 * (h/2 − 0.5, w/2 − 0.5). Keras passes (h, w) for what is, after its axis swap, the (column, row)
 * centre: right for square images, transposed for the others (reproduced, for parity).
 */
export function offsetCenter(matrix: Matrix3, h: number, w: number): Matrix3 {
  const ox = h / 2 - 0.5;
  const oy = w / 2 - 0.5;
  const offset: Matrix3 = [
    [1, 0, ox],
    [0, 1, oy],
    [0, 0, 1],
  ];
  const reset: Matrix3 = [
    [1, 0, -ox],
    [0, 1, -oy],
    [0, 0, 1],
  ];
  return multiply(multiply(offset, matrix), reset);
}

/**
 * The centred matrix Keras builds for these parameters, or null when Keras skips the affine step
 * (θ = 0, tx = ty = 0, shear = 0, zx = zy = 1). Coordinates are Keras' (x, y) before its axis swap,
 * which address (column, row): the matrix maps an output pixel (col, row, 1) to the input point
 * (col, row, 1) it reads. Factors are R(θ) · T(tx, ty) · Sh(shear) · Z(zx, zy), each only when
 * non-trivial, multiplied in Keras' order.
 */
export function affineMatrix(params: AugmentParams, size: ImageSize): Matrix3 | null {
  const factors: Matrix3[] = [];
  if (params.theta !== 0) {
    const t = deg2rad(params.theta);
    factors.push([
      [Math.cos(t), -Math.sin(t), 0],
      [Math.sin(t), Math.cos(t), 0],
      [0, 0, 1],
    ]);
  }
  if (params.tx !== 0 || params.ty !== 0) {
    factors.push([
      [1, 0, params.tx],
      [0, 1, params.ty],
      [0, 0, 1],
    ]);
  }
  if (params.shear !== 0) {
    const s = deg2rad(params.shear);
    factors.push([
      [1, -Math.sin(s), 0],
      [0, Math.cos(s), 0],
      [0, 0, 1],
    ]);
  }
  if (params.zx !== 1 || params.zy !== 1) {
    factors.push([
      [params.zx, 0, 0],
      [0, params.zy, 0],
      [0, 0, 1],
    ]);
  }
  const [first, ...rest] = factors;
  if (first === undefined) return null;
  return offsetCenter(rest.reduce(multiply, first), size.height, size.width);
}

/**
 * What Keras hands to `scipy.ndimage.affine_transform` (row, col order): M' = P·M·P, split into
 * the 2×2 matrix and the offset. Used to check parity with Keras.
 */
export function toScipy(matrix: Matrix3): { matrix: [[number, number], [number, number]]; offset: [number, number] } {
  return {
    matrix: [
      [matrix[1][1], matrix[1][0]],
      [matrix[0][1], matrix[0][0]],
    ],
    offset: [matrix[1][2], matrix[0][2]],
  };
}

/** True when the record changes nothing: Keras skips the affine step and neither flip is drawn. */
export function isIdentity(params: AugmentParams): boolean {
  return !params.flipH && !params.flipV && params.theta === 0 && params.tx === 0 && params.ty === 0 && params.shear === 0 && params.zx === 1 && params.zy === 1;
}

/**
 * The ImageProjectiveTransformV3 row of one record: Keras' matrix with its flips folded in. Keras
 * flips the transformed image, so output (x, y) reads the transformed image at
 * (W − 1 − x, y) / (x, H − 1 − y): the matrix is M · F. Exact for flips alone (integer entries);
 * with an affine part it differs from flipping afterwards only by float rounding.
 */
export function projectiveRow(params: AugmentParams, size: ImageSize): ProjectiveRow {
  const m = affineMatrix(params, size) ?? IDENTITY_MATRIX;
  const sx = params.flipH ? -1 : 1;
  const ox = params.flipH ? size.width - 1 : 0;
  const sy = params.flipV ? -1 : 1;
  const oy = params.flipV ? size.height - 1 : 0;
  // `+ 0` turns the −0 of a flipped zero into 0.
  const row = (r: Row3) => [r[0] * sx + 0, r[1] * sy + 0, r[0] * ox + r[1] * oy + r[2] + 0] as const;
  const [a0, a1, a2] = row(m[0]);
  const [b0, b1, b2] = row(m[1]);
  // Keras' matrices are affine: the projective part stays 0.
  return [a0, a1, a2, b0, b1, b2, 0, 0];
}
