// Data augmentation with Keras `ImageDataGenerator` semantics (rotation, shifts, shear, zoom, flips,
// fill modes), sampled from a seeded Rng and applied to whole batches by TensorFlow's native
// ImageProjectiveTransformV3. test/augment/ pins the parity with the venv's Keras.
//
// Keras parity (Keras 3 legacy ImageDataGenerator = tf.keras 2.9–2.15), reproduced on purpose:
// - the matrix: R(θ)·T(tx, ty)·Sh(shear)·Z(zx, zy), centred at (h/2 − 0.5, w/2 − 0.5), pulling
//   each output pixel from the input; for non-square images Keras' centre is transposed, and so is ours;
// - Keras' axis swap: `heightShiftRange` (scaled by the height) moves the image horizontally and
//   `widthShiftRange` vertically; with equal ranges on square images the swap cannot be seen;
// - zoom > 1 zooms out; zx and zy are independent draws; flips come after the affine transform.
// Differences: TensorFlow computes sample points in float32 (scipy in float64), a tolerance of 1e-4 px
// decides fillMode 'constant' at the image edge, and fillMode 'wrap' tiles with period size where
// scipy's repeats with period size − 1 (only the wrapped-in area differs). Parameters come from
// cxrlab's Rng, not numpy's, so the same seed does not give Keras' draws.
export { type ApplyOptions, CONSTANT_EDGE_TOLERANCE, applyParams } from './apply';
export { type AugmentResult, type Augmenter, type BatchPosition, makeAugmenter } from './augmenter';
export { IDENTITY_MATRIX, type Matrix3, type ProjectiveRow, affineMatrix, isIdentity, offsetCenter, projectiveRow, toScipy } from './matrix';
export { type AugmentConfig, type AugmentOptions, DEFAULT_AUGMENT_CONFIG, FILL_MODES, type FillMode, type ShiftRange, isIdentityConfig, resolveAugmentOptions } from './options';
export { type AugmentParams, IDENTITY_PARAMS, type ImageSize, sampleBatchParams, sampleParams } from './params';
