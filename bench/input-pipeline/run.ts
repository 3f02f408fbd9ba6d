// bench/input-pipeline: images/s of feeding training — decode, resize, augment, batch — over a real
// class-folder dataset (cxr-dev by default), cxrlab's streamed pipeline (cold: decoding every epoch;
// cached: through the decoded-image cache, filled in epoch 1) against Keras' ImageDataGenerator
// (flow_from_directory) and tf.data, in the same run. Each variant runs `--epochs` epochs in its own
// process (peak RSS is that process's); the variants take turns, `--repeats` times. With --train each
// pipeline feeds the seed-004 CNN's training (cxrlab's fit on its fast path; Keras' model.fit): the
// end-to-end epoch time a user sees. Each size in --sizes is measured in turn; the last line's ratio is
// the first size's (150² by default). Resident memory after each epoch shows whether it stays flat.
// usage: npm run bench:input -- [--train] [--data <dir>] [--sizes 150,224] [--batch 32] [--epochs 5] [--repeats 2] [--no-python]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from '../lib/machine';
import { median } from '../lib/stats';

const ROOT = join(__dirname, '..', '..');
const PIPELINE = ['cxrlab-cold', 'cxrlab-cached', 'keras-idg', 'tf.data'] as const;
const TRAINING = ['cxrlab-cached-train', 'keras-idg-train', 'tf.data-train'] as const;
type Variant = (typeof PIPELINE)[number] | (typeof TRAINING)[number];

/** The worker's own name for a variant. */
const WORKER_VARIANT: Record<Variant, string> = {
  'cxrlab-cold': 'cold',
  'cxrlab-cached': 'cached',
  'cxrlab-cached-train': 'cached-train',
  'keras-idg': 'idg',
  'tf.data': 'tfdata',
  'keras-idg-train': 'idg-train',
  'tf.data-train': 'tfdata-train',
};

interface Result {
  images: number;
  epochs: number[];
  rssMiB: number;
  /** Resident MiB after each epoch (cxrlab's workers). */
  epochRssMiB?: number[];
}

function runVariant(variant: Variant, o: { data: string; size: string; batch: string; epochs: string }): Result {
  const common = [o.data, o.size, o.batch, o.epochs];
  let cache: string | undefined;
  if (variant.startsWith('cxrlab-cached')) cache = mkdtempSync(join(tmpdir(), 'cxrlab-bench-cache-'));
  const [cmd, args] = variant.startsWith('cxrlab')
    ? [process.execPath, ['--import', 'tsx', join(__dirname, 'cxrlab-worker.ts'), WORKER_VARIANT[variant], ...common, ...(cache ? [cache] : [])]]
    : [join(ROOT, process.env.CXRLAB_VENV ?? '.venv', 'bin', 'python'), [join(__dirname, 'keras_pipeline.py'), WORKER_VARIANT[variant], ...common]];
  try {
    // Keras at its best, as in bench:train: oneDNN on (TensorFlow leaves it off on CPUs without AVX-512).
    const env = variant.startsWith('cxrlab') ? process.env : { ...process.env, TF_ENABLE_ONEDNN_OPTS: '1', TF_CPP_MIN_LOG_LEVEL: '2' };
    const res = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
    if (res.status !== 0 || !line) throw new Error(`${variant} failed (exit ${res.status}):\n${res.stderr.slice(-3000)}`);
    return JSON.parse(line) as Result;
  } finally {
    if (cache) rmSync(cache, { recursive: true, force: true });
  }
}

interface BenchOptions {
  data: string;
  batch: string;
  epochs: string;
  repeats: number;
  variants: Variant[];
}

/** Every variant at one size, in turns; the per-variant medians as a table. Returns the runs by variant. */
function measureSize(size: string, o: BenchOptions): Record<string, Result[]> {
  const runs: Record<string, Result[]> = {};
  console.log(`\n${size}x${size}x3:`);
  for (let r = 0; r < o.repeats; r++) {
    for (let k = 0; k < o.variants.length; k++) {
      const v = o.variants[(k + r) % o.variants.length] as Variant;
      const result = runVariant(v, { data: o.data, size, batch: o.batch, epochs: o.epochs });
      (runs[v] ??= []).push(result);
      const rss = result.epochRssMiB ? `, RSS after each epoch ${result.epochRssMiB.map((x) => x.toFixed(0)).join(' ')} MiB` : '';
      console.log(`  repeat ${r + 1} ${v.padEnd(20)} ${result.epochs.map((x) => x.toFixed(0)).join(' ')} img/s, peak RSS ${result.rssMiB.toFixed(0)} MiB${rss}`);
    }
  }
  console.log(`\n${'variant'.padEnd(22)}${'epoch 1'.padStart(10)}${'epochs 2+'.padStart(11)}${'peak RSS'.padStart(11)}   img/s (median), ${size}²`);
  for (const v of o.variants) {
    const list = runs[v] ?? [];
    const first = median(list.map((x) => x.epochs[0] as number));
    const later = median(list.map((_, r) => steady(runs, v, r)));
    console.log(`${v.padEnd(22)}${first.toFixed(0).padStart(10)}${later.toFixed(0).padStart(11)}${`${Math.max(...list.map((x) => x.rssMiB)).toFixed(0)} MiB`.padStart(11)}`);
  }
  return runs;
}

function steady(runs: Record<string, Result[]>, v: Variant, r: number): number {
  return median((runs[v]?.[r]?.epochs ?? []).slice(1));
}

/** Median over repeats of a's steady img/s ÷ b's in the same repeat. */
function paired(runs: Record<string, Result[]>, a: Variant, b: Variant): number {
  return median((runs[a] ?? []).map((_, r) => steady(runs, a, r) / steady(runs, b, r)));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: process.env.CXRLAB_DATA ?? join(ROOT, '..', 'shared', 'data', 'cxr-dev') },
      sizes: { type: 'string', default: '150,224' },
      batch: { type: 'string', default: '32' },
      epochs: { type: 'string', default: '5' },
      repeats: { type: 'string', default: '2' },
      'no-python': { type: 'boolean', default: false },
      train: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map((x) => x.trim());
  if (sizes.some((x) => !/^[1-9]\d*$/.test(x))) throw new Error(`--sizes: expected comma-separated image sizes in pixels such as 150,224; received ${values.sizes}`);
  if (Number(values.epochs) < 2) throw new Error('--epochs must be at least 2 (epoch 1 fills the cache; the later ones are the steady state)');
  const o: BenchOptions = {
    data: resolve(values.data),
    batch: values.batch,
    epochs: values.epochs,
    repeats: Number(values.repeats),
    variants: (values.train ? TRAINING : PIPELINE).filter((v) => !values['no-python'] || v.startsWith('cxrlab')),
  };
  console.log(`input-pipeline${values.train ? ' feeding seed-004 training' : ''}: ${o.data}, sizes ${sizes.join(', ')}, batch ${o.batch}, ${o.epochs} epochs x ${o.repeats} repeats; ${describeMachine()}`);
  const bySize = sizes.map((size) => ({ size, runs: measureSize(size, o) }));
  if (values['no-python']) return;
  console.log('');
  for (const { size, runs } of bySize) {
    if (values.train) console.log(`${size}²: cxrlab end to end ÷ Keras + ImageDataGenerator ${paired(runs, 'cxrlab-cached-train', 'keras-idg-train').toFixed(2)}, ÷ Keras + tf.data ${paired(runs, 'cxrlab-cached-train', 'tf.data-train').toFixed(2)}`);
    else console.log(`${size}²: cxrlab cached ÷ ImageDataGenerator ${paired(runs, 'cxrlab-cached', 'keras-idg').toFixed(2)}, cold ÷ ImageDataGenerator ${paired(runs, 'cxrlab-cold', 'keras-idg').toFixed(2)}, cached ÷ tf.data ${paired(runs, 'cxrlab-cached', 'tf.data').toFixed(2)}`);
  }
  console.log('(epochs 2+, median of per-repeat ratios)');
  const first = bySize[0]?.runs ?? {};
  console.log(`ratio=${(values.train ? paired(first, 'cxrlab-cached-train', 'keras-idg-train') : paired(first, 'cxrlab-cached', 'keras-idg')).toFixed(2)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
