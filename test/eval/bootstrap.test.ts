import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapCI, classificationReport, percentile, sampleMetrics, standardMetrics, type SampleMetric } from '../../src/eval';
import { deriveSeed, Rng } from '../../src/util/rng';

/** n images with probabilities from a seeded Rng; about `skill` of them are predicted correctly. */
function synthetic(n: number, seed: number, skill = 0.8): { yTrue: Int32Array; probs: Float32Array } {
  const rng = new Rng(seed);
  const yTrue = new Int32Array(n);
  const probs = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const y = rng.int(3);
    yTrue[i] = y;
    const pred = rng.next() < skill ? y : (y + 1 + rng.int(2)) % 3;
    const top = 0.4 + 0.6 * rng.next();
    const other = (1 - top) * rng.next();
    for (let c = 0; c < 3; c++) probs[i * 3 + c] = c === pred ? top : c === (pred + 1) % 3 ? other : 1 - top - other;
  }
  return { yTrue, probs };
}

test('the percentile is numpy-style linear interpolation', () => {
  // h = (n − 1)·p: [1 2 3 4] at .25 → h .75 → 1 + .75·(2 − 1) = 1.75; at .5 → 2.5; at 0 → 1; at 1 → 4
  assert.equal(percentile([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(percentile([1, 2, 3, 4], 0), 1);
  assert.equal(percentile([1, 2, 3, 4], 1), 4);
  assert.equal(percentile([7], 0.975), 7);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('image resampling matches a from-scratch percentile bootstrap of accuracy', () => {
  const data = synthetic(60, 1);
  const out = bootstrapCI(data, { seed: 5, resamples: 200, metrics: { accuracy: sampleMetrics.accuracy() } });
  // reference: the documented draw — Rng(deriveSeed(seed, 'bootstrap')), n × int(n) per resample
  const rng = new Rng(deriveSeed(5, 'bootstrap'));
  const correct = Array.from(data.yTrue, (y, i): number => {
    const row = Array.from(data.probs.subarray(i * 3, i * 3 + 3));
    return row.indexOf(Math.max(...row)) === y ? 1 : 0;
  });
  const accs: number[] = [];
  for (let r = 0; r < 200; r++) {
    let hits = 0;
    for (let j = 0; j < 60; j++) hits += correct[rng.int(60)]!;
    accs.push(hits / 60);
  }
  accs.sort((a, b) => a - b);
  const iv = out.intervals.accuracy!;
  assert.equal(iv.lower, percentile(accs, 0.025));
  assert.equal(iv.upper, percentile(accs, 0.975));
  assert.equal(iv.estimate, correct.reduce((a, b) => a + b, 0) / 60);
  assert.equal(iv.undefinedResamples, 0);
  assert.deepEqual([out.method, out.unit, out.units, out.resamples, out.level, out.seed], ['percentile', 'image', 60, 200, 0.95, 5]);
});

test('the same seed gives identical intervals, another seed different ones', () => {
  const data = synthetic(300, 2);
  const a = bootstrapCI(data, { seed: 11, resamples: 300 });
  const b = bootstrapCI(data, { seed: 11, resamples: 300 });
  const c = bootstrapCI(data, { seed: 12, resamples: 300 });
  assert.deepEqual(a, b);
  assert.deepEqual(Object.keys(a.intervals), ['accuracy', 'macroF1', 'macroAuc', 'covidSensitivity', 'covidPpv']);
  assert.notDeepEqual(a.intervals, c.intervals);
  for (const [name, iv] of Object.entries(a.intervals)) {
    assert.ok(iv.lower <= iv.estimate && iv.estimate <= iv.upper, `${name}: ${iv.lower} ≤ ${iv.estimate} ≤ ${iv.upper}`);
    assert.ok(iv.upper - iv.lower > 0 && iv.upper - iv.lower < 0.3, `${name} width ${iv.upper - iv.lower}`);
  }
  // a narrower level gives a narrower interval on the same resamples
  const narrow = bootstrapCI(data, { seed: 11, resamples: 300, level: 0.5 }).intervals.accuracy!;
  assert.ok(narrow.lower >= a.intervals.accuracy!.lower && narrow.upper <= a.intervals.accuracy!.upper);
  // the point estimates are the report's values
  const r = classificationReport(data);
  assert.equal(a.intervals.accuracy!.estimate, r.accuracy);
  assert.ok(Math.abs(a.intervals.macroF1!.estimate - r.macro.f1) < 1e-12);
  assert.ok(Math.abs(a.intervals.macroAuc!.estimate - r.macro.auc) < 1e-12);
  assert.equal(a.intervals.covidSensitivity!.estimate, r.perClass[0]!.recall);
  assert.equal(a.intervals.covidPpv!.estimate, r.perClass[0]!.ppv);
});

test('group resampling takes every image of a drawn group, as often as the group is drawn', () => {
  // 12 images in 4 groups of unequal size; each image's covid probability encodes its index
  const n = 12;
  const groups = ['p1', 'p1', 'p1', 'p2', 'p3', 'p3', 'p4', 'p4', 'p4', 'p4', 'p4', 'p3'];
  const probs: number[] = [];
  for (let i = 0; i < n; i++) probs.push(0.5 + i / 100, 0.5 - i / 100, 0);
  const seen: number[][] = [];
  const multiplicity: SampleMetric = (s) => {
    const count = new Array<number>(n).fill(0);
    for (let j = 0; j < s.yTrue.length; j++) count[Math.round((s.probs[j * 3]! - 0.5) * 100)]! += 1;
    seen.push(count);
    return s.yTrue.length;
  };
  const out = bootstrapCI({ yTrue: new Array<number>(n).fill(0), probs }, { seed: 3, resamples: 50, groups, metrics: { size: multiplicity } });
  assert.equal(out.unit, 'group');
  assert.equal(out.units, 4);
  assert.equal(seen.length, 51); // the estimate on the data, then 50 resamples
  assert.deepEqual(seen[0], new Array<number>(n).fill(1));
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => members.set(g, [...(members.get(g) ?? []), i]));
  let sizesDiffer = false;
  for (const count of seen.slice(1)) {
    let drawn = 0;
    for (const idx of members.values()) {
      const times = count[idx[0]!]!;
      assert.ok(idx.every((i) => count[i] === times), `a group's images come together: ${count.join(' ')}`);
      drawn += times;
    }
    assert.equal(drawn, 4, 'as many groups drawn as there are');
    if (count.reduce((a, b) => a + b, 0) !== n) sizesDiffer = true;
  }
  assert.ok(sizesDiffer, 'resample sizes vary with the drawn groups');
  assert.throws(() => bootstrapCI({ yTrue: [0, 0], probs: [1, 0, 0, 1, 0, 0] }, { seed: 1, groups: ['a'] }), /`groups` must hold one key per image \(2\)\. Received: length 1/);
});

test('patient-level resampling widens the interval when images of a patient are correlated', () => {
  // 10 patients × 20 images; patients 0–4 are always right, 5–9 always wrong: accuracy 0.5.
  // By image, n = 200: SE ≈ √(.25/200) ≈ .035 → width ≈ .14. By patient, 10 units: SE ≈ √(.25/10) ≈ .16 → width ≈ .6,
  // and every resample's accuracy is a multiple of 1/10 (whole patients).
  const yTrue: number[] = [];
  const probs: number[] = [];
  const patients: string[] = [];
  for (let p = 0; p < 10; p++) {
    for (let j = 0; j < 20; j++) {
      yTrue.push(0);
      probs.push(...(p < 5 ? [0.9, 0.05, 0.05] : [0.1, 0.8, 0.1]));
      patients.push(`patient-${p}`);
    }
  }
  const values: number[] = [];
  const accuracy = sampleMetrics.accuracy();
  const byImage = bootstrapCI({ yTrue, probs }, { seed: 9, resamples: 1000, metrics: { accuracy } }).intervals.accuracy!;
  const byPatient = bootstrapCI({ yTrue, probs }, { seed: 9, resamples: 1000, groups: patients, metrics: { accuracy: (s) => (values.push(accuracy(s)), values.at(-1)!) } }).intervals.accuracy!;
  const wImage = byImage.upper - byImage.lower;
  const wPatient = byPatient.upper - byPatient.lower;
  assert.ok(wImage > 0.09 && wImage < 0.2, `by image ${wImage}`);
  assert.ok(wPatient > 0.45, `by patient ${wPatient}`);
  assert.ok(wPatient > 2.5 * wImage);
  assert.ok(values.every((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-12));
});

test('metrics undefined in some resamples are counted and left out of the interval', () => {
  // 1 covid image among 20: about e^−1 ≈ 37 % of resamples miss it, where covid sensitivity is 0/0
  const yTrue = [0, ...new Array<number>(19).fill(1)];
  const probs = [0.7, 0.2, 0.1, ...new Array<number>(19).fill(0).flatMap(() => [0.1, 0.8, 0.1])];
  const out = bootstrapCI({ yTrue, probs }, { seed: 4, resamples: 400 });
  const sens = out.intervals.covidSensitivity!;
  assert.ok(sens.undefinedResamples > 100 && sens.undefinedResamples < 200, `${sens.undefinedResamples}`);
  assert.deepEqual([sens.lower, sens.upper, sens.estimate], [1, 1, 1]);
  assert.ok(out.notes.some((n) => n.startsWith(`covidSensitivity: undefined in ${sens.undefinedResamples} of 400 resamples`)));
  // normal is never present, so its AUC and the macro AUC (undefinedInAverages 'nan') are undefined everywhere
  const auc = out.intervals.macroAuc!;
  assert.equal(auc.undefinedResamples, 400);
  assert.ok(Number.isNaN(auc.lower) && Number.isNaN(auc.upper) && Number.isNaN(auc.estimate));
});

test('options are validated with the option named', () => {
  const data = synthetic(10, 3);
  assert.throws(() => bootstrapCI(data, {} as never), /`seed` must be an integer\. Received: undefined/);
  assert.throws(() => bootstrapCI(data, { seed: 1, resamples: 0 }), /`resamples` must be a positive integer\. Received: 0/);
  assert.throws(() => bootstrapCI(data, { seed: 1, level: 95 }), /`level` must be in \(0, 1\), e\.g\. 0\.95\. Received: 95/);
  assert.throws(() => bootstrapCI(data, { seed: 1, metrics: {} }), /`metrics` must map names to functions of a sample\. Received: no metrics/);
  assert.throws(() => bootstrapCI({ yTrue: [], probs: [] }, { seed: 1 }), /`yTrue` is empty/);
  assert.throws(() => standardMetrics({ classIndex: 3 }), /`classIndex` must be an integer in 0 … 2\. Received: 3/);
});

test('n = 2000 images × 1000 resamples of the five standard metrics, with patient groups too', (t) => {
  const data = synthetic(2000, 7);
  let start = performance.now();
  const byImage = bootstrapCI(data, { seed: 42 });
  const msImage = performance.now() - start;
  const patients = Array.from({ length: 2000 }, (_, i) => Math.floor(i / 3)); // ~667 patients of 3 images
  start = performance.now();
  const byPatient = bootstrapCI(data, { seed: 42, groups: patients });
  const msPatient = performance.now() - start;
  t.diagnostic(`bootstrap n=2000 resamples=1000 metrics=5: by image ${msImage.toFixed(0)} ms, by patient ${msPatient.toFixed(0)} ms`);
  assert.equal(byImage.resamples, 1000);
  assert.equal(byPatient.units, 667);
  // the acceptance bound is generous (shared 2-core machine); the figure itself is in the diagnostic
  assert.ok(msImage < 20_000 && msPatient < 20_000, `${msImage} / ${msPatient} ms`);
});
