// The ReLU gradient as TensorFlow's native ReluGrad kernel. tfjs-core computes it as
// dy * step(x), where tfjs-node's Step is five ops plus a JS-filled tensor of ones on every full-size
// activation: the largest single cost of a training step. Same values, one native op.
import { runOp } from '../exec';
import { tf } from '../tf';
import { type FastOp, inTensorScope } from './fast-op';

function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return runOp('ReluGrad', [{ name: 'T', type: x.dtype }], [dy, x]);
}

export const reluGradOp: FastOp = {
  name: 'relu-grad',
  selfTest() {
    return inTensorScope(() => {
      const x = tf.tensor([-2, -0.5, 0, 0.5, 3], [5]);
      const dy = tf.tensor([1, 2, 3, 4, 5], [5]);
      const native = reluGrad(dy, x).arraySync();
      const stock = dy.mul(tf.step(x)).arraySync();
      return JSON.stringify(native) === JSON.stringify(stock) ? null : `ReluGrad gave ${JSON.stringify(native)}, expected ${JSON.stringify(stock)}`;
    });
  },
  install() {
    const stock = tf.getGradient('Relu');
    tf.registerGradient({
      kernelName: 'Relu',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({ x: () => reluGrad(dy as tf.Tensor, saved[0] as tf.Tensor) }),
    });
    return () => tf.registerGradient(stock);
  },
};
