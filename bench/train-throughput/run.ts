// bench/train-throughput: training throughput of the seed-004 CNN, tfjs-node (cxrlab's default path,
// and stock) against Python Keras on the same CPU and the same random batch. All variants run as
// long-lived workers in lockstep: each round, every worker does one step, in rotating order, and
// ratios are paired within a round, so host noise hits every variant alike. Reports medians of the
// paired ratios. Last line: `ratio=<cxrlab img/s ÷ Keras-with-oneDNN img/s>` at the first batch size.
//
// usage: npm run bench:train -- [--rounds 15] [--batches 32,16] [--size 150] [--out results.json]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../../src';
import { describeMachine } from '../lib/machine';
import { quantile } from '../lib/stats';
import { BenchWorker, type WorkerSpec } from '../lib/worker';

const ROOT = resolve(__dirname, '..', '..');
const PYTHON = join(resolve(ROOT, process.env.CXRLAB_VENV ?? '.venv'), 'bin', 'python');
const ANCHOR = 'keras-onednn';
const CXRLAB = 'cxrlab';

interface Step {
  ms: number;
  loss: number;
}

function variants(dataDir: string, batch: number, size: number): WorkerSpec[] {
  const args = [dataDir, String(batch), String(size)];
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
  batch: number;
  rounds: number;
  labels: Record<string, string>;
  imagesPerSecond: Record<string, number>;
  ratioVsAnchor: Record<string, { median: number; q1: number; q3: number }>;
}

async function benchBatch(dataDir: string, batch: number, size: number, rounds: number): Promise<BatchResult> {
  const workers = variants(dataDir, batch, size).map((s) => new BenchWorker(s));
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
    const result: BatchResult = { batch, rounds, labels, imagesPerSecond: {}, ratioVsAnchor: {} };
    for (const w of workers) {
      const t = times[w.name] as number[];
      const ratios = t.map((ms, i) => (anchor[i] as number) / ms);
      result.imagesPerSecond[w.name] = (batch * 1000) / quantile(t, 0.5);
      result.ratioVsAnchor[w.name] = { median: quantile(ratios, 0.5), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) };
    }
    return result;
  } finally {
    for (const w of workers) w.close();
  }
}

function printBatch(r: BatchResult): void {
  console.log(`\nbatch ${r.batch} (${r.rounds} paired rounds)`);
  console.log(`  ${'variant'.padEnd(48)}${'img/s'.padStart(8)}   ratio vs Keras+oneDNN (median [IQR])`);
  for (const [name, ips] of Object.entries(r.imagesPerSecond)) {
    const q = r.ratioVsAnchor[name]!;
    console.log(`  ${(r.labels[name] ?? name).padEnd(48)}${ips.toFixed(1).padStart(8)}   ${q.median.toFixed(2)} [${q.q1.toFixed(2)}-${q.q3.toFixed(2)}]`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '15' },
      batches: { type: 'string', default: '32,16' },
      size: { type: 'string', default: '150' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results', 'train-throughput.json') },
    },
  });
  const rounds = Number(values.rounds);
  const batches = values.batches.split(',').map(Number);
  const size = Number(values.size);
  console.log(`train-throughput: seed-004 CNN ${size}x${size}x3, Adam, categorical cross-entropy, one fixed random batch`);
  console.log(`machine: ${describeMachine()}`);
  console.log(`method: 4 worker processes in lockstep, one step each per round in rotating order; ratios paired per round`);
  const dataDir = mkdtempSync(join(tmpdir(), 'cxrlab-bench-'));
  const results: BatchResult[] = [];
  try {
    writeBatch(dataDir, Math.max(...batches), size);
    for (const batch of batches) {
      const r = await benchBatch(dataDir, batch, size, rounds);
      printBatch(r);
      results.push(r);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), machine: describeMachine(), size, results }, null, 2));
  const head = results[0] as BatchResult;
  const ips = head.imagesPerSecond;
  console.log(`\ntfjs img/s=${ips[CXRLAB]!.toFixed(1)} keras img/s=${ips[ANCHOR]!.toFixed(1)} (batch ${head.batch}; Keras with oneDNN on)`);
  console.log(`ratio_vs_keras_as_shipped=${(head.ratioVsAnchor[CXRLAB]!.median / head.ratioVsAnchor['keras-shipped']!.median).toFixed(2)}`);
  console.log(`ratio=${head.ratioVsAnchor[CXRLAB]!.median.toFixed(2)}`);
}

void main();
