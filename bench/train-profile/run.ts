// bench/train-profile: where a training step's time goes, per TensorFlow op, for a zoo model on
// cxrlab's path (or stock with CXRLAB_FAST_PATH=0). Times every native op call through the binding
// (eager CPU ops are synchronous, so wall time per call is op time) and the JS time between them.
// usage: npm run bench:profile -- [--model seed-004] [--batch 32] [--size 150] [--steps 10]
import { parseArgs } from 'node:util';
import { buildModel, compileForClassification, describeFastPath, enableFastPath, tf } from '../../src';

type Execute = (name: string, ...rest: unknown[]) => unknown;
interface NativeBackend {
  executeSingleOutput: Execute;
  executeMultipleOutputs: Execute;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'seed-004' },
      batch: { type: 'string', default: '32' },
      size: { type: 'string', default: '150' },
      steps: { type: 'string', default: '10' },
    },
  });
  const batch = Number(values.batch);
  const size = Number(values.size);
  const steps = Number(values.steps);
  const fast = describeFastPath(enableFastPath());
  const xs = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 3), 'int32'), 3).toFloat();
  const model = buildModel(values.model, { inputSize: size, seed: 0 });
  compileForClassification(model, { optimizer: { name: 'adam', learningRate: 1e-3 } });
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);

  const backend = tf.backend() as unknown as NativeBackend;
  const perOp = new Map<string, { calls: number; ms: number }>();
  const timed = (method: keyof NativeBackend): (() => void) => {
    const original = backend[method];
    backend[method] = (name, ...rest) => {
      const t0 = performance.now();
      const out = original.call(backend, name, ...rest);
      const entry = perOp.get(name) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += performance.now() - t0;
      perOp.set(name, entry);
      return out;
    };
    return () => {
      backend[method] = original;
    };
  };
  const restore = [timed('executeSingleOutput'), timed('executeMultipleOutputs')];
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  const stepMs = (performance.now() - t0) / steps;
  for (const undo of restore) undo();

  const nativeMs = [...perOp.values()].reduce((a, e) => a + e.ms, 0) / steps;
  console.log(`train-profile: ${values.model} ${size}x${size}x3, batch ${batch}, ${steps} steps; fast path: ${fast}`);
  console.log(`step ${stepMs.toFixed(1)} ms (${((batch * 1000) / stepMs).toFixed(1)} img/s): native ops ${nativeMs.toFixed(1)} ms, JS and engine ${(stepMs - nativeMs).toFixed(1)} ms`);
  console.log(`${'op'.padEnd(34)}${'calls/step'.padStart(11)}${'ms/step'.padStart(10)}${'share'.padStart(8)}`);
  for (const [name, e] of [...perOp].sort((a, b) => b[1].ms - a[1].ms)) {
    const ms = e.ms / steps;
    if (ms < 0.05 * stepMs / 10) continue;
    console.log(`${name.padEnd(34)}${(e.calls / steps).toFixed(0).padStart(11)}${ms.toFixed(1).padStart(10)}${`${((100 * ms) / stepMs).toFixed(1)}%`.padStart(8)}`);
  }
}

void main();
