// Stock tfjs-node side of bench/train-throughput: the same seed-004 architecture written with plain
// tf.layers and no cxrlab import, so none of cxrlab's settings apply (TensorFlow's own defaults).
import * as tf from '@tensorflow/tfjs-node';
import { readBatch, serveSteps, workerArgs } from '../lib/step-loop';

function seed004(size: number): tf.Sequential {
  const model = tf.sequential();
  [32, 64, 64].forEach((filters, i) => {
    model.add(tf.layers.conv2d({ filters, kernelSize: 3, activation: 'relu', ...(i === 0 ? { inputShape: [size, size, 3] } : {}) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

async function main(): Promise<void> {
  const args = workerArgs();
  const { x, y } = readBatch(args);
  const xs = tf.tensor4d(x, [args.batch, args.size, args.size, 3]);
  const ys = tf.tensor2d(y, [args.batch, 3]);
  const model = seed004(args.size);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const step = async () => ((await model.trainOnBatch(xs, ys)) as number[])[0] as number;
  for (let i = 0; i < 3; i++) await step();
  await serveSteps({ onednn: process.env.TF_ENABLE_ONEDNN_OPTS ?? 'unset' }, step);
}

void main();
