// bench/train-throughput: training throughput of zoo models, tfjs-node (cxrlab's default path, and
// stock) against Python Keras on the same CPU and the same random batch. All variants run as
// long-lived workers in lockstep: each round, every worker does one step, in rotating order, and
// ratios are paired within a round, so host noise hits every variant alike. Reports medians of the
// paired ratios. Last line: `ratio=<cxrlab img/s ÷ Keras-with-oneDNN img/s>` for the first model at
// the first batch size (seed-004 at 150², batch 32, by default).
//
// usage: npm run bench:train -- [--rounds 12] [--batches 32,16] [--models seed-004@150,resnet-small@224]
//                                [--out results.json]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng, buildModel } from '../../src';
import { trainingFlopsPerImage } from '../lib/flops';
import { describeMachine } from '../lib/machine';
import { quantile } from '../lib/stats';
import { BenchWorker, type WorkerSpec } from '../lib/worker';
import { matmulPeakGflops } from './matmul-peak';

const ROOT = resolve(__dirname, '..', '..');
const PYTHON = join(resolve(ROOT, process.env.CXRLAB_VENV ?? '.venv'), 'bin', 'python');
const ANCHOR = 'keras-onednn';
const CXRLAB = 'cxrlab';

interface Step {
  ms: number;
  loss: number;
}

interface Config {
  model: string;
  size: number;
}

function variants(dataDir: string, batch: number, { model, size }: Config): WorkerSpec[] {
  const args = [dataDir, String(batch), String(size), model];
  const tsx = (file: string) => ['--import', 'tsx', join(__dirname, file), ...args];
  const keras = [PYTHON, [join(__dirname, 'keras_worker.py'), ...args]] as const;
  const { TF_ENABLE_ONEDNN_OPTS: _unset, ...shipped } = process.env;
  return [
    { name: CXRLAB, command: process.execPath, args: tsx('tfjs-worker.ts') },
    { name: 'tfjs-shipped', command: process.execPath, args: tsx('tfjs-stock-worker.ts'), env: shipped, replaceEnv: true },
    { name: ANCHOR, command: keras[0], args: [...keras[1]], env: { TF_ENABLE_ONEDNN_OPTS: '1', TF_CPP_MIN_LOG_LEVEL: '2' } },
    { name: 'keras-shipped', command: keras[0], args: [...keras[1]], env: { ...shipped, TF_CPP_MIN_LOG_LEVEL: '2' }, replaceEnv: true },
  ];
}

interface Ready {
  onednn_active?: boolean;
}

/** Table labels; "as shipped" leaves TF_ENABLE_ONEDNN_OPTS unset, so TensorFlow decides per CPU. */
function label(name: string, ready: Ready): string {
  const onednn = ready.onednn_active === undefined ? '' : ready.onednn_active ? ', oneDNN on by default here' : ', oneDNN off by default here';
  const labels: Record<string, string> = {
    [CXRLAB]: 'cxrlab (tfjs-node with cxrlab defaults)',
    'tfjs-shipped': 'tfjs-node as shipped (stock tf.layers)',
    [ANCHOR]: 'Keras, TF_ENABLE_ONEDNN_OPTS=1 (the anchor)',
    'keras-shipped': `Keras as shipped${onednn}`,
  };
  return labels[name] ?? name;
}

/** One seeded random batch (images in [0, 1), one-hot labels), written where both languages read it. */
function writeBatch(dir: string, batch: number, size: number): void {
  const rng = new Rng(2024);
  const x = Float32Array.from({ length: batch * size * size * 3 }, () => rng.next());
  const y = new Float32Array(batch * 3);
  for (let i = 0; i < batch; i++) y[i * 3 + (i % 3)] = 1;
  writeFileSync(join(dir, 'x.f32'), x);
  writeFileSync(join(dir, 'y.f32'), y);
}

interface BatchResult {
  model: string;
  size: number;
  batch: number;
  rounds: number;
  labels: Record<string, string>;
  imagesPerSecond: Record<string, number>;
  peakRssMb: Record<string, number>;
  ratioVsAnchor: Record<string, { median: number; q1: number; q3: number }>;
}

async function benchBatch(dataDir: string, batch: number, config: Config, rounds: number): Promise<BatchResult> {
  const workers = variants(dataDir, batch, config).map((s) => new BenchWorker(s));
  try {
    // Start-up one at a time: TensorFlow's import and warm-up would otherwise fight for the two cores.
    const labels: Record<string, string> = {};
    for (const w of workers) labels[w.name] = label(w.name, await w.read<Ready>());
    const times: Record<string, number[]> = Object.fromEntries(workers.map((w) => [w.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < workers.length; k++) {
        const w = workers[(r + k) % workers.length] as BenchWorker;
        const step = await w.request<Step>('step');
        times[w.name]!.push(step.ms);
      }
    }
    const anchor = times[ANCHOR] as number[];
    const result: BatchResult = { ...config, batch, rounds, labels, imagesPerSecond: {}, peakRssMb: {}, ratioVsAnchor: {} };
    for (const w of workers) {
      const t = times[w.name] as number[];
      const ratios = t.map((ms, i) => (anchor[i] as number) / ms);
      result.imagesPerSecond[w.name] = (batch * 1000) / quantile(t, 0.5);
      result.peakRssMb[w.name] = w.peakRssMb();
      result.ratioVsAnchor[w.name] = { median: quantile(ratios, 0.5), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) };
    }
    return result;
  } finally {
    for (const w of workers) w.close();
  }
}

function printBatch(r: BatchResult, gflopPerImage: number, peakGflops: number): void {
  console.log(`\n${r.model} ${r.size}x${r.size}x3, batch ${r.batch} (${r.rounds} paired rounds; ${gflopPerImage.toFixed(2)} GFLOP per image per step)`);
  console.log(`  ${'variant'.padEnd(48)}${'img/s'.padStart(8)}${'GFLOP/s'.padStart(9)}${'of peak'.padStart(9)}${'peak RSS'.padStart(10)}   ratio vs Keras+oneDNN (median [IQR])`);
  for (const [name, ips] of Object.entries(r.imagesPerSecond)) {
    const q = r.ratioVsAnchor[name]!;
    const gflops = ips * gflopPerImage;
    console.log(
      `  ${(r.labels[name] ?? name).padEnd(48)}${ips.toFixed(1).padStart(8)}${gflops.toFixed(1).padStart(9)}${`${((100 * gflops) / peakGflops).toFixed(0)}%`.padStart(9)}` +
        `${`${(r.peakRssMb[name] ?? Number.NaN).toFixed(0)} MiB`.padStart(10)}   ${q.median.toFixed(2)} [${q.q1.toFixed(2)}-${q.q3.toFixed(2)}]`,
    );
  }
}

function parseConfigs(text: string): Config[] {
  return text.split(',').map((item) => {
    const [model, size] = item.split('@');
    if (!model || !size || !(Number(size) > 0)) throw new Error(`--models takes name@size items, e.g. seed-004@150. Received: ${item}`);
    return { model, size: Number(size) };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '12' },
      batches: { type: 'string', default: '32,16' },
      models: { type: 'string', default: 'seed-004@150,resnet-small@224' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results', 'train-throughput.json') },
    },
  });
  const rounds = Number(values.rounds);
  const batches = values.batches.split(',').map(Number);
  const configs = parseConfigs(values.models);
  console.log(`train-throughput: ${configs.map((c) => `${c.model} at ${c.size}x${c.size}x3`).join(', ')}; Adam, one fixed random batch`);
  console.log(`machine: ${describeMachine()}`);
  console.log(`method: 4 worker processes in lockstep, one step each per round in rotating order; ratios paired per round`);
  const peakGflops = matmulPeakGflops();
  console.log(`machine peak: ${peakGflops.toFixed(1)} GFLOP/s (best 2048x2048 float32 matmul on the native backend)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'cxrlab-bench-'));
  const results: BatchResult[] = [];
  try {
    for (const config of configs) {
      writeBatch(dataDir, Math.max(...batches), config.size);
      const model = buildModel(config.model, { inputSize: config.size });
      const gflopPerImage = trainingFlopsPerImage(model) / 1e9;
      model.dispose();
      for (const batch of batches) {
        const r = await benchBatch(dataDir, batch, config, rounds);
        printBatch(r, gflopPerImage, peakGflops);
        results.push(r);
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), machine: describeMachine(), peakGflops, results }, null, 2));
  console.log('');
  for (const r of results.slice(1)) console.log(`ratio_${r.model}_b${r.batch}=${r.ratioVsAnchor[CXRLAB]!.median.toFixed(2)}`);
  const head = results[0] as BatchResult;
  const ips = head.imagesPerSecond;
  console.log(`tfjs img/s=${ips[CXRLAB]!.toFixed(1)} keras img/s=${ips[ANCHOR]!.toFixed(1)} (${head.model}, batch ${head.batch}; Keras with oneDNN on)`);
  console.log(`ratio_vs_keras_as_shipped=${(head.ratioVsAnchor[CXRLAB]!.median / head.ratioVsAnchor['keras-shipped']!.median).toFixed(2)}`);
  console.log(`ratio=${head.ratioVsAnchor[CXRLAB]!.median.toFixed(2)}`);
}

void main();
