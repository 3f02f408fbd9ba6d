import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binIndex, calibration } from '../../src/eval';

const close = (actual: number, expected: number, message?: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ''} ${actual} ≠ ${expected}`);

// The seven images of report.test.ts (plain numbers: float32 0.6 would be 0.6000000238, above the
// 0.6 edge). Top label: confidence = max row value, correct = argmax is the true class.
//   row  true  probs         conf  correct
//   0    0     .8 .1 .1      .8    1
//   1    0     .3 .6 .1      .6    0
//   2    1     .2 .7 .1      .7    1
//   3    1     .1 .5 .4      .5    1
//   4    2     .1 .1 .8      .8    1
//   5    2     .5 .2 .3      .5    0
//   6    2     .2 .2 .6      .6    1
const yTrue = [0, 0, 1, 1, 2, 2, 2];
const probs = [0.8, 0.1, 0.1, 0.3, 0.6, 0.1, 0.2, 0.7, 0.1, 0.1, 0.5, 0.4, 0.1, 0.1, 0.8, 0.5, 0.2, 0.3, 0.2, 0.2, 0.6];

test('hand-computed top-label ECE, MCE and reliability bins (5 bins)', () => {
  const c = calibration({ yTrue, probs }, { bins: 5 });
  // bins (0, .2] (.2, .4] (.4, .6] (.6, .8] (.8, 1]
  // (.4, .6]: rows 1 3 5 6, conf .6 .5 .5 .6 → mean .55, correct 0 1 0 1 → accuracy .5, |gap| .05
  // (.6, .8]: rows 0 2 4, conf .8 .7 .8 → mean 2.3/3, correct 1 1 1 → accuracy 1, |gap| .7/3
  // ECE = 4/7 · .05 + 3/7 · .7/3 = (.2 + .7) / 7 = .9/7
  assert.deepEqual(c.reliability.map((b) => b.count), [0, 0, 4, 3, 0]);
  close(c.reliability[2]!.meanConfidence, 0.55);
  close(c.reliability[2]!.accuracy, 0.5);
  close(c.reliability[3]!.meanConfidence, 2.3 / 3);
  close(c.reliability[3]!.accuracy, 1);
  close(c.reliability[2]!.gap, -0.05); // over-confident
  close(c.ece, 0.9 / 7);
  close(c.mce, 0.7 / 3);
  // empty bins: NaN, left out of ECE and MCE
  assert.ok(Number.isNaN(c.reliability[0]!.meanConfidence) && Number.isNaN(c.reliability[0]!.accuracy));
  assert.deepEqual([c.reliability[4]!.lower, c.reliability[4]!.upper], [0.8, 1]);
  assert.equal(c.n, 7);
  assert.equal(c.bins, 5);
});

test('hand-computed one-vs-rest (per-class) ECE', () => {
  const c = calibration({ yTrue, probs }, { bins: 5 });
  // covid column .8 .3 .2 .1 .1 .5 .2, is covid 1 1 0 0 0 0 0
  // [0, .2]: .2 .1 .1 .2 (rows 2 3 4 6), none covid → |0 − .15| · 4/7
  // (.2, .4]: .3 (row 1), covid → |1 − .3| · 1/7;  (.4, .6]: .5 (row 5) → |0 − .5| · 1/7;  (.6, .8]: .8 (row 0) → |1 − .8| · 1/7
  // ECE = (.6 + .7 + .5 + .2) / 7 = 2/7, MCE = .7
  const covid = c.perClass[0]!;
  assert.equal(covid.name, 'covid');
  assert.deepEqual(covid.reliability.map((b) => b.count), [4, 1, 1, 1, 0]);
  close(covid.ece, 2 / 7);
  close(covid.mce, 0.7);
  close(c.classwiseEce, (c.perClass[0]!.ece + c.perClass[1]!.ece + c.perClass[2]!.ece) / 3);
});

test('default 15 bins; a perfectly calibrated case has ECE 0', () => {
  // confidence .75 on four images, three of them correct: accuracy .75 = mean confidence
  const c = calibration({ yTrue: [0, 0, 0, 1], probs: [0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25] }, { classNames: ['a', 'b'] });
  assert.equal(c.bins, 15);
  assert.equal(c.reliability.length, 15);
  assert.equal(c.ece, 0);
  assert.equal(c.mce, 0);
  // .75 · 15 = 11.25 → bin 11, (11/15, 12/15]
  assert.equal(c.reliability[11]!.count, 4);
});

test('bin edges: (lower, upper], with 0 in the first bin and 1 in the last', () => {
  assert.equal(binIndex(0, 5), 0);
  assert.equal(binIndex(0.2, 5), 0);
  assert.equal(binIndex(0.2000001, 5), 1);
  assert.equal(binIndex(0.6, 5), 2);
  assert.equal(binIndex(1, 5), 4);
  assert.equal(binIndex(1, 15), 14);
  assert.equal(binIndex(0.7, 10), 6); // 0.7 · 10 = 7 → (.6, .7]
  assert.equal(binIndex(0.30000000000000004, 10), 3); // just above the .3 edge
  // every confidence lands in the bin whose edges (computed as b / B) hold it
  for (const B of [3, 7, 10, 15]) {
    for (let i = 0; i <= 1000; i++) {
      const x = i / 1000;
      const b = binIndex(x, B);
      assert.ok((b === 0 || x > b / B) && x <= (b + 1) / B, `${x} in bin ${b} of ${B}`);
    }
  }
});

test('bad bin counts and empty input fail clearly', () => {
  assert.throws(() => calibration({ yTrue, probs }, { bins: 0 }), /`bins` must be a positive integer\. Received: 0/);
  assert.throws(() => calibration({ yTrue, probs }, { bins: 2.5 }), /Received: 2\.5/);
  assert.throws(() => calibration({ yTrue: [], probs: [] }), /`yTrue` is empty/);
});
