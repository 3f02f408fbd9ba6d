// Adam's weight update as one TensorFlow kernel per weight: ResourceApplyAdam on resource variables
// that hold the weight and its two moments. Keras 3's rule (m, v, then w − α·m/(√v + ε)) in one pass
// over memory instead of twelve element-wise ops, each a separate tensor. The weight's resource
// shares the tfjs variable's buffer; TensorFlow copies it before updating (copy-on-write), so the
// tensor tfjs holds never changes under it. The self-test checks the update against a float64
// reference and that copy-on-write on tiny tensors; KerasAdam (train/adam.ts) uses its JavaScript
// form when this op is off.
import { runOp, runOpMulti, type OpAttr } from '../exec';
import { tf } from '../tf';
import { type FastOp, inTensorScope } from './fast-op';

const FLOAT: OpAttr = { name: 'dtype', type: 'float32' };
let installed = false;
let handles = 0;

/** True when the native update is on (its self-test passed and the fast path installed it). */
export function nativeAdamEnabled(): boolean {
  return installed;
}

/** A weight's resource variable and its moments', and the tfjs tensor the weight resource last held. */
export interface AdamSlot {
  weight: tf.Tensor | null;
  m: tf.Tensor;
  v: tf.Tensor;
  /** The data id the weight resource shares with the tfjs variable; a different one means the weight was set from outside. */
  heldData: unknown;
}

export interface AdamHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The step being taken, from 1. */
  step: number;
}

function newResource(shape: number[], value: tf.Tensor): tf.Tensor {
  const handle = runOp('VarHandleOp', [{ name: 'container', string: '' }, { name: 'shared_name', string: `cxrlab_adam_${handles++}` }, FLOAT, { name: 'shape', shape }], []);
  assignResource(handle, value);
  return tf.keep(handle); // lives with its slot, whatever scope the first update runs in
}

function assignResource(handle: tf.Tensor, value: tf.Tensor): void {
  runOpMulti('AssignVariableOp', [FLOAT, { name: 'validate_shape', bool: false }], [handle, value], 0);
}

/** A resource's current value (sharing its buffer until either side is written); the caller owns it. */
export function readResource(handle: tf.Tensor): tf.Tensor {
  return runOp('ReadVariableOp', [FLOAT], [handle]);
}

/** Moments for a weight of `shape`: given (a resumed state) or zeros. The weight resource comes with the first update. */
export function createSlot(shape: number[], moments?: { m: tf.Tensor; v: tf.Tensor }): AdamSlot {
  const zeros = tf.zeros(shape);
  try {
    return { weight: null, m: newResource(shape, moments?.m ?? zeros), v: newResource(shape, moments?.v ?? zeros), heldData: null };
  } finally {
    zeros.dispose();
  }
}

const APPLY_ATTRS: OpAttr[] = [
  { name: 'T', type: 'float32' },
  { name: 'use_locking', bool: false },
  { name: 'use_nesterov', bool: false },
];

/** The scalar inputs of one step's updates (β1ᵗ, β2ᵗ, lr, β1, β2, ε), shared by every weight; the caller disposes them. */
export function stepScalars(h: AdamHyper): tf.Tensor[] {
  return [h.beta1 ** h.step, h.beta2 ** h.step, h.learningRate, h.beta1, h.beta2, h.epsilon].map((s) => tf.scalar(s));
}

/** One Adam step of `weight` by `gradient` with this step's `scalars`; the variable then holds the updated value. */
export function applyAdam(slot: AdamSlot, weight: tf.Variable, gradient: tf.Tensor, scalars: readonly tf.Tensor[]): void {
  if (!slot.weight) slot.weight = newResource(weight.shape, weight);
  else if (slot.heldData !== weight.dataId) assignResource(slot.weight, weight);
  runOpMulti('ResourceApplyAdam', APPLY_ATTRS, [slot.weight, slot.m, slot.v, ...scalars, gradient], 0);
  const updated = readResource(slot.weight);
  weight.assign(updated);
  updated.dispose();
  slot.heldData = weight.dataId;
}

/** Frees a slot's resources (and their handles). */
export function destroySlot(slot: AdamSlot): void {
  for (const handle of [slot.weight, slot.m, slot.v]) {
    if (!handle) continue;
    runOpMulti('DestroyResourceOp', [{ name: 'ignore_lookup_error', bool: true }], [handle], 0);
    handle.dispose();
  }
}

/** Keras 3's Adam in float64 for a few steps: the self-test's reference. */
function reference(w0: number[], grads: number[][], h: Omit<AdamHyper, 'step'>): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((g, i) => {
    const t = i + 1;
    const alpha = (h.learningRate * Math.sqrt(1 - h.beta2 ** t)) / (1 - h.beta1 ** t);
    g.forEach((gj, j) => {
      m[j] = (m[j] as number) + (gj - (m[j] as number)) * (1 - h.beta1);
      v[j] = (v[j] as number) + (gj * gj - (v[j] as number)) * (1 - h.beta2);
      w[j] = (w[j] as number) - ((m[j] as number) * alpha) / (Math.sqrt(v[j] as number) + h.epsilon);
    });
  });
  return w;
}

export const adamUpdateOp: FastOp = {
  name: 'adam',
  selfTest() {
    return inTensorScope(() => {
      const hyper = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
      const w0 = [0.5, -1.25, 2, 3e-4];
      const grads = [
        [0.1, -0.2, 0.3, 1e-6],
        [0.05, 0.4, -0.3, 0],
        [-0.2, 0.1, 0, -1e-6],
      ];
      const weight = tf.variable(tf.tensor1d(w0), false, `cxrlab_adam_selftest_${handles}`);
      const slot = createSlot(weight.shape);
      try {
        const first = weight.clone(); // shares the buffer the update must not write into
        grads.forEach((g, i) => applyAdam(slot, weight, tf.tensor1d(g), stepScalars({ ...hyper, step: i + 1 })));
        const kept = Array.from(first.dataSync());
        if (kept.some((x, i) => x !== Math.fround(w0[i] as number))) return `the update wrote into a tensor tfjs still holds: ${kept.join(', ')}`;
        const got = Array.from(weight.dataSync());
        const want = reference(w0, grads, hyper);
        const worst = Math.max(...got.map((x, i) => Math.abs(x - (want[i] as number))));
        return worst <= 1e-6 ? null : `weights differ from Keras' Adam by ${worst}`;
      } finally {
        destroySlot(slot);
        weight.dispose();
      }
    });
  },
  install() {
    installed = true;
    return () => {
      installed = false;
    };
  },
};
