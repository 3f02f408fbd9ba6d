// bench/train-profile: where a training step's time goes, per TensorFlow op, for a zoo model on
// cxrlab's path (or stock with CXRLAB_FAST_PATH=0). Times every native op call through the binding
// (eager CPU ops are synchronous, so wall time per call is op time) and the JS time between them,
// and splits the step into forward, backward, optimizer and the rest (input checks, metrics).
// usage: npm run bench:profile -- [--model seed-004] [--batch 32] [--size 150] [--steps 10]
import { parseArgs } from 'node:util';
import { buildModel, compileForClassification, describeFastPath, enableFastPath, tf } from '../../src';
import { STEP_OPTIONS, randomBatch } from './step-setup';

type Execute = (name: string, ...rest: unknown[]) => unknown;
interface NativeBackend {
  executeSingleOutput: Execute;
  executeMultipleOutputs: Execute;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...STEP_OPTIONS,
      steps: { type: 'string', default: '10' },
    },
  });
  const batch = Number(values.batch);
  const size = Number(values.size);
  const steps = Number(values.steps);
  const fast = describeFastPath(enableFastPath());
  const { xs, ys } = randomBatch(batch, size);
  const model = buildModel(values.model, { inputSize: size, seed: 0 });
  const optimizer = compileForClassification(model, { optimizer: { name: 'adam', learningRate: 1e-3 } });
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
  const restore = [timed('executeSingleOutput'), timed('executeMultipleOutputs'), ...trackPhases(optimizer)];
  const t0 = performance.now();
  phases.since = t0;
  for (let i = 0; i < steps; i++) {
    await model.trainOnBatch(xs, ys);
  }
  const stepMs = (performance.now() - t0) / steps;
  phases.enter('other');
  for (const undo of restore) undo();

  const nativeMs = [...perOp.values()].reduce((a, e) => a + e.ms, 0) / steps;
  console.log(`train-profile: ${values.model} ${size}x${size}x3, batch ${batch}, ${steps} steps; fast path: ${fast}`);
  const calls = [...perOp.values()].reduce((a, e) => a + e.calls, 0) / steps;
  console.log(
    `step ${stepMs.toFixed(1)} ms (${((batch * 1000) / stepMs).toFixed(1)} img/s): native ops ${nativeMs.toFixed(1)} ms in ${calls.toFixed(0)} calls, JS and engine ${(stepMs - nativeMs).toFixed(1)} ms`,
  );
  const phaseLine = PHASES.map((p) => `${p} ${(phases.ms[p] / steps).toFixed(1)} ms (${((100 * phases.ms[p]) / steps / stepMs).toFixed(0)}%)`);
  console.log(`phases: ${phaseLine.join(', ')}`);
  console.log(`${'op'.padEnd(34)}${'calls/step'.padStart(11)}${'ms/step'.padStart(10)}${'share'.padStart(8)}`);
  for (const [name, e] of [...perOp].sort((a, b) => b[1].ms - a[1].ms)) {
    const ms = e.ms / steps;
    if (ms < 0.05 * stepMs / 10) continue;
    console.log(`${name.padEnd(34)}${(e.calls / steps).toFixed(0).padStart(11)}${ms.toFixed(1).padStart(10)}${`${((100 * ms) / stepMs).toFixed(1)}%`.padStart(8)}`);
  }
}

const PHASES = ['forward', 'backward', 'optimizer', 'other'] as const;
type Phase = (typeof PHASES)[number];

/** Wall time per phase of the step: the current phase is charged until the next enter(). */
const phases = {
  ms: { forward: 0, backward: 0, optimizer: 0, other: 0 } as Record<Phase, number>,
  current: 'other' as Phase,
  since: performance.now(),
  enter(next: Phase): Phase {
    const now = performance.now();
    this.ms[this.current] += now - this.since;
    const previous = this.current;
    this.current = next;
    this.since = now;
    return previous;
  },
};

/**
 * Marks the phases: the loss function inside engine.gradients() is the forward pass, the rest of
 * gradients() the backward pass, applyGradients() the optimizer. Returns the undo functions.
 */
function trackPhases(optimizer: tf.Optimizer): (() => void)[] {
  type Gradients = (f: () => tf.Tensor, ...rest: unknown[]) => unknown;
  const engine = tf.engine() as unknown as { gradients: Gradients };
  const gradients = engine.gradients;
  engine.gradients = function (f, ...rest) {
    const wrapped = () => {
      phases.enter('forward');
      const loss = f();
      phases.enter('backward');
      return loss;
    };
    const outer = phases.current;
    try {
      return gradients.call(this, wrapped, ...rest);
    } finally {
      phases.enter(outer);
    }
  };
  const apply = optimizer.applyGradients;
  optimizer.applyGradients = function (grads) {
    const outer = phases.enter('optimizer');
    try {
      apply.call(this, grads);
    } finally {
      phases.enter(outer);
    }
  };
  return [
    () => {
      engine.gradients = gradients;
    },
    () => {
      optimizer.applyGradients = apply;
    },
  ];
}

void main();
