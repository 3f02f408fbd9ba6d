// Stock tfjs-node side of bench/train-throughput: the models written with plain tf.layers, as a
// tfjs user would write them, and no cxrlab import, so none of cxrlab's settings apply (TensorFlow's
// own defaults, tfjs' own gradients).
import * as tf from '@tensorflow/tfjs-node';
import { readBatch, serveSteps, workerArgs } from '../lib/step-loop';

function seed004(size: number): tf.LayersModel {
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

function resnetSmall(size: number): tf.LayersModel {
  type T = tf.SymbolicTensor;
  const conv = (x: T, filters: number, kernelSize: number, strides: number) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as T;
  const bn = (x: T) => tf.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3 }).apply(x) as T;
  const relu = (x: T) => tf.layers.reLU().apply(x) as T;
  const block = (x: T, filters: number, strides: number): T => {
    const y = bn(conv(relu(bn(conv(x, filters, 3, strides))), filters, 3, 1));
    const shortcut = strides !== 1 || x.shape[3] !== filters ? bn(conv(x, filters, 1, strides)) : x;
    return relu(tf.layers.add().apply([y, shortcut]) as T);
  };
  const input = tf.input({ shape: [size, size, 3] });
  let x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(relu(bn(conv(input, 32, 3, 2)))) as T;
  [32, 64, 128].forEach((filters, stage) => {
    x = block(block(x, filters, stage === 0 ? 1 : 2), filters, 1);
  });
  x = tf.layers.dropout({ rate: 0.5 }).apply(tf.layers.globalAveragePooling2d({}).apply(x)) as T;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(x) as T });
}

const MODELS: Record<string, (size: number) => tf.LayersModel> = { 'seed-004': seed004, 'resnet-small': resnetSmall };

async function main(): Promise<void> {
  const args = workerArgs();
  const build = MODELS[args.model];
  if (!build) throw new Error(`no stock definition of ${args.model}`);
  const { x, y } = readBatch(args);
  const xs = tf.tensor4d(x, [args.batch, args.size, args.size, 3]);
  const ys = tf.tensor2d(y, [args.batch, 3]);
  const model = build(args.size);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const step = async () => ((await model.trainOnBatch(xs, ys)) as number[])[0] as number;
  for (let i = 0; i < 3; i++) await step();
  await serveSteps({ onednn: process.env.TF_ENABLE_ONEDNN_OPTS ?? 'unset' }, step);
}

void main();
