import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AugmentParams, IDENTITY_PARAMS, type Matrix3, affineMatrix, isIdentity, offsetCenter, projectiveRow, toScipy } from '../../src/augment';
import { multiply } from '../../src/augment/matrix';

const P = (p: Partial<AugmentParams>): AugmentParams => ({ ...IDENTITY_PARAMS, ...p });
const SQUARE = { height: 5, width: 5 };

function assertClose(actual: readonly (readonly number[])[] | readonly number[], expected: readonly (readonly number[])[] | readonly number[], tol = 1e-12): void {
  const a = actual.flat();
  const e = expected.flat();
  assert.equal(a.length, e.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - (e[i] as number)) <= tol, `element ${i}: ${v} vs ${e[i]}\n${JSON.stringify(actual)}`));
}

test('identity records have no Keras matrix and the identity row', () => {
  assert.equal(affineMatrix(IDENTITY_PARAMS, SQUARE), null);
  assert.ok(isIdentity(IDENTITY_PARAMS));
  assert.deepEqual(projectiveRow(IDENTITY_PARAMS, SQUARE), [1, 0, 0, 0, 1, 0, 0, 0]);
  assert.ok(!isIdentity(P({ flipV: true })));
  assert.ok(!isIdentity(P({ zx: 1.01 })));
});

test('a 180° rotation about the centre maps (x, y) to (4 − x, 4 − y) on 5×5', () => {
  const m = affineMatrix(P({ theta: 180 }), SQUARE);
  assert.ok(m);
  assertClose(m, [
    [-1, 0, 4],
    [0, -1, 4],
    [0, 0, 1],
  ]);
});

test('a 90° rotation reads the pixel to the right for the pixel above the centre (content turns counter-clockwise)', () => {
  const row = projectiveRow(P({ theta: 90 }), SQUARE);
  // Output (x=2, y=1), above the centre, reads input x = a0·2 + a1·1 + a2, y = b0·2 + b1·1 + b2.
  const x = row[0] * 2 + row[1] * 1 + row[2];
  const y = row[3] * 2 + row[4] * 1 + row[5];
  assertClose([x, y], [3, 2]);
});

test('tx shifts columns and ty rows (output reads input + shift)', () => {
  assertClose(projectiveRow(P({ tx: 2 }), SQUARE), [1, 0, 2, 0, 1, 0, 0, 0]);
  assertClose(projectiveRow(P({ ty: -3 }), SQUARE), [1, 0, 0, 0, 1, -3, 0, 0]);
});

test('factors multiply in Keras order R·T·Sh·Z, then the centring', () => {
  const t = (25 * Math.PI) / 180;
  const s = (10 * Math.PI) / 180;
  const R: Matrix3 = [
    [Math.cos(t), -Math.sin(t), 0],
    [Math.sin(t), Math.cos(t), 0],
    [0, 0, 1],
  ];
  const T: Matrix3 = [
    [1, 0, 3],
    [0, 1, -2],
    [0, 0, 1],
  ];
  const Sh: Matrix3 = [
    [1, -Math.sin(s), 0],
    [0, Math.cos(s), 0],
    [0, 0, 1],
  ];
  const Z: Matrix3 = [
    [0.8, 0, 0],
    [0, 1.3, 0],
    [0, 0, 1],
  ];
  const expected = offsetCenter(multiply(multiply(multiply(R, T), Sh), Z), 32, 32);
  const m = affineMatrix({ theta: 25, tx: 3, ty: -2, shear: 10, zx: 0.8, zy: 1.3, flipH: false, flipV: false }, { height: 32, width: 32 });
  assert.ok(m);
  assertClose(m, expected);
  // The centre (15.5, 15.5) of a 32×32 image is fixed by a pure rotation / zoom.
  const rz = affineMatrix(P({ theta: 33, zx: 0.7, zy: 1.4 }), { height: 32, width: 32 });
  assert.ok(rz);
  assertClose([rz[0][0] * 15.5 + rz[0][1] * 15.5 + rz[0][2], rz[1][0] * 15.5 + rz[1][1] * 15.5 + rz[1][2]], [15.5, 15.5], 1e-12);
});

test("Keras' centre on non-square images is (h/2 − 0.5, w/2 − 0.5) in (column, row) order", () => {
  // 5 rows × 9 columns: Keras rotates about column 2, row 4 (transposed), reproduced for parity.
  const m = affineMatrix(P({ theta: 90 }), { height: 5, width: 9 });
  assert.ok(m);
  assertClose([m[0][0] * 2 + m[0][1] * 4 + m[0][2], m[1][0] * 2 + m[1][1] * 4 + m[1][2]], [2, 4]);
});

test('flips fold into the row exactly: output x reads W − 1 − x, output y reads H − 1 − y', () => {
  const size = { height: 4, width: 6 };
  assert.deepEqual(projectiveRow(P({ flipH: true }), size), [-1, 0, 5, 0, 1, 0, 0, 0]);
  assert.deepEqual(projectiveRow(P({ flipV: true }), size), [1, 0, 0, 0, -1, 3, 0, 0]);
  assert.deepEqual(projectiveRow(P({ flipH: true, flipV: true }), size), [-1, 0, 5, 0, -1, 3, 0, 0]);
  // With an affine part: M · F.
  const m = affineMatrix(P({ theta: 20, tx: 1 }), size);
  assert.ok(m);
  const folded = multiply(m, [
    [-1, 0, 5],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  assertClose(projectiveRow(P({ theta: 20, tx: 1, flipH: true }), size), [...folded[0], ...folded[1].slice(0, 3), 0, 0]);
});

test('toScipy swaps rows and columns (M′ = P·M·P)', () => {
  const m: Matrix3 = [
    [1, 2, 3],
    [4, 5, 6],
    [0, 0, 1],
  ];
  assert.deepEqual(toScipy(m), {
    matrix: [
      [5, 4],
      [2, 1],
    ],
    offset: [6, 3],
  });
});
