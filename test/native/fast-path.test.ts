import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODEL_NAMES, buildModel, compileForClassification, disableFastPath, enableFastPath, tf } from '../../src';

/** Trains `steps` batches from a seeded start; returns the losses and the final weights. */
async function trainSteps(name: string, steps: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const xs = tf.randomUniform([8, 48, 48, 3], 0, 1, 'float32', 11);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat();
  const model = buildModel(name, { inputSize: 48, dropout: 0, seed: 3 });
  const optimizer = compileForClassification(model, 1e-3);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push(((await model.trainOnBatch(xs, ys)) as number[])[0] as number);
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  optimizer.dispose();
  tf.dispose([xs, ys]);
  return { losses, weights };
}

test('every fast op passes its self-test on this TensorFlow', () => {
  const report = enableFastPath();
  assert.ok(report.length >= 2);
  for (const op of report) assert.equal(op.status, 'on', `${op.name}: ${op.reason}`);
});

for (const name of MODEL_NAMES) {
  test(`${name}: a few steps on the fast path match the stock tfjs path`, async () => {
    disableFastPath();
    const stock = await trainSteps(name, 4);
    enableFastPath();
    const fast = await trainSteps(name, 4);
    stock.losses.forEach((l, i) => assert.ok(Math.abs(l - (fast.losses[i] as number)) < 1e-4, `step ${i}: ${l} vs ${fast.losses[i]}`));
    stock.weights.forEach((w, i) => {
      const f = fast.weights[i] as Float32Array;
      let worst = 0;
      for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs((w[j] as number) - (f[j] as number)));
      assert.ok(worst < 1e-4, `weight ${i} differs by ${worst}`);
    });
  });
}

test('the fast path leaks no tensors across training steps', async () => {
  enableFastPath();
  const xs = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 5);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3).toFloat();
  const model = buildModel('seed-004', { inputSize: 32, seed: 1 });
  const optimizer = compileForClassification(model, 1e-3);
  await model.trainOnBatch(xs, ys);
  const after1 = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
  assert.equal(tf.memory().numTensors, after1);
  model.dispose();
  optimizer.dispose();
  tf.dispose([xs, ys]);
});

test('inference never takes the training-only pool route', () => {
  enableFastPath();
  const x = tf.randomNormal([1, 6, 6, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const y = tf.maxPool(x, 2, 2, 'valid');
  assert.equal(tf.memory().numTensors, before + 1, 'no workspace tensor is made outside a gradient tape');
  tf.dispose([x, y]);
});
