// mobilenet-small: a depthwise-separable (MobileNet v1 style) net with batch norm. Stem: 3×3 conv
// (stride 2) + BN + ReLU; then separable blocks (3×3 depthwise + BN + ReLU, 1×1 pointwise + BN + ReLU)
// at 64·w … 256·w filters, downsampling by stride 2; global average pooling, dropout, softmax.
import { tf } from '../../native/tf';
import { type ModelOptions, poolingHead, resolveModelOptions, seededKernel } from './common';

type Layer = tf.SymbolicTensor;

const BLOCKS: readonly [filters: number, strides: number][] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [256, 2],
];

export function mobilenetSmall(options: ModelOptions = {}): tf.LayersModel {
  const o = resolveModelOptions(options);
  const bnRelu = (x: Layer, name: string): Layer => {
    const y = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.99, epsilon: 1e-3 }).apply(x) as Layer;
    return tf.layers.activation({ name: `${name}_relu`, activation: 'relu' }).apply(y) as Layer;
  };
  const input = tf.input({ shape: [o.inputSize, o.inputSize, o.channels], name: 'image' });
  let x = tf.layers
    .conv2d({ name: 'stem', filters: 32 * o.width, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: seededKernel(o.seed, 'stem') })
    .apply(input) as Layer;
  x = bnRelu(x, 'stem');
  BLOCKS.forEach(([filters, strides], i) => {
    const name = `b${i + 1}`;
    x = tf.layers
      .depthwiseConv2d({ name: `${name}_dw`, kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: seededKernel(o.seed, `${name}_dw`) })
      .apply(x) as Layer;
    x = bnRelu(x, `${name}_dw`);
    x = tf.layers
      .conv2d({ name: `${name}_pw`, filters: filters * o.width, kernelSize: 1, useBias: false, kernelInitializer: seededKernel(o.seed, `${name}_pw`) })
      .apply(x) as Layer;
    x = bnRelu(x, `${name}_pw`);
  });
  const output = poolingHead(x, o);
  return tf.model({ name: 'mobilenet-small', inputs: input, outputs: output });
}
