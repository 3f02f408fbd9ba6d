import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearProbe } from '../../src/eval/linear-probe';
import { ConfigError } from '../../src/errors';
import { Rng } from '../../src/util/rng';

/** n rows of `dim` features: label = row % labels; the first feature carries the label with this much signal. */
function data(n: number, dim: number, signal: number, seed = 1): { features: Float32Array; labels: Int32Array; groups: number[] } {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const features = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) features[i * dim + j] = rng.next() - 0.5 + (j === 0 ? signal * (labels[i] as number) : 0);
  return { features, labels, groups: Array.from({ length: n }, (_, i) => i) };
}

test('a linear probe separates features that carry the label and not those that do not', () => {
  const strong = data(80, 6, 3);
  const fit = linearProbe({ ...strong, dim: 6, numLabels: 2, seed: 7 });
  assert.equal(fit.folds, 5);
  assert.ok(fit.accuracy >= 0.95, `separable: ${fit.accuracy}`);
  const none = data(80, 6, 0);
  const chance = linearProbe({ ...none, dim: 6, numLabels: 2, seed: 7 });
  assert.ok(chance.accuracy < 0.75, `pure noise stays near 50 %: ${chance.accuracy}`);
  for (let i = 0; i < 80; i++) assert.ok(Math.abs((fit.probs[2 * i] as number) + (fit.probs[2 * i + 1] as number) - 1) < 1e-9);
});

test('the probe is a function of its seed, and a group never spans folds (a memorised patient cannot help)', () => {
  // Each group holds two copies of one random point with a random label: only memorising across folds could beat chance.
  const rng = new Rng(3);
  const n = 60;
  const features = new Float32Array(n * 2 * 4);
  const labels = new Int32Array(n * 2);
  const groups: number[] = [];
  for (let g = 0; g < n; g++) {
    const label = rng.int(2);
    const point = Array.from({ length: 4 }, () => rng.next());
    for (const copy of [0, 1]) {
      features.set(point, (2 * g + copy) * 4);
      labels[2 * g + copy] = label;
      groups.push(g);
    }
  }
  const a = linearProbe({ features, dim: 4, labels, numLabels: 2, groups, seed: 11 });
  const b = linearProbe({ features, dim: 4, labels, numLabels: 2, groups, seed: 11 });
  assert.deepEqual(a.probs, b.probs);
  assert.ok(a.accuracy < 0.75, `no leak across folds: ${a.accuracy}`);
  assert.throws(() => linearProbe({ features, dim: 3, labels, numLabels: 2, groups, seed: 1 }), ConfigError);
  assert.throws(() => linearProbe({ features: features.subarray(0, 8), dim: 4, labels: labels.subarray(0, 2), numLabels: 2, groups: [0, 0], seed: 1 }), /at least 2 groups/);
});
