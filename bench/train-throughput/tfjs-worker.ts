// cxrlab side of bench/train-throughput: a zoo model, compiled and trained the way
// cxrlab trains (its native-backend defaults included), one trainOnBatch per step.
import { backendInfo, buildModel, compileForClassification, describeFastPath, enableFastPath, tf } from '../../src';
import { readBatch, serveSteps, workerArgs } from '../lib/step-loop';

async function main(): Promise<void> {
  const args = workerArgs();
  const { x, y } = readBatch(args);
  const xs = tf.tensor4d(x, [args.batch, args.size, args.size, 3]);
  const ys = tf.tensor2d(y, [args.batch, 3]);
  const fastPath = describeFastPath(enableFastPath()); // as `cxrlab train` does
  const model = buildModel(args.model, { inputSize: args.size, seed: 0 });
  compileForClassification(model, { optimizer: { name: 'adam', learningRate: 1e-3 } });
  const step = async () => ((await model.trainOnBatch(xs, ys)) as number[])[0] as number;
  for (let i = 0; i < 3; i++) await step();
  await serveSteps({ ...backendInfo(), fastPath }, step);
}

void main();
