// bench/train-profile/ablate.ts: what each fast-path op is worth. In one process, round by round and in
// rotating order, the same model trains one timed step with the whole fast path, with each op turned
// off in turn (CXRLAB_FAST_OFF), and with none of it (CXRLAB_FAST_PATH=0); each configuration's step
// time is divided by the full path's in the same round. Reports medians of those paired ratios.
// Last line: `fast_path_speedup=<step without any fast op ÷ fast-path step>` (both with cxrlab's oneDNN default).
// usage: npm run bench:ablate -- [--model seed-004] [--size 150] [--batch 32] [--rounds 8] [--ops adam,batch-norm]
import { parseArgs } from 'node:util';
import { buildModel, compileForClassification, disableFastPath, enableFastPath, tf } from '../../src';
import { median, quantile } from '../lib/stats';
import { STEP_OPTIONS, randomBatch } from './step-setup';

interface Config {
  label: string;
  env: { CXRLAB_FAST_PATH?: string; CXRLAB_FAST_OFF?: string };
}

/** Installs the fast path as `config` says (the optimizer made afterwards picks its route then). */
function apply(config: Config): void {
  disableFastPath();
  process.env.CXRLAB_FAST_PATH = config.env.CXRLAB_FAST_PATH ?? '1';
  process.env.CXRLAB_FAST_OFF = config.env.CXRLAB_FAST_OFF ?? '';
  enableFastPath();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...STEP_OPTIONS,
      rounds: { type: 'string', default: '8' },
      ops: { type: 'string' },
    },
  });
  const [batch, size, rounds] = [Number(values.batch), Number(values.size), Number(values.rounds)];
  const only = values.ops?.split(',').map((n) => n.trim());
  const names = enableFastPath()
    .map((op) => op.name)
    .filter((name) => !only || only.includes(name));
  const configs: Config[] = [
    { label: 'fast path', env: {} },
    ...names.map((name) => ({ label: `without ${name}`, env: { CXRLAB_FAST_OFF: name } })),
    { label: 'no fast ops (CXRLAB_FAST_PATH=0)', env: { CXRLAB_FAST_PATH: '0' } },
  ];
  const { xs, ys } = randomBatch(batch, size);
  const model = buildModel(values.model, { inputSize: size, seed: 0 });

  /** One timed step under `config`, after an untimed one (the new optimizer makes its state there). */
  const timedStep = async (config: Config): Promise<number> => {
    apply(config);
    const optimizer = compileForClassification(model, { optimizer: { name: 'adam', learningRate: 1e-4 } });
    await model.trainOnBatch(xs, ys);
    const t0 = performance.now();
    await model.trainOnBatch(xs, ys);
    const ms = performance.now() - t0;
    optimizer.dispose();
    return ms;
  };

  for (const config of configs) await timedStep(config); // warm-up: every route's kernels and allocations
  const ratios = configs.map(() => [] as number[]);
  const times = configs.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    const order = configs.map((_, i) => (i + round) % configs.length);
    const ms: number[] = [];
    for (const i of order) ms[i] = await timedStep(configs[i] as Config);
    ms.forEach((m, i) => {
      times[i]?.push(m);
      ratios[i]?.push(m / (ms[0] as number));
    });
  }
  apply(configs[0] as Config);

  console.log(`train-ablate: ${values.model} ${size}x${size}x3, batch ${batch}, Adam; ${rounds} rounds, one step per configuration per round`);
  console.log(`${'configuration'.padEnd(36)}${'step ms'.padStart(9)}${'× fast-path step (median [IQR])'.padStart(34)}`);
  configs.forEach((config, i) => {
    const r = ratios[i] as number[];
    const figure = `${median(r).toFixed(2)} [${quantile(r, 0.25).toFixed(2)}–${quantile(r, 0.75).toFixed(2)}]`;
    console.log(`${config.label.padEnd(36)}${median(times[i] as number[]).toFixed(1).padStart(9)}${figure.padStart(34)}`);
  });
  console.log(`fast_path_speedup=${median(ratios[configs.length - 1] as number[]).toFixed(2)}`);
  tf.dispose([xs, ys]);
  model.dispose();
}

void main();
