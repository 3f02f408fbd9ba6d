// bench/input-pipeline: images/s of feeding training — decode, resize, augment, batch — over a real
// class-folder dataset (cxr-dev by default), cxrlab's streamed pipeline (cold: decoding every epoch;
// cached: through the decoded-image cache, filled in epoch 1) against Keras' ImageDataGenerator
// (flow_from_directory) and tf.data, in the same run. Each variant runs `--epochs` epochs in its own
// process (peak RSS is that process's); the variants take turns, `--repeats` times. With --train each
// pipeline feeds the seed-004 CNN's training (cxrlab's fit on its fast path; Keras' model.fit): the
// end-to-end epoch time a user sees.
// usage: npm run bench:input -- [--train] [--data <dir>] [--size 150] [--batch 32] [--epochs 5] [--repeats 2] [--no-python]
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
}

function runVariant(variant: Variant, o: { data: string; size: string; batch: string; epochs: string }): Result {
  const common = [o.data, o.size, o.batch, o.epochs];
  let cache: string | undefined;
  if (variant.startsWith('cxrlab-cached')) cache = mkdtempSync(join(tmpdir(), 'cxrlab-bench-cache-'));
  const [cmd, args] = variant.startsWith('cxrlab')
    ? [process.execPath, ['--import', 'tsx', join(__dirname, 'cxrlab-worker.ts'), WORKER_VARIANT[variant], ...common, ...(cache ? [cache] : [])]]
    : [join(ROOT, process.env.CXRLAB_VENV ?? '.venv', 'bin', 'python'), [join(__dirname, 'keras_pipeline.py'), WORKER_VARIANT[variant], ...common]];
  try {
    const res = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
    if (res.status !== 0 || !line) throw new Error(`${variant} failed (exit ${res.status}):\n${res.stderr.slice(-3000)}`);
    return JSON.parse(line) as Result;
  } finally {
    if (cache) rmSync(cache, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: process.env.CXRLAB_DATA ?? join(ROOT, '..', 'shared', 'data', 'cxr-dev') },
      size: { type: 'string', default: '150' },
      batch: { type: 'string', default: '32' },
      epochs: { type: 'string', default: '5' },
      repeats: { type: 'string', default: '2' },
      'no-python': { type: 'boolean', default: false },
      train: { type: 'boolean', default: false },
    },
  });
  const o = { data: resolve(values.data), size: values.size, batch: values.batch, epochs: values.epochs };
  if (Number(o.epochs) < 2) throw new Error('--epochs must be at least 2 (epoch 1 fills the cache; the later ones are the steady state)');
  const variants = (values.train ? TRAINING : PIPELINE).filter((v) => !values['no-python'] || v.startsWith('cxrlab'));
  console.log(
    `input-pipeline${values.train ? ' feeding seed-004 training' : ''}: ${o.data}, ${o.size}x${o.size}x3, batch ${o.batch}, ${o.epochs} epochs x ${values.repeats} repeats; ${describeMachine()}`,
  );
  const runs: Record<string, Result[]> = {};
  for (let r = 0; r < Number(values.repeats); r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length] as Variant;
      const result = runVariant(v, o);
      (runs[v] ??= []).push(result);
      console.log(`  repeat ${r + 1} ${v.padEnd(20)} ${result.epochs.map((x) => x.toFixed(0)).join(' ')} img/s, peak RSS ${result.rssMiB.toFixed(0)} MiB`);
    }
  }
  const steady = (v: Variant, r: number): number => median((runs[v]?.[r]?.epochs ?? []).slice(1));
  console.log(`\n${'variant'.padEnd(22)}${'epoch 1'.padStart(10)}${'epochs 2+'.padStart(11)}${'peak RSS'.padStart(11)}   img/s (median)`);
  for (const v of variants) {
    const list = runs[v] ?? [];
    const first = median(list.map((x) => x.epochs[0] as number));
    const later = median(list.map((_, r) => steady(v, r)));
    console.log(`${v.padEnd(22)}${first.toFixed(0).padStart(10)}${later.toFixed(0).padStart(11)}${`${Math.max(...list.map((x) => x.rssMiB)).toFixed(0)} MiB`.padStart(11)}`);
  }
  if (values['no-python']) return;
  const paired = (a: Variant, b: Variant): number => median(Array.from({ length: Number(values.repeats) }, (_, r) => steady(a, r) / steady(b, r)));
  if (values.train) {
    console.log(`\ncxrlab end to end ÷ Keras + tf.data: ${paired('cxrlab-cached-train', 'tf.data-train').toFixed(2)} (epochs 2+, median of per-repeat ratios)`);
    console.log(`ratio=${paired('cxrlab-cached-train', 'keras-idg-train').toFixed(2)}`);
    return;
  }
  console.log(`\ncxrlab cold ÷ Keras ImageDataGenerator: ${paired('cxrlab-cold', 'keras-idg').toFixed(2)}; cached ÷ tf.data: ${paired('cxrlab-cached', 'tf.data').toFixed(2)} (epochs 2+, median of per-repeat ratios)`);
  console.log(`ratio=${paired('cxrlab-cached', 'keras-idg').toFixed(2)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
