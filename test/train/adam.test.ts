// KerasAdam on both routes (the native ResourceApplyAdam of the fast path, and JavaScript): Keras 3's
// update rule (checked against a float64 reference), close to tfjs' Adam, no leaked tensors, and an
// optimizer state that round-trips through getWeights/setWeights, also from one route to the other.
import assert from 'node:assert/strict';
import test from 'node:test';
import { disableFastPath, enableFastPath } from '../../src/native/fast';
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

type Route = 'native' | 'javascript';
const ROUTES: Route[] = ['native', 'javascript'];

/** A KerasAdam on the given route (the route is chosen when the optimizer is made). */
function adamOn(route: Route): KerasAdam {
  if (route === 'native') {
    const adam = enableFastPath().find((op) => op.name === 'adam');
    assert.equal(adam?.status, 'on', `native Adam: ${adam?.reason}`);
  } else {
    disableFastPath();
  }
  const adam = new KerasAdam(LR, B1, B2, EPS);
  disableFastPath();
  return adam;
}

for (const route of ROUTES) {
  test(`KerasAdam (${route}) follows Keras 3 Adam (float64 reference) and stays within round-off of tfjs Adam`, () => {
    const adam = adamOn(route);
    const got = run(adam, `kadam_ref_${route}`, grads);
    adam.dispose();
    reference(w0, grads).forEach((want, i) => assert.ok(Math.abs(got[i]! - want) < 1e-6, `weight ${i}: ${got[i]} vs ${want}`));

    // tfjs adds ε to the bias-corrected √v̂, Keras to √v: the same update unless |g| is near ε (weight 3).
    const stock = tf.train.adam(LR, B1, B2, EPS);
    const theirs = run(stock, `kadam_stock_${route}`, grads);
    stock.dispose();
    theirs.forEach((want, i) => i === 3 || assert.ok(Math.abs(got[i]! - want) < 1e-5, `weight ${i}: ${got[i]} vs tfjs ${want}`));
  });

  test(`KerasAdam (${route}) leaks no tensors per step and frees its state on dispose`, async () => {
    const before = tf.memory().numTensors;
    const adam = adamOn(route);
    const w = weight(`kadam_leak_${route}`);
    const step = (g: number[]) => tf.tidy(() => adam.applyGradients({ [w.name]: tf.tensor1d(g) }));
    step(grads[0]!);
    await adam.getWeights();
    const afterOne = tf.memory().numTensors;
    for (const g of grads.slice(1)) step(g);
    await adam.getWeights();
    assert.equal(tf.memory().numTensors, afterOne);
    adam.dispose();
    w.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  test(`KerasAdam (${route}) picks up a weight set from outside between steps`, () => {
    const adam = adamOn(route);
    const w = weight(`kadam_outside_${route}`);
    tf.tidy(() => adam.applyGradients({ [w.name]: tf.tensor1d(grads[0]!) }));
    tf.tidy(() => w.assign(tf.zerosLike(w)));
    tf.tidy(() => adam.applyGradients({ [w.name]: tf.tensor1d(grads[1]!) }));
    const got = Array.from(w.dataSync());
    // From zero, the second step moves each weight by α·m/(√v + ε) only.
    const alpha = (LR * Math.sqrt(1 - B2 ** 2)) / (1 - B1 ** 2);
    got.forEach((x, i) => {
      const [g1, g2] = [grads[0]![i]!, grads[1]![i]!];
      const m = g1 * (1 - B1) * B1 + g2 * (1 - B1);
      const v = g1 * g1 * (1 - B2) * B2 + g2 * g2 * (1 - B2);
      assert.ok(Math.abs(x + (m * alpha) / (Math.sqrt(v) + EPS)) < 1e-6, `weight ${i}: ${x}`);
    });
    adam.dispose();
    w.dispose();
  });
}

for (const [saver, resumer] of [['native', 'native'], ['javascript', 'javascript'], ['native', 'javascript'], ['javascript', 'native']] as const) {
  test(`an optimizer state saved after two steps (${saver}) resumes (${resumer}) to the weights of four uninterrupted steps`, async () => {
    const straight = adamOn(resumer);
    const want = run(straight, `kadam_straight_${saver}_${resumer}`, grads);
    straight.dispose();

    const name = `kadam_resumed_${saver}_${resumer}`;
    const first = adamOn(saver);
    const w = weight(name);
    for (const g of grads.slice(0, 2)) tf.tidy(() => first.applyGradients({ [name]: tf.tensor1d(g) }));
    const saved = (await first.getWeights()).map((s) => ({ name: s.name, tensor: s.tensor.clone() }));
    first.dispose();
    assert.deepEqual(
      saved.map((s) => s.name),
      ['iter', `${name}/m`, `${name}/v`],
    );

    const second = adamOn(resumer);
    await second.setWeights(saved);
    assert.equal(second.iterations, 2);
    for (const g of grads.slice(2)) tf.tidy(() => second.applyGradients({ [name]: tf.tensor1d(g) }));
    const got = Array.from(w.dataSync());
    second.dispose();
    w.dispose();
    tf.dispose(saved.map((s) => s.tensor));
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-6, `weight ${i}: resumed ${g} vs straight ${want[i]}`));
  });
}
