// 2-D max pooling on oneDNN's kernels with a workspace, for training. TensorFlow's stock MaxPoolGrad
// recomputes the argmax over the whole input (≈ 5× slower on the first layer); oneDNN's forward
// stores it in a workspace that its backward reads. Inference and other pool shapes keep the stock op.
// The _MklNative* names and the `_kernel` label are TensorFlow internals: the self-test guards them.
import { runOp, runOpMulti, type OpAttr } from '../exec';
import { tf } from '../tf';
import { type FastOp, inTensorScope } from './fast-op';
import { patchCoreOp, tapeIsRecording } from './patch-core';

type MaxPool = typeof tf.maxPool;

function poolAttrs(size: number, stride: number): OpAttr[] {
  return [
    { name: 'T', type: 'float32' },
    { name: 'ksize', int: [1, size, size, 1] },
    { name: 'strides', int: [1, stride, stride, 1] },
    { name: 'padding', string: 'VALID' },
    { name: 'data_format', string: 'NHWC' },
    { name: 'workspace_enabled', bool: true },
    { name: '_kernel', string: 'MklNameChangeOp' },
  ];
}

/** Square window and stride, VALID padding, float32 NHWC: the shapes the self-test covers. */
function squareParams(x: tf.Tensor, filterSize: unknown, strides: unknown, pad: unknown, rounding: unknown) {
  const square = (v: unknown) => (typeof v === 'number' ? v : Array.isArray(v) && v.length === 2 && v[0] === v[1] ? (v[0] as number) : null);
  const size = square(filterSize);
  const stride = square(strides);
  const ok = x.rank === 4 && x.dtype === 'float32' && pad === 'valid' && rounding === undefined && size !== null && stride !== null;
  return ok ? { size, stride } : null;
}

function mklMaxPool(x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  const attrs = poolAttrs(size, stride);
  const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [y, workspace] = runOpMulti('_MklNativeMaxPool', attrs, [input], 2) as [tf.Tensor, tf.Tensor];
    save([input, y, workspace]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [xs, ys, ws] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return runOp('_MklNativeMaxPoolGrad', attrs, [xs, ys, dy as tf.Tensor, ws]);
      },
    };
  });
  return pool(x) as tf.Tensor4D;
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0] as number);
}

export const mklMaxPoolOp: FastOp = {
  name: 'mkl-max-pool',
  selfTest() {
    return inTensorScope(() => {
      for (const [h, size, stride] of [
        [6, 2, 2],
        [7, 2, 2],
        [9, 3, 2],
      ] as const) {
        const x = tf.randomNormal([2, h, h + 1, 3], 0, 1, 'float32', h) as tf.Tensor4D;
        const dy = tf.randomNormal(tf.maxPool(x, size, stride, 'valid').shape, 0, 1, 'float32', 1);
        const loss = (pool: (v: tf.Tensor4D) => tf.Tensor) => (v: tf.Tensor) => pool(v as tf.Tensor4D).mul(dy).sum();
        const stockGrad = tf.grad(loss((v) => tf.maxPool(v, size, stride, 'valid')))(x);
        const mklGrad = tf.grad(loss((v) => mklMaxPool(v, size, stride)))(x);
        const forward = maxDiff(tf.maxPool(x, size, stride, 'valid'), mklMaxPool(x, size, stride));
        const backward = maxDiff(stockGrad, mklGrad);
        // Overlapping windows sum their gradients in another order: allow float32 round-off there.
        if (forward !== 0 || backward > 1e-6) return `pool ${size}/${stride} on ${h}x${h + 1}: forward differs by ${forward}, gradient by ${backward}`;
      }
      return null;
    });
  },
  install() {
    return patchCoreOp<MaxPool>('maxPool', (stock) => (x, filterSize, strides, pad, rounding) => {
      const params = tapeIsRecording() ? squareParams(x as tf.Tensor, filterSize, strides, pad, rounding) : null;
      return params ? (mklMaxPool(x as tf.Tensor4D, params.size, params.stride) as never) : stock(x, filterSize, strides, pad, rounding);
    });
  },
};
