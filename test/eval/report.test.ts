import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors';
import { classificationReport, confusionMatrix, logLoss } from '../../src/eval';

const close = (actual: number, expected: number, message?: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ''} ${actual} ≠ ${expected}`);

// Seven images, classes covid 0 / pneumonia 1 / normal 2; predicted = argmax of each row:
//   row  true  probs            pred
//   0    0     .8 .1 .1         0  ✓
//   1    0     .3 .6 .1         1  ✗
//   2    1     .2 .7 .1         1  ✓
//   3    1     .1 .5 .4         1  ✓
//   4    2     .1 .1 .8         2  ✓
//   5    2     .5 .2 .3         0  ✗
//   6    2     .2 .2 .6         2  ✓
const yTrue = [0, 0, 1, 1, 2, 2, 2];
const probs = [0.8, 0.1, 0.1, 0.3, 0.6, 0.1, 0.2, 0.7, 0.1, 0.1, 0.5, 0.4, 0.1, 0.1, 0.8, 0.5, 0.2, 0.3, 0.2, 0.2, 0.6];

test('hand-computed confusion matrix, per-class rates, averages and accuracy', () => {
  const r = classificationReport({ yTrue, probs });
  assert.deepEqual(r.classNames, ['covid', 'pneumonia', 'normal']);
  assert.equal(r.n, 7);
  assert.deepEqual(r.confusion, [
    [1, 1, 0],
    [0, 2, 0],
    [1, 0, 2],
  ]);
  const [covid, pneu, normal] = r.perClass;
  // covid: tp 1, fp 1 (row 5), fn 1 (row 1), tn 7 − 3 = 4
  assert.deepEqual([covid!.tp, covid!.fp, covid!.fn, covid!.tn, covid!.support, covid!.predicted], [1, 1, 1, 4, 2, 2]);
  close(covid!.precision, 1 / 2); // 1 / (1 + 1)
  close(covid!.recall, 1 / 2); // 1 / (1 + 1)
  close(covid!.specificity, 4 / 5); // 4 / (4 + 1)
  close(covid!.npv, 4 / 5); // 4 / (4 + 1)
  close(covid!.f1, 1 / 2); // 2·1 / (2·1 + 1 + 1)
  assert.equal(covid!.ppv, covid!.precision);
  assert.equal(covid!.sensitivity, covid!.recall);
  // pneumonia: tp 2, fp 1 (row 1), fn 0, tn 4
  assert.deepEqual([pneu!.tp, pneu!.fp, pneu!.fn, pneu!.tn], [2, 1, 0, 4]);
  close(pneu!.precision, 2 / 3);
  close(pneu!.recall, 1);
  close(pneu!.specificity, 4 / 5);
  close(pneu!.npv, 1); // 4 / (4 + 0)
  close(pneu!.f1, 4 / 5); // 4 / (4 + 1 + 0)
  // normal: tp 2, fp 0, fn 1 (row 5), tn 4
  assert.deepEqual([normal!.tp, normal!.fp, normal!.fn, normal!.tn], [2, 0, 1, 4]);
  close(normal!.precision, 1);
  close(normal!.recall, 2 / 3);
  close(normal!.specificity, 1); // 4 / (4 + 0)
  close(normal!.npv, 4 / 5);
  close(normal!.f1, 4 / 5); // 4 / (4 + 0 + 1)
  // macro: plain means over the 3 classes
  close(r.macro.precision, (1 / 2 + 2 / 3 + 1) / 3); // 13/18
  close(r.macro.recall, (1 / 2 + 1 + 2 / 3) / 3); // 13/18
  close(r.macro.specificity, (4 / 5 + 4 / 5 + 1) / 3); // 13/15
  close(r.macro.npv, (4 / 5 + 1 + 4 / 5) / 3);
  close(r.macro.f1, (1 / 2 + 4 / 5 + 4 / 5) / 3); // 0.7
  // weighted by support 2, 2, 3 (sum 7)
  close(r.weighted.precision, (2 * (1 / 2) + 2 * (2 / 3) + 3 * 1) / 7); // 16/21
  close(r.weighted.recall, (2 * (1 / 2) + 2 * 1 + 3 * (2 / 3)) / 7); // 5/7 = accuracy
  close(r.weighted.f1, (2 * (1 / 2) + 2 * (4 / 5) + 3 * (4 / 5)) / 7); // 5/7
  close(r.weighted.specificity, (2 * (4 / 5) + 2 * (4 / 5) + 3 * 1) / 7); // 6.2/7
  close(r.accuracy, 5 / 7); // diagonal 1 + 2 + 2 over 7
  close(r.balancedAccuracy, 13 / 18); // macro recall
  assert.deepEqual(r.notes, []);
  assert.deepEqual(r.confusion, confusionMatrix(yTrue, [0, 1, 1, 1, 2, 0, 2], 3), 'the existing confusionMatrix agrees');
});

test('hand-computed one-vs-rest AUC (Mann-Whitney pairs) and log loss', () => {
  const r = classificationReport({ yTrue, probs });
  // covid column .8 .3 .2 .1 .1 .5 .2: positives {.8, .3}, negatives {.2, .1, .1, .5, .2}
  //   .8 beats 5, .3 beats 4 (not .5): 9 / (2·5)
  close(r.perClass[0]!.auc, 9 / 10);
  // pneumonia column .1 .6 .7 .5 .1 .2 .2: positives {.7, .5}, negatives {.1, .6, .1, .2, .2}: (5 + 4) / 10
  close(r.perClass[1]!.auc, 9 / 10);
  // normal column .1 .1 .1 .4 .8 .3 .6: positives {.8, .3, .6}, negatives {.1, .1, .1, .4}: (4 + 3 + 4) / 12
  close(r.perClass[2]!.auc, 11 / 12);
  close(r.macro.auc, (9 / 10 + 9 / 10 + 11 / 12) / 3);
  close(r.weighted.auc, (2 * 0.9 + 2 * 0.9 + 3 * (11 / 12)) / 7);
  // −mean ln p(true): ln .8, .3, .7, .5, .8, .3, .6
  const expected = -(Math.log(0.8) + Math.log(0.3) + Math.log(0.7) + Math.log(0.5) + Math.log(0.8) + Math.log(0.3) + Math.log(0.6)) / 7;
  close(r.logLoss, expected);
  close(logLoss({ yTrue, probs }), expected);
  // the ROC curve's trapezoid area is the same AUC; points start at (0, 0, +∞) and end at (1, 1)
  const roc = r.perClass[2]!.roc!;
  assert.equal(roc.thresholds[0], Number.POSITIVE_INFINITY);
  assert.deepEqual([roc.fpr[0], roc.tpr[0], roc.fpr.at(-1), roc.tpr.at(-1)], [0, 0, 1, 1]);
  assert.equal(classificationReport({ yTrue, probs }, { rocCurves: false }).perClass[0]!.roc, undefined);
});

test('a confident miss costs −ln ε, not Infinity', () => {
  // image 0: p(true) = 1 → clipped to 1 − ε; image 1: p(true) = 0 → clipped to ε
  const data = { yTrue: [0, 1], probs: [1, 0, 0, 1, 0, 0] };
  close(classificationReport(data).logLoss, -(Math.log(1 - 1e-15) + Math.log(1e-15)) / 2);
  close(classificationReport(data, { logLossEpsilon: 1e-3 }).logLoss, -(Math.log(1 - 1e-3) + Math.log(1e-3)) / 2);
});

test('one class absent from the truth: NaN where undefined, notes, and the three averaging policies', () => {
  // true 0 0 1 1, predicted 0 2 1 1 (normal predicted once, never true)
  const data = { yTrue: [0, 0, 1, 1], probs: [0.9, 0.05, 0.05, 0.2, 0.2, 0.6, 0.1, 0.8, 0.1, 0.3, 0.6, 0.1] };
  const r = classificationReport(data);
  assert.deepEqual(r.confusion, [
    [1, 0, 1],
    [0, 2, 0],
    [0, 0, 0],
  ]);
  const normal = r.perClass[2]!;
  // normal: tp 0, fp 1, fn 0, tn 3
  assert.deepEqual([normal.tp, normal.fp, normal.fn, normal.tn, normal.support], [0, 1, 0, 3, 0]);
  assert.ok(Number.isNaN(normal.recall)); // 0 / 0
  assert.equal(normal.precision, 0); // 0 / 1
  assert.equal(normal.f1, 0); // 0 / (0 + 1 + 0)
  close(normal.specificity, 3 / 4);
  assert.equal(normal.npv, 1); // 3 / (3 + 0)
  assert.ok(Number.isNaN(normal.auc)); // no positives
  assert.ok(r.notes.some((n) => /normal: recall \(sensitivity\) is undefined/.test(n)), r.notes.join('\n'));
  assert.ok(r.notes.some((n) => /normal: ROC-AUC is undefined/.test(n)));
  // default 'nan': macro recall and balanced accuracy are NaN; weighted recall skips the weight-0 class
  assert.ok(Number.isNaN(r.macro.recall));
  assert.ok(Number.isNaN(r.balancedAccuracy));
  assert.ok(Number.isNaN(r.macro.auc));
  close(r.weighted.recall, (2 * (1 / 2) + 2 * 1) / 4); // = accuracy 3/4
  close(r.macro.f1, (2 / 3 + 1 + 0) / 3); // covid 2·1/(2+0+1), pneumonia 4/4, normal 0: all defined
  // 'skip' averages the defined classes (scikit-learn's balanced_accuracy_score gives 0.75 here)
  const skip = classificationReport(data, { undefinedInAverages: 'skip' });
  close(skip.balancedAccuracy, (1 / 2 + 1) / 2);
  close(skip.macro.auc, (skip.perClass[0]!.auc + skip.perClass[1]!.auc) / 2);
  assert.ok(skip.notes.some((n) => /recall is undefined for normal: the averages leave those classes out/.test(n)));
  // 'zero' counts it as 0
  close(classificationReport(data, { undefinedInAverages: 'zero' }).macro.recall, (1 / 2 + 1 + 0) / 3);
  // the per-class values stay NaN under every policy
  assert.ok(Number.isNaN(skip.perClass[2]!.recall));
});

test('every image predicted as one class: undefined precision and NPV, no crash', () => {
  const data = { yTrue: [0, 1, 2, 2], probs: [0.6, 0.2, 0.2, 0.5, 0.3, 0.2, 0.4, 0.3, 0.3, 0.7, 0.1, 0.2] };
  const r = classificationReport(data);
  assert.deepEqual(r.confusion, [
    [1, 0, 0],
    [1, 0, 0],
    [2, 0, 0],
  ]);
  const [covid, pneu, normal] = r.perClass;
  close(covid!.precision, 1 / 4); // tp 1 / predicted 4
  assert.equal(covid!.recall, 1);
  assert.equal(covid!.specificity, 0); // tn 0 / (0 + 3)
  assert.ok(Number.isNaN(covid!.npv)); // tn + fn = 0
  assert.ok(Number.isNaN(pneu!.precision) && Number.isNaN(normal!.precision));
  assert.equal(pneu!.recall, 0);
  assert.equal(pneu!.f1, 0); // 0 / (0 + 0 + 1)
  close(normal!.npv, 2 / 4); // tn 2 / (2 + fn 2)
  assert.ok(Number.isNaN(r.macro.precision));
  assert.ok(Number.isNaN(r.weighted.precision));
  assert.ok(r.notes.some((n) => /pneumonia: precision \(PPV\) is undefined — no image was predicted as pneumonia/.test(n)));
  assert.ok(r.notes.some((n) => /covid: NPV is undefined — every image was predicted as covid/.test(n)));
  assert.ok(r.notes.some((n) => /precision is undefined for pneumonia, normal: the macro and weighted averages are NaN/.test(n)));
  // scikit-learn's default (zero_division=0): macro precision (1/4 + 0 + 0) / 3
  close(classificationReport(data, { undefinedInAverages: 'zero' }).macro.precision, 1 / 12);
  close(r.accuracy, 1 / 4);
  close(r.macro.recall, 1 / 3);
});

test('empty and malformed inputs fail with the option, what was expected and what was received', () => {
  assert.throws(() => classificationReport({ yTrue: [], probs: [] }), (e: unknown) => e instanceof ConfigError && /`yTrue` is empty/.test(e.message));
  assert.throws(() => classificationReport({ yTrue: [0, 1], probs: [1, 0, 0, 0, 1] }), /`probs` must hold n × k = 2 × 3 = 6 values .*Received: 5/);
  assert.throws(() => classificationReport({ yTrue: [0, 3], probs: [1, 0, 0, 0, 1, 0] }), /`yTrue` must hold class indices 0 … 2\. Received: 3 at index 1/);
  assert.throws(() => classificationReport({ yTrue: [0, 1.5], probs: [1, 0, 0, 0, 1, 0] }), /Received: 1\.5 at index 1/);
  assert.throws(() => classificationReport({ yTrue: [0, 1], probs: [1, 0, 0, 0, 0.5, 0.4] }), /`probs` rows must sum to 1 \(± 0\.001\)\. Received: 0\.9\d* at row 1/);
  assert.throws(() => classificationReport({ yTrue: [0], probs: [1.5, -0.5, 0] }), /`probs` must be probabilities in \[0, 1\]\. Received: 1\.5 at row 0, column 0; -0\.5 at row 0, column 1/);
  assert.throws(() => classificationReport({ yTrue: [0], probs: [Number.NaN, 0, 1] }), /Received: NaN at row 0, column 0/);
  assert.throws(() => classificationReport({ yTrue: [0], probs: [1] }, { classNames: ['only'] }), /`classNames` must list at least 2 classes/);
  assert.throws(() => classificationReport({ yTrue: [0], probs: [1, 0] }, { classNames: ['a', 'a'] }), /`classNames` must be distinct/);
  assert.throws(() => classificationReport({ yTrue, probs }, { undefinedInAverages: 'drop' as never }), /`undefinedInAverages` must be one of nan, skip, zero\. Received: drop/);
  assert.throws(() => classificationReport({ yTrue, probs }, { logLossEpsilon: 0 }), /`logLossEpsilon` must be in \(0, 0\.5\)\. Received: 0/);
  // several problems are listed at once
  assert.throws(
    () => classificationReport({ yTrue: [5, 0], probs: [1, 0, 0, 1, 0, 0] }, { classNames: ['a', 'b', 'c'] }),
    (e: unknown) => e instanceof ConfigError && e.issues.length === 1 && /Received: 5 at index 0/.test(e.message),
  );
});

test('two classes and Float32Array probabilities work the same way', () => {
  const r = classificationReport({ yTrue: Int32Array.from([0, 1, 1]), probs: Float32Array.from([0.75, 0.25, 0.25, 0.75, 0.5, 0.5]) }, { classNames: ['pos', 'neg'] });
  // row 2 ties 0.5/0.5 → class 0 (lowest index), so predictions 0 1 0
  assert.deepEqual(r.confusion, [
    [1, 0],
    [1, 1],
  ]);
  // pos column .75 .25 .5: positive .75 beats both negatives → AUC 1
  assert.equal(r.perClass[0]!.auc, 1);
});

// Cross-check against scikit-learn 1.9.1 (the project venv), 30 images with probabilities in tenths
// (many ties in scores and in argmax): generated by numpy default_rng(7); the Python that produced
// these numbers used precision_recall_fscore_support(zero_division=np.nan), balanced_accuracy_score,
// roc_auc_score(multi_class='ovr', average='macro' | 'weighted'), log_loss and
// roc_curve(drop_intermediate=False) on class 0.
const SK = {
  yTrue: [2, 1, 2, 2, 1, 2, 2, 0, 0, 0, 0, 2, 2, 0, 1, 2, 0, 2, 0, 1, 2, 0, 1, 0, 2, 0, 2, 1, 1, 1],
  probs: [
    0.5, 0.2, 0.3, 0.9, 0.1, 0.0, 0.1, 0.0, 0.9, 0.4, 0.0, 0.6, 0.1, 0.5, 0.4, 0.4, 0.5, 0.1, 0.2, 0.5, 0.3, 0.4, 0.2, 0.4, 1.0, 0.0, 0.0, 0.1, 0.2, 0.7,
    0.5, 0.0, 0.5, 0.7, 0.1, 0.2, 0.5, 0.2, 0.3, 0.2, 0.5, 0.3, 0.0, 0.8, 0.2, 0.5, 0.1, 0.4, 0.2, 0.5, 0.3, 0.7, 0.3, 0.0, 0.1, 0.0, 0.9, 0.6, 0.3, 0.1,
    0.2, 0.1, 0.7, 0.4, 0.4, 0.2, 0.4, 0.6, 0.0, 0.4, 0.6, 0.0, 0.6, 0.4, 0.0, 0.3, 0.2, 0.5, 0.0, 0.4, 0.6, 0.9, 0.1, 0.0, 0.0, 0.7, 0.3, 0.0, 0.3, 0.7,
  ],
  confusion: [
    [4, 3, 3],
    [3, 4, 1],
    [6, 2, 4],
  ],
  precision: [0.3076923076923077, 0.4444444444444444, 0.5],
  recall: [0.4, 0.5, 0.3333333333333333],
  f1: [0.34782608695652173, 0.47058823529411764, 0.4],
  macro: { precision: 0.41737891737891736, recall: 0.41111111111111115, f1: 0.4061381074168798 },
  weighted: { precision: 0.42108262108262107, recall: 0.4, f1: 0.40143222506393866 },
  accuracy: 0.4,
  balancedAccuracy: 0.41111111111111115,
  aucPerClass: [0.46499999999999997, 0.7073863636363636, 0.5625],
  macroAuc: 0.5782954545454545,
  weightedAuc: 0.5686363636363636,
  logLoss: 3.442605697374215,
  roc0: {
    fpr: [0.0, 0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.6, 0.7, 0.8, 1.0],
    tpr: [0.0, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.6, 0.8, 1.0, 1.0],
    thresholds: [Number.POSITIVE_INFINITY, 1.0, 0.9, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0],
  },
};

test('agrees with scikit-learn on a 30-image case with ties', () => {
  // scikit-learn clips log-loss probabilities at float64's machine epsilon
  const r = classificationReport({ yTrue: SK.yTrue, probs: SK.probs }, { logLossEpsilon: 2.220446049250313e-16 });
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs scikit-learn ${b}`);
  assert.deepEqual(r.confusion, SK.confusion);
  r.perClass.forEach((c, i) => {
    near(c.precision, SK.precision[i]!, `precision ${i}`);
    near(c.recall, SK.recall[i]!, `recall ${i}`);
    near(c.f1, SK.f1[i]!, `f1 ${i}`);
    near(c.auc, SK.aucPerClass[i]!, `auc ${i}`);
  });
  for (const avg of ['macro', 'weighted'] as const) {
    near(r[avg].precision, SK[avg].precision, `${avg} precision`);
    near(r[avg].recall, SK[avg].recall, `${avg} recall`);
    near(r[avg].f1, SK[avg].f1, `${avg} f1`);
  }
  near(r.accuracy, SK.accuracy, 'accuracy');
  near(r.balancedAccuracy, SK.balancedAccuracy, 'balanced accuracy');
  near(r.macro.auc, SK.macroAuc, 'macro AUC');
  near(r.weighted.auc, SK.weightedAuc, 'weighted AUC');
  near(r.logLoss, SK.logLoss, 'log loss');
  const roc = r.perClass[0]!.roc!;
  assert.equal(roc.fpr.length, SK.roc0.fpr.length);
  roc.fpr.forEach((v, j) => near(v, SK.roc0.fpr[j]!, `fpr ${j}`));
  roc.tpr.forEach((v, j) => near(v, SK.roc0.tpr[j]!, `tpr ${j}`));
  assert.deepEqual(roc.thresholds, SK.roc0.thresholds);
});
