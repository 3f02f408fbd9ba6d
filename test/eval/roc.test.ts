import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aucOfSorted, curveArea, rocAuc, rocCurve } from '../../src/eval';
import { Rng } from '../../src/util/rng';

// Positives score .9 .5 .5, negatives .5 .3 .5 .1 (a tie of two positives with two negatives at .5).
// Mann-Whitney, pair by pair: .9 beats all 4 → 4; each .5 beats .3 and .1 (2) and ties two .5 (2 × ½) → 3.
//   U = 4 + 3 + 3 = 10, AUC = U / (P·N) = 10 / (3·4) = 5/6.
// Rank form: sorted .1(n) .3(n) .5 .5 .5 .5 (2p 2n) .9(p) → ranks 1, 2, mid-rank (3+4+5+6)/4 = 4.5 ×4, 7;
//   R_pos = 4.5 + 4.5 + 7 = 16, U = R_pos − P(P+1)/2 = 16 − 6 = 10. Same.
const scores = [0.9, 0.5, 0.5, 0.5, 0.3, 0.5, 0.1];
const labels = [1, 1, 1, 0, 0, 0, 0];

test('AUC with ties equals the hand-computed Mann-Whitney U / (P·N)', () => {
  assert.equal(rocAuc({ scores, labels }), 5 / 6);
  assert.equal(aucOfSorted([0.5, 0.5, 0.9], [0.1, 0.3, 0.5, 0.5]), 5 / 6);
});

test('ROC points at each distinct threshold; the trapezoid area is the same AUC', () => {
  const roc = rocCurve({ scores, labels });
  // ≥ +∞: (0, 0); ≥ .9: tp 1 → (0, 1/3); ≥ .5: tp 3, fp 2 → (2/4, 1); ≥ .3: (3/4, 1); ≥ .1: (1, 1)
  assert.deepEqual(roc.thresholds, [Number.POSITIVE_INFINITY, 0.9, 0.5, 0.3, 0.1]);
  assert.deepEqual(roc.fpr, [0, 0, 0.5, 0.75, 1]);
  assert.deepEqual(roc.tpr, [0, 1 / 3, 1, 1, 1]);
  assert.deepEqual([roc.positives, roc.negatives], [3, 4]);
  // area: 0 + ½·(1/3 + 1)·½ + 1·¼ + 1·¼ = 1/3 + 1/2 = 5/6 (the tie is the diagonal segment)
  assert.ok(Math.abs(curveArea(roc) - 5 / 6) < 1e-15);
});

test('all scores tied gives 0.5; perfect and reversed separations give 1 and 0', () => {
  assert.equal(rocAuc({ scores: [0.4, 0.4, 0.4, 0.4], labels: [1, 0, 1, 0] }), 0.5);
  assert.equal(rocAuc({ scores: [0.9, 0.8, 0.2, 0.1], labels: [1, 1, 0, 0] }), 1);
  assert.equal(rocAuc({ scores: [0.9, 0.8, 0.2, 0.1], labels: [0, 0, 1, 1] }), 0);
});

test('trapezoid area equals Mann-Whitney on random scores with many ties', () => {
  const rng = new Rng(12345);
  const next = () => rng.next();
  const n = 500;
  const s = Array.from({ length: n }, () => Math.round(next() * 20) / 20);
  const l = s.map((v) => (next() < 0.3 + 0.4 * v ? 1 : 0));
  // brute force over all pairs
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (l[i] === 1 && l[j] === 0) (pairs++, (wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0));
  const auc = rocAuc({ scores: s, labels: l });
  assert.ok(Math.abs(auc - wins / pairs) < 1e-12, `${auc} vs brute force ${wins / pairs}`);
  assert.ok(Math.abs(curveArea(rocCurve({ scores: s, labels: l })) - auc) < 1e-12);
});

test('one-sided and malformed inputs', () => {
  assert.ok(Number.isNaN(rocAuc({ scores: [0.2, 0.3], labels: [1, 1] })));
  const roc = rocCurve({ scores: [0.2, 0.3], labels: [1, 1] });
  assert.ok(roc.fpr.every(Number.isNaN));
  assert.deepEqual(roc.tpr, [0, 0.5, 1]);
  assert.throws(() => rocAuc({ scores: [], labels: [] }), /`scores` must be a non-empty array/);
  assert.throws(() => rocAuc({ scores: [0.1, 0.2], labels: [1] }), /`labels` must hold one 0\/1 label per score \(2\)\. Received: length 1/);
  assert.throws(() => rocAuc({ scores: [0.1, 0.2], labels: [1, 2] }), /`labels` must be 0 or 1\. Received: 2 at index 1/);
  assert.throws(() => rocCurve({ scores: [0.1, Number.NaN], labels: [1, 0] }), /`scores` must be finite\. Received: NaN at index 1/);
});
