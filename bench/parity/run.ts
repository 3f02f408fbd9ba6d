// bench/parity: the same science as Keras. The seed-004 CNN with the seed-004 augmentation, trained on one
// cxrlab split of cxr-dev (train / val / test by patient, class × source) with cxrlab and with Keras +
// ImageDataGenerator from the venv — the same decoded pixels, epochs, batch, optimiser, early stopping on
// val_accuracy with best-weights restore — over several seeds each; prints both test accuracies and
// macro-F1 with their spread, and whether cxrlab's mean lies inside Keras' seed range.
// usage: npm run bench:parity -- [--seeds 1,2,3] [--epochs 20] [--experiment experiments/seed-004.yaml]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLASS_NAMES, type ExperimentConfig, deriveSeed, disposeTensors, loadExperiment, loadTensors, prepareData, runExperiment } from '../../src';
import { describeMachine } from '../lib/machine';
import { median } from '../lib/stats';

const ROOT = join(__dirname, '..', '..');

interface Outcome {
  seed: number;
  testAccuracy: number;
  macroF1: number;
  epochs: number;
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: readonly number[]): number => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / Math.max(1, v.length - 1));

/** The split's decoded pixels and labels as raw files for the Keras side, with what it needs to know. */
async function writeSplit(config: ExperimentConfig, dir: string): Promise<Record<string, number>> {
  const { split } = await prepareData(config);
  const counts: Record<string, number> = {};
  for (const part of ['train', 'val', 'test'] as const) {
    const t = await loadTensors(split[part], { size: config.data.imageSize, channels: config.data.channels, crop: config.data.crop });
    writeFileSync(join(dir, `x_${part}.f32`), Buffer.from((t.xs.dataSync() as Float32Array).buffer));
    writeFileSync(join(dir, `y_${part}.i32`), Buffer.from(t.labels.buffer));
    counts[part] = t.labels.length;
    disposeTensors(t);
  }
  const t = config.train;
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      classes: CLASS_NAMES,
      counts,
      size: config.data.imageSize,
      channels: config.data.channels,
      dropout: config.model.dropout,
      learningRate: t.learningRate,
      batchSize: t.batchSize,
      epochs: t.epochs,
      patience: t.earlyStopping.patience,
      augment: config.augment,
    }),
  );
  return counts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '1,2,3' },
      epochs: { type: 'string', default: '20' },
      experiment: { type: 'string', default: join(ROOT, 'experiments', 'seed-004.yaml') },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  const out = mkdtempSync(join(tmpdir(), 'cxrlab-parity-'));
  try {
    const base = await loadExperiment(resolve(values.experiment), {
      overrides: [
        `train.epochs=${values.epochs}`,
        'data.testFraction=0.2',
        `data.splitSeed=${deriveSeed(42, 'split')}`,
        'train.earlyStopping.enabled=true',
        'train.earlyStopping.monitor=val_accuracy',
        'train.earlyStopping.restoreBestWeights=true',
        'train.checkpoint.monitor=val_accuracy',
        'train.reduceLrOnPlateau.enabled=false',
        'evaluation.gradcamPerClass=0',
        'evaluation.shortcutAudit=false',
        `output.dir=${join(out, 'runs')}`,
      ],
      ...(process.env.CXRLAB_DATA ? { dataDir: process.env.CXRLAB_DATA } : {}),
    });
    const counts = await writeSplit(base, out);
    console.log(`parity: ${base.model.name} ${base.data.imageSize}x${base.data.imageSize}, augment ${JSON.stringify(base.augment)}, ${values.epochs} epochs max, early stopping on val_accuracy (patience ${base.train.earlyStopping.patience}, best restored)`);
    console.log(`parity: one split (train ${counts.train}, val ${counts.val}, test ${counts.test}), seeds ${seeds.join(', ')}; ${describeMachine()}`);
    const cxrlab: Outcome[] = [];
    const keras: Outcome[] = [];
    for (const seed of seeds) {
      const r = await runExperiment({ ...base, seed });
      if (!r.test) throw new Error('the parity split has no test set');
      cxrlab.push({ seed, testAccuracy: r.test.accuracy, macroF1: r.test.report.macro.f1, epochs: r.history.length });
      const res = spawnSync(join(ROOT, process.env.CXRLAB_VENV ?? '.venv', 'bin', 'python'), [join(__dirname, 'keras_parity.py'), out, String(seed)], { encoding: 'utf8' });
      const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
      if (res.status !== 0 || !line) throw new Error(`keras_parity.py failed (exit ${res.status}):\n${res.stderr.slice(-3000)}`);
      keras.push(JSON.parse(line) as Outcome);
      const [c, k] = [cxrlab.at(-1) as Outcome, keras.at(-1) as Outcome];
      console.log(`  seed ${seed}: cxrlab test accuracy ${c.testAccuracy.toFixed(3)} macro-F1 ${c.macroF1.toFixed(3)} (${c.epochs} epochs); Keras ${k.testAccuracy.toFixed(3)} / ${k.macroF1.toFixed(3)} (${k.epochs} epochs)`);
    }
    const row = (name: string, o: Outcome[]): string => {
      const acc = o.map((x) => x.testAccuracy);
      const f1 = o.map((x) => x.macroF1);
      return `${name.padEnd(8)} accuracy ${mean(acc).toFixed(3)} ± ${sd(acc).toFixed(3)} [${Math.min(...acc).toFixed(3)}–${Math.max(...acc).toFixed(3)}]  macro-F1 ${mean(f1).toFixed(3)} ± ${sd(f1).toFixed(3)}  epochs ${median(o.map((x) => x.epochs))}`;
    };
    console.log(`\n${row('cxrlab', cxrlab)}\n${row('Keras', keras)}`);
    const kAcc = keras.map((x) => x.testAccuracy);
    const cMean = mean(cxrlab.map((x) => x.testAccuracy));
    const inside = cMean >= Math.min(...kAcc) && cMean <= Math.max(...kAcc);
    console.log(`cxrlab's mean test accuracy ${inside ? 'lies inside' : 'lies OUTSIDE'} Keras' seed range`);
    console.log(`gap=${(cMean - mean(kAcc)).toFixed(3)}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
