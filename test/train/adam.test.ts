// KerasAdam: Keras 3's update rule (checked against a float64 reference), close to tfjs' Adam, no
// leaked tensors, and an optimizer state that round-trips through getWeights/setWeights.
import assert from 'node:assert/strict';
import test from 'node:test';
import { tf } from '../../src/native/tf';
import { KerasAdam } from '../../src/train/adam';

const LR = 0.01;
const [B1, B2, EPS] = [0.9, 0.999, 1e-7];

/** Keras 3's Adam in float64, step by step. */
function reference(w0: number[], grads: number[][]): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((g, step) => {
    const t = step + 1;
    const alpha = (LR * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t);
    g.forEach((gi, i) => {
      m[i]! += (gi - m[i]!) * (1 - B1);
      v[i]! += (gi * gi - v[i]!) * (1 - B2);
      w[i]! -= (m[i]! * alpha) / (Math.sqrt(v[i]!) + EPS);
    });
  });
  return w;
}

const w0 = [0.5, -1.25, 2, 0, 3e-4];
const grads = [
  [0.1, -0.2, 0.3, 1e-6, 0],
  [0.05, 0.4, -0.3, 2e-6, 0],
  [-0.2, 0.1, 0.0, -1e-6, 0],
  [1.5, -0.7, 0.25, 0, 0],
];

function weight(name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor1d(w0), true, name));
}

function run(optimizer: tf.Optimizer, name: string, steps: number[][]): number[] {
  const w = weight(name);
  for (const g of steps) {
    const gt = tf.tensor1d(g);
    optimizer.applyGradients({ [name]: gt });
    gt.dispose();
  }
  const out = Array.from(w.dataSync());
  w.dispose();
  return out;
}

test('KerasAdam follows Keras 3 Adam (float64 reference) and stays within round-off of tfjs Adam', () => {
  const adam = new KerasAdam(LR, B1, B2, EPS);
  const got = run(adam, 'kadam_ref', grads);
  adam.dispose();
  reference(w0, grads).forEach((want, i) => assert.ok(Math.abs(got[i]! - want) < 1e-6, `weight ${i}: ${got[i]} vs ${want}`));

  // tfjs adds ε to the bias-corrected √v̂, Keras to √v: the same update unless |g| is near ε (weight 3).

  const stock = tf.train.adam(LR, B1, B2, EPS);
  const theirs = run(stock, 'kadam_stock', grads);
  stock.dispose();
  theirs.forEach((want, i) => i === 3 || assert.ok(Math.abs(got[i]! - want) < 1e-5, `weight ${i}: ${got[i]} vs tfjs ${want}`));
});

test('KerasAdam leaks no tensors per step and frees its state on dispose', () => {
  const before = tf.memory().numTensors;
  const adam = new KerasAdam(LR);
  const w = weight('kadam_leak');
  const step = (g: number[]) => tf.tidy(() => adam.applyGradients({ kadam_leak: tf.tensor1d(g) }));
  step(grads[0]!);
  const afterOne = tf.memory().numTensors;
  for (const g of grads.slice(1)) step(g);
  assert.equal(tf.memory().numTensors, afterOne);
  adam.dispose();
  w.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('an optimizer state saved after two steps resumes to the same weights as four uninterrupted steps', async () => {
  const straight = new KerasAdam(LR);
  const want = run(straight, 'kadam_straight', grads);
  straight.dispose();

  const first = new KerasAdam(LR);
  const w = weight('kadam_resumed');
  for (const g of grads.slice(0, 2)) tf.tidy(() => first.applyGradients({ kadam_resumed: tf.tensor1d(g) }));
  const saved = (await first.getWeights()).map((s) => ({ name: s.name, tensor: s.tensor.clone() }));
  first.dispose();
  assert.deepEqual(
    saved.map((s) => s.name),
    ['iter', 'kadam_resumed/m', 'kadam_resumed/v'],
  );

  const second = new KerasAdam(LR);
  await second.setWeights(saved);
  assert.equal(second.iterations, 2);
  for (const g of grads.slice(2)) tf.tidy(() => second.applyGradients({ kadam_resumed: tf.tensor1d(g) }));
  const got = Array.from(w.dataSync());
  second.dispose();
  w.dispose();
  tf.dispose(saved.map((s) => s.tensor));
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-7, `weight ${i}: resumed ${g} vs straight ${want[i]}`));
});
