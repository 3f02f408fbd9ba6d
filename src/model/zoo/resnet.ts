// resnet-small: a residual net with batch norm for 3-class X-rays. Stem: 3×3 conv (stride 2) + BN +
// ReLU + max-pool; three stages of two basic blocks (conv-BN-ReLU-conv-BN + shortcut, 1×1 conv + BN
// when the shape changes) at 32·w, 64·w, 128·w filters; global average pooling, dropout, softmax.
import { tf } from '../../native/tf';
import { type ModelOptions, poolingHead, resolveModelOptions, seededKernel } from './common';

type Layer = tf.SymbolicTensor;

export function resnetSmall(options: ModelOptions = {}): tf.LayersModel {
  const o = resolveModelOptions(options);
  const conv = (x: Layer, name: string, filters: number, kernelSize: number, strides: number): Layer =>
    tf.layers
      .conv2d({ name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: seededKernel(o.seed, name) })
      .apply(x) as Layer;
  const bn = (x: Layer, name: string): Layer => tf.layers.batchNormalization({ name, momentum: 0.99, epsilon: 1e-3 }).apply(x) as Layer;
  const relu = (x: Layer, name: string): Layer => tf.layers.activation({ name, activation: 'relu' }).apply(x) as Layer;

  const block = (x: Layer, name: string, filters: number, strides: number): Layer => {
    let y = relu(bn(conv(x, `${name}_conv1`, filters, 3, strides), `${name}_bn1`), `${name}_relu1`);
    y = bn(conv(y, `${name}_conv2`, filters, 3, 1), `${name}_bn2`);
    const inChannels = x.shape[3] as number;
    const shortcut = strides !== 1 || inChannels !== filters ? bn(conv(x, `${name}_proj`, filters, 1, strides), `${name}_proj_bn`) : x;
    return relu(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as Layer, `${name}_out`);
  };

  const width = o.width;
  const input = tf.input({ shape: [o.inputSize, o.inputSize, o.channels], name: 'image' });
  let x = relu(bn(conv(input, 'stem_conv', 32 * width, 3, 2), 'stem_bn'), 'stem_relu');
  x = tf.layers.maxPooling2d({ name: 'stem_pool', poolSize: 2 }).apply(x) as Layer;
  [32, 64, 128].forEach((filters, stage) => {
    x = block(x, `s${stage + 1}b1`, filters * width, stage === 0 ? 1 : 2);
    x = block(x, `s${stage + 1}b2`, filters * width, 1);
  });
  const output = poolingHead(x, o);
  return tf.model({ name: 'resnet-small', inputs: input, outputs: output });
}
