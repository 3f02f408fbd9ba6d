// The fixed augmentation both augmenter.test.ts and its child process run: a seeded augmenter over a
// deterministic batch at a few (epoch, batch) positions; returns the records and a hash of the bits.
import { createHash } from 'node:crypto';
import { type AugmentOptions, type AugmentParams, makeAugmenter } from '../../src/augment';
import { tf } from '../../src/native/tf';
import { Rng } from '../../src/util/rng';

export const FIXTURE_OPTIONS: AugmentOptions = {
  rotationRange: 25,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  shearRange: 10,
  zoomRange: 0.2,
  horizontalFlip: true,
  verticalFlip: true,
  fillMode: 'constant',
  cval: 0.5,
};

export const FIXTURE_POSITIONS = [
  { epoch: 0, batch: 0 },
  { epoch: 0, batch: 1 },
  { epoch: 2, batch: 0 },
];

/** A batch of 4 images 24×24×3 with values from a seeded Rng (no tf randomness). */
export function fixtureBatch(): tf.Tensor4D {
  const rng = new Rng(12345);
  return tf.tensor4d(Float32Array.from({ length: 4 * 24 * 24 * 3 }, () => rng.next()), [4, 24, 24, 3]);
}

export function augmentFixture(seed: number): { params: AugmentParams[][]; sha256: string[] } {
  const augmenter = makeAugmenter(FIXTURE_OPTIONS, seed);
  const batch = fixtureBatch();
  const params: AugmentParams[][] = [];
  const sha256: string[] = [];
  for (const position of FIXTURE_POSITIONS) {
    const result = augmenter.augment(batch, position);
    const bits = result.images.dataSync() as Float32Array;
    sha256.push(createHash('sha256').update(Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength)).digest('hex'));
    params.push([...result.params]);
    result.images.dispose();
  }
  batch.dispose();
  return { params, sha256 };
}
