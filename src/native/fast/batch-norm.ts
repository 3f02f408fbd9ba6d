// Batch normalisation in training as TensorFlow's fused kernels: one FusedBatchNormV3 computes the
// batch statistics and the normalised output, one FusedBatchNormGradV3 the input, scale and offset
// gradients. tfjs-layers trains BN as moments() (a mean, a squared difference and another mean over
// the whole activation: 4× the fused kernel's time) then batchNorm4d(), whose gradient is a chain of
// dozens of small ops through the batch statistics. The replacement sits at the layer
// (BatchNormalization.call in training) and updates the moving mean and variance exactly as the
// layer does, from the kernel's batch mean and biased variance. Inference and other layouts keep the
// stock layer. The kernel's reserve outputs (batch mean, biased variance) are TensorFlow's CPU
// layout: the self-test checks them against moments().
import { runOpMulti, type OpAttr } from '../exec';
import { tf } from '../tf';
import { type FastOp, firstMismatch, inTensorScope } from './fast-op';
import { tapeIsRecording } from './patch-core';

const KERNEL = '_CxrlabBatchNormTrain';

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
      // y, then the reserve spaces the gradient op reads: the batch mean, the biased batch variance
      // and a scratch one. The op's own variance output is Bessel-corrected; tfjs-layers and Keras
      // update the moving variance with the biased one.
      const [y, batchMean, besselVariance, mean, variance, scratch] = outs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      tf.dispose([batchMean, besselVariance]);
      return [y, mean, variance, scratch];
    },
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true, true],
    gradFunc: (dy, saved, a) => {
      const [x, scale, mean, variance, scratch] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dyy = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
      const [dx, dScale, dOffset, r4, r5] = runOpMulti(
        'FusedBatchNormGradV3',
        attrs((a as unknown as { epsilon: number }).epsilon),
        [dyy, x, scale, mean, variance, scratch],
        5,
      ) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      tf.dispose([r4, r5]);
      return { x: () => dx, scale: () => dScale, offset: () => dOffset };
    },
  });
  return () => tf.unregisterKernel(KERNEL, 'tensorflow');
}

/** The normalised batch and the batch statistics (mean, biased variance) over N, H and W. */
function fusedBatchNorm(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const [y, mean, variance, scratch] = tf.engine().runKernel(KERNEL, { x, scale, offset }, { epsilon }) as tf.Tensor[];
  scratch?.dispose();
  return { y: y as tf.Tensor, mean: mean as tf.Tensor, variance: variance as tf.Tensor };
}

/** What the replacement reads of a tfjs-layers BatchNormalization layer. */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): tf.Tensor };
  beta: { read(): tf.Tensor };
  movingMean: { read(): tf.Tensor; write(v: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(v: tf.Tensor): void };
}
type LayerCall = (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** The layer's own moving-average update: v ← v − (v − value)(1 − momentum). */
function movingAverage(variable: BatchNormLayer['movingMean'], value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(current.sub(current.sub(value).mul(1 - momentum)));
  });
}

/** A training call the fused kernels cover: NHWC float32, normalising the last axis, with scale and offset. */
function eligible(layer: BatchNormLayer, x: tf.Tensor): boolean {
  return x.rank === 4 && x.dtype === 'float32' && (layer.axis === -1 || layer.axis === 3) && layer.center && layer.scale;
}

function fastCall(stock: LayerCall): LayerCall {
  return function (this: BatchNormLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : inputs;
    if (kwargs?.training !== true || !tapeIsRecording() || !(x instanceof tf.Tensor) || !eligible(this, x)) {
      return stock.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = fusedBatchNorm(x, this.gamma.read(), this.beta.read(), this.epsilon);
      movingAverage(this.movingMean, mean, this.momentum);
      movingAverage(this.movingVariance, variance, this.momentum);
      return y;
    });
  };
}

/** tfjs-layers' BatchNormalization class, looked up where tfjs registers it for deserialisation. */
function layerPrototype(): { call: LayerCall } {
  const registry = (tf.serialization.SerializationMap.getMap() as unknown as { classNameMap: Record<string, [{ prototype: unknown }, unknown]> }).classNameMap;
  const layerClass = registry.BatchNormalization?.[0];
  if (!layerClass) throw new Error('tfjs-layers registers no BatchNormalization class');
  return layerClass.prototype as { call: LayerCall };
}

/** A layer's training output, input/scale/offset gradients and updated moving statistics, on whichever route is installed. */
function trainingStep(x: tf.Tensor4D, dy: tf.Tensor): tf.Tensor[] {
  const layer = tf.layers.batchNormalization({ momentum: 0.5, epsilon: 1e-3 });
  layer.build(x.shape);
  layer.setWeights([tf.tensor1d([0.5, 1.5, -1]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.2, 0.4, 0.6]), tf.tensor1d([1, 2, 3])]);
  const xv = tf.variable(x);
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable) as [tf.Variable, tf.Variable];
  const { value, grads } = tf.variableGrads(() => (layer.apply(xv, { training: true }) as tf.Tensor).mul(dy).sum() as tf.Scalar, [xv, gamma, beta]);
  const out = [value, grads[xv.name], grads[gamma.name], grads[beta.name], ...layer.getWeights().slice(2).map((w) => w.clone())] as tf.Tensor[];
  xv.dispose();
  tf.dispose(layer.weights.map((w) => w.read()));
  return out;
}

export const batchNormOp: FastOp = {
  name: 'batch-norm',
  selfTest() {
    const proto = layerPrototype();
    const stock = proto.call;
    const unregister = register();
    try {
      return inTensorScope(() => {
        const x = tf.randomNormal([4, 5, 6, 3], 2, 3, 'float32', 1) as tf.Tensor4D;
        const dy = tf.randomNormal([4, 5, 6, 3], 0, 1, 'float32', 2);
        const want = trainingStep(x, dy);
        proto.call = fastCall(stock);
        const got = trainingStep(x, dy);
        const names = ['loss', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance'];
        return firstMismatch(names.map((n, i) => [n, want[i] as tf.Tensor, got[i] as tf.Tensor]), 1e-4);
      });
    } finally {
      proto.call = stock;
      unregister();
    }
  },
  install() {
    const proto = layerPrototype();
    const stock = proto.call;
    const unregister = register();
    proto.call = fastCall(stock);
    return () => {
      proto.call = stock;
      unregister();
    };
  },
};
