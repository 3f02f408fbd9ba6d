import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EpochLogs, buildModel, fit, tf } from '../../src';

/** Two easy classes plus a third: the mean brightness of the image is the label. */
function syntheticData(n: number, size: number) {
  return tf.tidy(() => {
    const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32');
    const level = labels.toFloat().div(2).reshape([n, 1, 1, 1]);
    const noise = tf.randomUniform([n, size, size, 3], 0, 0.2, 'float32', 7);
    return { xs: level.mul(0.8).add(noise) as tf.Tensor4D, ys: tf.oneHot(labels, 3).toFloat() as tf.Tensor2D };
  });
}

async function train(seed: number, epochs: number): Promise<EpochLogs[]> {
  const data = syntheticData(48, 32);
  const model = buildModel('seed-004', { inputSize: 32, dropout: 0, seed });
  try {
    return await fit(model, data, { epochs, batchSize: 16, learningRate: 0.003, seed });
  } finally {
    model.dispose();
    tf.dispose([data.xs, data.ys]);
  }
}

test('a tiny CNN trained for a few steps on the native backend lowers its loss', async () => {
  const before = tf.memory().numTensors;
  const history = await train(1, 6);
  assert.equal(history.length, 6);
  const first = history[0] as EpochLogs;
  const last = history.at(-1) as EpochLogs;
  assert.ok(last.loss < first.loss * 0.8, `loss went ${first.loss} → ${last.loss}`);
  assert.ok(last.images_per_second > 0);
  assert.equal(tf.memory().numTensors, before, 'training leaked tensors');
});

test('the same seed gives the same training trajectory', async () => {
  const a = await train(5, 2);
  const b = await train(5, 2);
  assert.deepEqual(a.map((h) => h.loss.toFixed(5)), b.map((h) => h.loss.toFixed(5)));
});
