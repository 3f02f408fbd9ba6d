import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyOf, argmaxRows, confusionMatrix } from '../../src';

test('hand-computed confusion matrix and accuracy', () => {
  const yTrue = [0, 0, 1, 1, 2, 2, 2];
  const yPred = [0, 1, 1, 1, 2, 0, 2];
  const m = confusionMatrix(yTrue, yPred, 3);
  assert.deepEqual(m, [
    [1, 1, 0],
    [0, 2, 0],
    [1, 0, 2],
  ]);
  assert.equal(accuracyOf(m), 5 / 7);
});

test('argmax of probability rows', () => {
  const probs = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.2, 0.3]);
  assert.deepEqual([...argmaxRows({ probs, numClasses: 3 })], [1, 0]);
});
