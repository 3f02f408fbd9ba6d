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
 * root of tiny second moments and turns float32 round-off into visible weight differences, and a larger
 * rate lets a kink-side gradient difference (below) compound over the steps.
 */
async function sgdLosses(name: string, steps: number): Promise<number[]> {
  const { xs, ys } = batch();
  const model = buildModel(name, { inputSize: 48, dropout: 0, seed: 3 });
  const optimizer = tf.train.sgd(0.001);
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
    // Relative L2 error per weight tensor, not the worst element: a ReLU input or a max-pool tie within
    // float32 round-off of its kink can fall on the other side in either route, and that element's
    // gradient then takes the other one-sided derivative (central finite differences land halfway
    // between the two). That moves a few elements by up to ~10 % of a tensor's largest gradient and the
    // L2 error by ≤ ~2 %; a wrong gradient moves it by O(1). Each op's exactness is tested on its own
    // (self-tests, and the batch-norm test below against float64).
    stockGrads.forEach((g, i) => {
      const f = fastGrads[i] as Float32Array;
      let diff = 0;
      let norm = 0;
      for (let j = 0; j < g.length; j++) {
        diff += ((g[j] as number) - (f[j] as number)) ** 2;
        norm += (g[j] as number) ** 2;
      }
      assert.ok(Math.sqrt(diff) <= 5e-2 * Math.sqrt(norm) + 1e-7, `gradient ${i}: relative L2 error ${Math.sqrt(diff / norm)}`);
    });
    stockLosses.forEach((l, i) => {
      const f = fastLosses[i] as number;
      assert.ok(Math.abs(l - f) <= 1e-3 * Math.max(1, l), `step ${i}: ${l} vs ${f}`); // a kink-side gradient moves the next step's loss by ~1e-4
    });
  });
}

/** Batch norm in training (biased variance), its gradients for dy and the batch statistics, in float64. */
function batchNormReference(x: Float32Array, dy: Float32Array, channels: number, gamma: Float32Array, eps: number) {
  const rows = x.length / channels;
  const perChannel = () => new Float64Array(channels);
  const out = { y: new Float64Array(x.length), dx: new Float64Array(x.length), dgamma: perChannel(), dbeta: perChannel(), mean: perChannel(), variance: perChannel() };
  for (let k = 0; k < channels; k++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += x[i * channels + k] as number;
    mean /= rows;
    let variance = 0;
    for (let i = 0; i < rows; i++) variance += ((x[i * channels + k] as number) - mean) ** 2;
    variance /= rows;
    out.mean[k] = mean;
    out.variance[k] = variance;
    const inv = 1 / Math.sqrt(variance + eps);
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let i = 0; i < rows; i++) {
      const xhat = ((x[i * channels + k] as number) - mean) * inv;
      out.y[i * channels + k] = (gamma[k] as number) * xhat;
      sumDy += dy[i * channels + k] as number;
      sumDyXhat += (dy[i * channels + k] as number) * xhat;
    }
    out.dgamma[k] = sumDyXhat;
    out.dbeta[k] = sumDy;
    for (let i = 0; i < rows; i++) {
      const xhat = ((x[i * channels + k] as number) - mean) * inv;
      out.dx[i * channels + k] = (gamma[k] as number) * inv * ((dy[i * channels + k] as number) - sumDy / rows - (xhat * sumDyXhat) / rows);
    }
  }
  return out;
}

test('batch norm on the fast path is as close to a float64 reference as stock tfjs, also for channels with a large mean and a tiny variance', () => {
  const means = [0, 10, 100, 5, 0.03];
  const sds = [1, 0.03, 0.5, 0.01, 0.05];
  const x = tf.tidy(() => tf.concat(means.map((m, k) => tf.randomNormal([8, 3, 3, 1], m, sds[k], 'float32', k + 1)), 3)) as tf.Tensor4D;
  const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 9);
  const gamma = tf.tensor1d([1, 0.5, 2, 1, 1.5]);
  const beta = tf.zeros([5]);
  const ref = batchNormReference(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, 5, gamma.dataSync() as Float32Array, 1e-3);
  const want = [ref.y, ref.dx, ref.dgamma, ref.dbeta, ref.mean, ref.variance];
  /** y, dx, dgamma, dbeta and the moving mean and variance as a BatchNormalization layer computes them in training. */
  const compute = (): Float32Array[] =>
    tf.tidy(() => {
      const layer = tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.25 });
      layer.build(x.shape);
      layer.setWeights([gamma, beta, tf.zeros([5]), tf.zeros([5])]);
      const xv = tf.variable(x);
      const [g, b] = layer.trainableWeights.map((w) => w.read() as tf.Variable) as [tf.Variable, tf.Variable];
      let y: tf.Tensor | undefined;
      const { grads } = tf.variableGrads(() => {
        y = tf.keep(layer.apply(xv, { training: true }) as tf.Tensor);
        return y.mul(dy).sum() as tf.Scalar;
      }, [xv, g, b]);
      const moving = layer.getWeights().slice(2).map((w) => w.div(0.75)); // 0.25·0 + 0.75·batch statistic
      const out = [y!, grads[xv.name]!, grads[g.name]!, grads[b.name]!, ...moving].map((t) => t.dataSync() as Float32Array);
      xv.dispose();
      tf.dispose(layer.weights.map((w) => w.read()));
      return out;
    });
  /** Worst error per output, relative to the output's largest reference value. */
  const errors = (got: Float32Array[]) => got.map((g, o) => {
    const w = want[o] as Float64Array;
    const scale = Math.max(...w.map(Math.abs));
    return Math.max(...w.map((v, i) => Math.abs((g[i] as number) - v))) / scale;
  });
  disableFastPath();
  const stock = errors(compute());
  enableFastPath();
  assert.equal(enableFastPath().find((o) => o.name === 'batch-norm')?.status, 'on');
  const fast = errors(compute());
  ['y', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance'].forEach((name, o) => {
    const limit = Math.max(1e-5, 3 * (stock[o] as number));
    assert.ok((fast[o] as number) <= limit, `${name}: fast error ${fast[o]} vs stock ${stock[o]}`);
  });
  tf.dispose([x, dy, gamma, beta]);
});

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
