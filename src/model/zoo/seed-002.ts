// seed-002: the smallest baseline. Two 3×3 conv32 blocks, each followed by a max-pool (ReLU after the
// pool: the same function), dense 64 ReLU, dropout, softmax.
import { tf } from '../../native/tf';
import { seededDropout } from '../seeded-dropout';
import { type ModelOptions, resolveModelOptions, seededKernel } from './common';

export function seed002(options: ModelOptions = {}): tf.Sequential {
  const o = resolveModelOptions(options);
  const model = tf.sequential({ name: 'seed-002' });
  for (const i of [1, 2]) {
    model.add(
      tf.layers.conv2d({
        name: `conv${i}`,
        filters: 32,
        kernelSize: 3,
        kernelInitializer: seededKernel(o.seed, `conv${i}`),
        ...(i === 1 ? { inputShape: [o.inputSize, o.inputSize, o.channels] } : {}),
      }),
    );
    model.add(tf.layers.maxPooling2d({ name: `pool${i}`, poolSize: 2 }));
    model.add(tf.layers.activation({ name: `relu${i}`, activation: 'relu' }));
  }
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'fc1', units: 64, activation: 'relu', kernelInitializer: seededKernel(o.seed, 'fc1') }));
  model.add(seededDropout({ name: 'dropout', rate: o.dropout, seed: o.seed }));
  model.add(tf.layers.dense({ name: 'logits', units: o.numClasses, activation: 'softmax', kernelInitializer: seededKernel(o.seed, 'logits') }));
  return model;
}
