// Batch normalisation in training as TensorFlow's fused kernels: FusedBatchNormV3 forward and one
// FusedBatchNormGradV3 for the input, scale and offset gradients. tfjs-layers trains BN as moments()
// then batchNorm4d(), whose gradient is a chain of dozens of small ops through the batch statistics.
// moments() keeps its stock result (the layer updates its moving averages from it); batchNorm4d() of
// exactly those moments is replaced. Inference and other shapes keep the stock ops.
import { runOpMulti, type OpAttr } from '../exec';
import { tf } from '../tf';
import { type FastOp, firstMismatch, inTensorScope } from './fast-op';
import { patchCoreOp, tapeIsRecording } from './patch-core';

const KERNEL = '_CxrlabBatchNormTrain';
type Moments = typeof tf.moments;
type BatchNorm4d = typeof tf.batchNorm4d;

/** mean tensor → the input its moments were taken of, for batch statistics over N, H, W. */
const momentsOf = new WeakMap<tf.Tensor, tf.Tensor>();

function attrs(epsilon: number): OpAttr[] {
  return [
    { name: 'T', type: 'float32' },
    { name: 'U', type: 'float32' },
    { name: 'epsilon', float: epsilon },
    { name: 'data_format', string: 'NHWC' },
    { name: 'is_training', bool: true },
  ];
}

function register(): () => void {
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs: a }) => {
      const { x, scale, offset } = inputs as { x: tf.Tensor; scale: tf.Tensor; offset: tf.Tensor };
      const empty = tf.tensor1d([], 'float32');
      const outs = runOpMulti('FusedBatchNormV3', attrs((a as { epsilon: number }).epsilon), [x, scale, offset, empty, empty], 6);
      empty.dispose();
      // y, and the reserve spaces the gradient op reads (saved mean and inverse std, and a scratch one).
      const [y, batchMean, batchVar, r1, r2, r3] = outs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      tf.dispose([batchMean, batchVar]);
      return [y, r1, r2, r3];
    },
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true, true],
    gradFunc: (dy, saved, a) => {
      const [x, scale, r1, r2, r3] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dyy = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
      const [dx, dScale, dOffset, r4, r5] = runOpMulti(
        'FusedBatchNormGradV3',
        attrs((a as unknown as { epsilon: number }).epsilon),
        [dyy, x, scale, r1, r2, r3],
        5,
      ) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      tf.dispose([r4, r5]);
      return { x: () => dx, scale: () => dScale, offset: () => dOffset };
    },
  });
  return () => tf.unregisterKernel(KERNEL, 'tensorflow');
}

function fusedBatchNorm(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): tf.Tensor {
  const outs = tf.engine().runKernel(KERNEL, { x, scale, offset }, { epsilon }) as tf.Tensor[];
  const [y, ...reserve] = outs as [tf.Tensor, ...tf.Tensor[]];
  tf.dispose(reserve);
  return y;
}

const isNhw = (axes: number | number[] | undefined) => Array.isArray(axes) && [...axes].sort().join() === '0,1,2';

export const batchNormOp: FastOp = {
  name: 'batch-norm',
  selfTest() {
    const undo = register();
    try {
      return inTensorScope(() => {
        const x = tf.randomNormal([4, 5, 6, 3], 2, 3, 'float32', 1);
        const gamma = tf.tensor1d([0.5, 1.5, -1]);
        const beta = tf.tensor1d([0.1, -0.2, 0.3]);
        const dy = tf.randomNormal([4, 5, 6, 3], 0, 1, 'float32', 2);
        const stock = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(xx, [0, 1, 2]);
          return tf.batchNorm4d(xx as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3) as tf.Tensor;
        };
        const fast = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => fusedBatchNorm(xx, g, b, 1e-3);
        const grads = (f: typeof stock) => tf.grads((xx, g, b) => f(xx as tf.Tensor, g as tf.Tensor, b as tf.Tensor).mul(dy).sum())([x, gamma, beta]);
        const [gs, gf] = [grads(stock), grads(fast)];
        const pairs: [string, tf.Tensor, tf.Tensor][] = [['forward', stock(x, gamma, beta), fast(x, gamma, beta)]];
        ['dx', 'dgamma', 'dbeta'].forEach((n, i) => pairs.push([n, gs[i] as tf.Tensor, gf[i] as tf.Tensor]));
        return firstMismatch(pairs, 1e-4);
      });
    } finally {
      undo();
    }
  },
  install() {
    const unregister = register();
    const unpatchMoments = patchCoreOp<Moments>('moments', (stock) => (x, axis, keepDims) => {
      const result = stock(x, axis, keepDims);
      if (tapeIsRecording() && x instanceof tf.Tensor && x.rank === 4 && x.dtype === 'float32' && !keepDims && isNhw(axis)) {
        momentsOf.set(result.mean, x);
      }
      return result;
    });
    const unpatchNorm = patchCoreOp<BatchNorm4d>('batchNorm4d', (stock) => (x, mean, variance, offset, scale, epsilon) => {
      const fits =
        tapeIsRecording() && mean instanceof tf.Tensor && momentsOf.get(mean) === x && offset instanceof tf.Tensor && scale instanceof tf.Tensor;
      if (!fits) return stock(x, mean, variance, offset, scale, epsilon);
      return fusedBatchNorm(x as tf.Tensor, scale as tf.Tensor, offset as tf.Tensor, epsilon ?? 1e-3) as tf.Tensor4D;
    });
    return () => {
      unpatchNorm();
      unpatchMoments();
      unregister();
    };
  },
};
