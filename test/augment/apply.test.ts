import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AugmentParams, FILL_MODES, type FillMode, IDENTITY_PARAMS, applyParams } from '../../src/augment';
import { ConfigError } from '../../src/errors';
import { tf } from '../../src/native/tf';

const P = (p: Partial<AugmentParams>): AugmentParams => ({ ...IDENTITY_PARAMS, ...p });

/** A 5×5 single-channel ramp 0…24, as a batch of one. */
const ramp = () => tf.tensor4d(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);

/** Runs applyParams, returns the values, disposes everything it made. */
function run(images: tf.Tensor4D, params: AugmentParams[], fillMode: FillMode = 'nearest', cval = 0): number[] {
  const out = applyParams(images, params, { fillMode, cval });
  const values = Array.from(out.dataSync());
  out.dispose();
  return values;
}

test('a 180° rotation of a 5×5 ramp is the exact reversed image, in every fill mode', () => {
  const x = ramp();
  const reversed = Array.from({ length: 25 }, (_, i) => 24 - i);
  for (const mode of FILL_MODES) assert.deepEqual(run(x, [P({ theta: 180 })], mode, -1), reversed, mode);
  x.dispose();
});

test('zoom 1 / all-zero parameters are the identity, bit for bit, also inside a transformed batch', () => {
  const x = tf.randomUniform([2, 7, 9, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const original = Array.from(x.dataSync());
  assert.deepEqual(run(x, [IDENTITY_PARAMS, P({ zx: 1, zy: 1, theta: 0, tx: 0 })]), original);
  // Image 0 rides along with a rotated image 1: the op itself leaves an identity row exact.
  for (const mode of FILL_MODES) {
    const mixed = run(x, [IDENTITY_PARAMS, P({ theta: 10 })], mode, 0.5);
    assert.deepEqual(mixed.slice(0, 7 * 9 * 3), original.slice(0, 7 * 9 * 3), mode);
    assert.notDeepEqual(mixed.slice(7 * 9 * 3), original.slice(7 * 9 * 3));
  }
  x.dispose();
});

test('flips equal tf.reverse, and a horizontal flip twice is the identity', () => {
  const x = tf.randomUniform([3, 6, 8, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
  const flipH = [P({ flipH: true }), P({ flipH: true }), P({ flipH: true })];
  const once = applyParams(x, flipH, { fillMode: 'constant', cval: 7 });
  const twice = applyParams(once, flipH, { fillMode: 'constant', cval: 7 });
  assert.deepEqual(Array.from(once.dataSync()), Array.from(tf.tidy(() => tf.reverse(x, 2).dataSync())));
  assert.deepEqual(Array.from(twice.dataSync()), Array.from(x.dataSync()));
  const v = applyParams(x, [P({ flipV: true }), IDENTITY_PARAMS, P({ flipH: true, flipV: true })], { fillMode: 'nearest', cval: 0 });
  const expected = tf.tidy(() => tf.concat([tf.reverse(x.slice(0, 1), 1), x.slice(1, 1), tf.reverse(x.slice(2, 1), [1, 2])]).dataSync());
  assert.deepEqual(Array.from(v.dataSync()), Array.from(expected));
  tf.dispose([x, once, twice, v]);
});

test('a whole-pixel shift moves pixels exactly, filled as configured', () => {
  const x = ramp();
  // tx = +2 reads two columns to the right: the content moves left.
  const row = (r: number, tail: number[]) => [5 * r + 2, 5 * r + 3, 5 * r + 4, ...tail];
  const expectTx: Record<FillMode, number[]> = {
    nearest: [0, 1, 2, 3, 4].flatMap((r) => row(r, [5 * r + 4, 5 * r + 4])),
    constant: [0, 1, 2, 3, 4].flatMap((r) => row(r, [-1, -1])),
    reflect: [0, 1, 2, 3, 4].flatMap((r) => row(r, [5 * r + 4, 5 * r + 3])),
    wrap: [0, 1, 2, 3, 4].flatMap((r) => row(r, [5 * r + 0, 5 * r + 1])),
  };
  for (const mode of FILL_MODES) assert.deepEqual(run(x, [P({ tx: 2 })], mode, -1), expectTx[mode], mode);
  // ty = −1 reads one row up: the content moves down by one row.
  const first: Record<FillMode, number[]> = { nearest: [0, 1, 2, 3, 4], constant: [-1, -1, -1, -1, -1], reflect: [0, 1, 2, 3, 4], wrap: [20, 21, 22, 23, 24] };
  for (const mode of FILL_MODES) {
    const out = run(x, [P({ ty: -1 })], mode, -1);
    assert.deepEqual(out.slice(0, 5), first[mode], mode);
    assert.deepEqual(out.slice(5), Array.from({ length: 20 }, (_, i) => i), mode);
  }
  x.dispose();
});

test('each fill mode on a known small image, half-pixel shift (bilinear)', () => {
  // Two rows [10 20 30 40] and [110 120 130 140]; tx = −1.5: output x reads input x − 1.5.
  const x = tf.tensor4d([10, 20, 30, 40, 110, 120, 130, 140], [1, 2, 4, 1]);
  const expected: Record<FillMode, number[]> = {
    // edge value repeated (scipy 'nearest' = aaaa|abcd)
    nearest: [10, 10, 15, 25],
    // dcba|abcd: −1.5 lies halfway between b and a, −0.5 between a and a
    reflect: [15, 10, 15, 25],
    // scipy's 'constant': every point outside [0, 3] is cval, no blending across the edge
    constant: [-5, -5, 15, 25],
    // TensorFlow's tiling (scipy's 'wrap' would give [25, 35, …]: period size − 1)
    wrap: [35, 40, 15, 25],
  };
  for (const mode of FILL_MODES) {
    const out = run(x, [P({ tx: -1.5 })], mode, -5);
    assert.deepEqual(out.slice(0, 4), expected[mode], mode);
    assert.deepEqual(out.slice(4), expected[mode].map((v) => (v === -5 ? v : v + 100)), mode);
  }
  x.dispose();
});

test('constant fill: a point a hair outside the image is still inside (1e-4 px tolerance), a clear miss is cval', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const hair = run(x, [P({ tx: 1e-6 })], 'constant', -1);
  assert.deepEqual(hair.filter((_, i) => i % 3 === 2), [3, 6, 9], 'the last column reads the edge, not cval');
  hair.forEach((v, i) => assert.ok(Math.abs(v - (i + 1)) < 1e-5, `${i}: ${v}`));
  assert.deepEqual(run(x, [P({ tx: 0.01 })], 'constant', -1).filter((_, i) => i % 3 === 2), [-1, -1, -1]);
  x.dispose();
});

test('apply leaks no tensor and leaves its input alone', () => {
  const x = tf.randomUniform([4, 12, 12, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const before = Array.from(x.dataSync());
  const params = [P({ theta: 15 }), P({ tx: 1.5, zx: 0.9 }), P({ flipH: true }), P({ shear: 12, flipV: true })];
  const start = tf.memory().numTensors;
  for (const mode of FILL_MODES) {
    const out = applyParams(x, params, { fillMode: mode, cval: 0.25 });
    assert.equal(tf.memory().numTensors, start + 1, `only the result remains (${mode})`);
    out.dispose();
  }
  const same = applyParams(x, [IDENTITY_PARAMS, IDENTITY_PARAMS, IDENTITY_PARAMS, IDENTITY_PARAMS], { fillMode: 'nearest', cval: 0 });
  assert.notEqual(same, x, 'identity gives a clone the caller owns');
  same.dispose();
  assert.equal(tf.memory().numTensors, start);
  assert.deepEqual(Array.from(x.dataSync()), before);
  x.dispose();
});

test('bad input is a ConfigError naming the problem', () => {
  const x3 = tf.zeros([5, 5, 1]);
  const xi = tf.zeros([1, 5, 5, 1], 'int32');
  const x = tf.zeros([2, 5, 5, 1]);
  assert.throws(() => applyParams(x3 as unknown as tf.Tensor4D, [], { fillMode: 'nearest', cval: 0 }), (e: unknown) => e instanceof ConfigError && /rank-4/.test(e.message));
  assert.throws(() => applyParams(xi as tf.Tensor4D, [IDENTITY_PARAMS], { fillMode: 'nearest', cval: 0 }), /must be float32\. Received: int32/);
  assert.throws(() => applyParams(x as tf.Tensor4D, [IDENTITY_PARAMS], { fillMode: 'nearest', cval: 0 }), /one record per image \(2\)\. Received: 1/);
  tf.dispose([x3, xi, x]);
});
