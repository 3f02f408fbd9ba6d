import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODEL_NAMES, buildModel, compileForClassification, disableFastPath, enableFastPath, tf } from '../../src';


const batch = () => ({
  xs: tf.randomUniform([8, 48, 48, 3], 0, 1, 'float32', 11),
  ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat(),
});

/** The gradient of the training loss for every trainable weight of a freshly built (seeded) model. */
function firstGradients(name: string): Float32Array[] {
  const { xs, ys } = batch();
  const model = buildModel(name, { inputSize: 48, dropout: 0, seed: 3 });
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor).mean() as tf.Scalar);
  const out = model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]!.dataSync() as Float32Array);
  tf.dispose([xs, ys, ...Object.values(grads)]);
  model.dispose();
  return out;
}

/**
 * Losses of a few SGD steps from a seeded start. Plain SGD with a small rate: Adam divides by the
 * root of tiny second moments and turns float32 round-off into visible weight differences.
 */
async function sgdLosses(name: string, steps: number): Promise<number[]> {
  const { xs, ys } = batch();
  const model = buildModel(name, { inputSize: 48, dropout: 0, seed: 3 });
  const optimizer = tf.train.sgd(0.01);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(xs, ys)) as number);
  model.dispose();
  optimizer.dispose();
  tf.dispose([xs, ys]);
  return losses;
}

test('every fast op passes its self-test on this TensorFlow', () => {
  const report = enableFastPath();
  assert.ok(report.length >= 2);
  for (const op of report) assert.equal(op.status, 'on', `${op.name}: ${op.reason}`);
});

for (const name of MODEL_NAMES) {
  test(`${name}: the fast path gives the stock tfjs gradients and training steps`, async () => {
    disableFastPath();
    const stockGrads = firstGradients(name);
    const stockLosses = await sgdLosses(name, 3);
    enableFastPath();
    const fastGrads = firstGradients(name);
    const fastLosses = await sgdLosses(name, 3);
    stockGrads.forEach((g, i) => {
      const f = fastGrads[i] as Float32Array;
      let worst = 0;
      let scale = 0;
      for (let j = 0; j < g.length; j++) {
        worst = Math.max(worst, Math.abs((g[j] as number) - (f[j] as number)));
        scale = Math.max(scale, Math.abs(g[j] as number));
      }
      assert.ok(worst <= 1e-3 * scale + 1e-6, `gradient ${i}: differs by ${worst} (scale ${scale})`);
    });
    stockLosses.forEach((l, i) => {
      const f = fastLosses[i] as number;
      assert.ok(Math.abs(l - f) <= 1e-4 * Math.max(1, l), `step ${i}: ${l} vs ${f}`);
    });
  });
}

test('the fast path leaks no tensors across training steps', async () => {
  enableFastPath();
  const xs = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 5);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3).toFloat();
  const model = buildModel('seed-004', { inputSize: 32, seed: 1 });
  const optimizer = compileForClassification(model);
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
