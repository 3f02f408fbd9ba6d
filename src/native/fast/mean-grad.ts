// The gradient of a mean (global average pooling, losses) as one native broadcast of dy / n.
// tfjs-core multiplies the reshaped dy by a tensor of ones of the input's shape, which tfjs-node fills
// in JavaScript and copies into TensorFlow (the pooled feature map's full size on every step).
import { tf } from '../tf';
import { type FastOp, firstMismatch, inTensorScope } from './fast-op';

function meanGrad(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
  return tf.tidy(() => tf.broadcastTo(dy.reshape(expanded).div(count), x.shape));
}

export const meanGradOp: FastOp = {
  name: 'mean-grad',
  selfTest() {
    return inTensorScope(() => {
      const x = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 7);
      const pairs: [string, tf.Tensor, tf.Tensor][] = [];
      for (const [axis, keepDims] of [[[1, 2], false], [[1, 2], true], [-1, false], [[0, 1, 2, 3], false]] as const) {
        const f = (t: tf.Tensor) => tf.mean(t, axis as number | number[], keepDims);
        const dy = tf.randomNormal(f(x).shape, 0, 1, 'float32', 8);
        const stock = tf.grad((t: tf.Tensor) => f(t).mul(dy).sum())(x);
        const native = meanGrad(dy, x, axis as number | number[]);
        pairs.push([`mean over ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''}`, stock, native]);
      }
      return firstMismatch(pairs, 1e-6);
    });
  },
  install() {
    const stock = tf.getGradient('Mean');
    tf.registerGradient({
      kernelName: 'Mean',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => ({ x: () => meanGrad(dy as tf.Tensor, saved[0] as tf.Tensor, (attrs as { axis: number | number[] }).axis) }),
    });
    return () => tf.registerGradient(stock);
  },
};
