// seed-000: six 3×3 convolutions (16, 16, 32, 32, 64, 64) with a max-pool after each pair, dense 64
// ReLU, dropout, softmax. As in seed-004, each ReLU that a pool follows runs after the pool (the same
// function, cheaper to train).
import { tf } from '../../native/tf';
import { seededDropout } from '../seeded-dropout';
import { type ModelOptions, resolveModelOptions, seededKernel } from './common';

export function seed000(options: ModelOptions = {}): tf.Sequential {
  const o = resolveModelOptions(options);
  const model = tf.sequential({ name: 'seed-000' });
  [16, 16, 32, 32, 64, 64].forEach((filters, i) => {
    const beforePool = i % 2 === 1;
    model.add(
      tf.layers.conv2d({
        name: `conv${i + 1}`,
        filters,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: seededKernel(o.seed, `conv${i + 1}`),
        ...(beforePool ? {} : { activation: 'relu' as const }),
        ...(i === 0 ? { inputShape: [o.inputSize, o.inputSize, o.channels] } : {}),
      }),
    );
    if (beforePool) {
      model.add(tf.layers.maxPooling2d({ name: `pool${(i + 1) / 2}`, poolSize: 2 }));
      model.add(tf.layers.activation({ name: `relu${i + 1}`, activation: 'relu' }));
    }
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'fc1', units: 64, activation: 'relu', kernelInitializer: seededKernel(o.seed, 'fc1') }));
  model.add(seededDropout({ name: 'dropout', rate: o.dropout, seed: o.seed }));
  model.add(tf.layers.dense({ name: 'logits', units: o.numClasses, activation: 'softmax', kernelInitializer: seededKernel(o.seed, 'logits') }));
  return model;
}
