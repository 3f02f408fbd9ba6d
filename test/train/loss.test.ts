import assert from 'node:assert/strict';
import { test } from 'node:test';
import { balancedClassWeights, categoricalCrossentropy, makeSchedule, tf } from '../../src';

const yTrue = tf.tensor2d([
  [1, 0, 0],
  [0, 1, 0],
]);
const yPred = tf.tensor2d([
  [0.7, 0.2, 0.1],
  [0.3, 0.6, 0.1],
]);
const value = (t: tf.Tensor) => t.dataSync()[0] as number;

test('categorical cross-entropy, by hand', () => {
  // mean(-ln 0.7, -ln 0.6) = (0.356675 + 0.510826) / 2
  assert.ok(Math.abs(value(categoricalCrossentropy()(yTrue, yPred)) - 0.4337503) < 1e-6);
});

test('label smoothing spreads ε over the classes as Keras does', () => {
  // ε = 0.3, K = 3: targets 0.8/0.1/0.1. Row 1: -(0.8 ln .7 + .1 ln .2 + .1 ln .1); row 2: -(.1 ln .3 + .8 ln .6 + .1 ln .1)
  const row1 = -(0.8 * Math.log(0.7) + 0.1 * Math.log(0.2) + 0.1 * Math.log(0.1));
  const row2 = -(0.1 * Math.log(0.3) + 0.8 * Math.log(0.6) + 0.1 * Math.log(0.1));
  assert.ok(Math.abs(value(categoricalCrossentropy({ labelSmoothing: 0.3 })(yTrue, yPred)) - (row1 + row2) / 2) < 1e-6);
});

test('class weights scale each image by its true class, averaged over the batch', () => {
  const got = value(categoricalCrossentropy({ classWeights: [2, 0.5, 1] })(yTrue, yPred));
  assert.ok(Math.abs(got - (2 * -Math.log(0.7) + 0.5 * -Math.log(0.6)) / 2) < 1e-6);
});

test('balanced class weights are n / (K · count)', () => {
  assert.deepEqual(balancedClassWeights([0, 0, 0, 1, 2, 2], 3), [6 / 9, 2, 1]);
  assert.deepEqual(balancedClassWeights([0, 1], 3), [2 / 3, 2 / 3, 0]);
});

test('learning-rate schedules', () => {
  const step = makeSchedule({ kind: 'step', every: 2, factor: 0.5 }, 0.1, 6);
  assert.deepEqual([0, 1, 2, 3, 4].map(step), [0.1, 0.1, 0.05, 0.05, 0.025]);
  const cosine = makeSchedule({ kind: 'cosine', minLr: 0 }, 0.1, 5);
  assert.equal(cosine(0), 0.1);
  assert.ok(Math.abs(cosine(2) - 0.05) < 1e-12);
  assert.ok(Math.abs(cosine(4)) < 1e-12);
});
