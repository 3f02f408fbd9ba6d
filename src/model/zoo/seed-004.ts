// seed-004: the reference Keras-tutorial CNN. conv32-pool, conv64-pool, conv64-pool, dense 64 ReLU,
// dropout, softmax. 150×150×3 by default (1.2 M parameters). Each ReLU runs after its max-pool:
// relu(maxpool(z)) = maxpool(relu(z)) (ReLU is monotonic), so it is the same function, weights and
// gradients as Keras' conv(activation='relu') → pool, with ReLU and its gradient on 4× fewer values.
import { tf } from '../../native/tf';
import { seededDropout } from '../seeded-dropout';
import { type ModelOptions, resolveModelOptions, seededKernel } from './common';

export function seed004(options: ModelOptions = {}): tf.Sequential {
  const o = resolveModelOptions(options);
  const model = tf.sequential({ name: 'seed-004' });
  const filters = [32, 64, 64];
  filters.forEach((f, i) => {
    model.add(
      tf.layers.conv2d({
        name: `conv${i + 1}`,
        filters: f,
        kernelSize: 3,
        kernelInitializer: seededKernel(o.seed, `conv${i + 1}`),
        ...(i === 0 ? { inputShape: [o.inputSize, o.inputSize, o.channels] } : {}),
      }),
    );
    model.add(tf.layers.maxPooling2d({ name: `pool${i + 1}`, poolSize: 2 }));
    model.add(tf.layers.activation({ name: `relu${i + 1}`, activation: 'relu' }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'fc1', units: 64, activation: 'relu', kernelInitializer: seededKernel(o.seed, 'fc1') }));
  model.add(seededDropout({ name: 'dropout', rate: o.dropout, seed: o.seed }));
  model.add(
    tf.layers.dense({ name: 'logits', units: o.numClasses, activation: 'softmax', kernelInitializer: seededKernel(o.seed, 'logits') }),
  );
  return model;
}
