// The composition root: config → files → split → tensors → model → fit → evaluation. The only module
// that imports every area; each stage gets its slice of the config.
import type { ExperimentConfig } from './config/schema';
import { CLASS_NAMES } from './data/classes';
import { scanClassFolders } from './data/folder-source';
import { disposeTensors, loadTensors } from './data/load-tensors';
import { stratifiedSplit } from './data/split';
import { accuracyOf, argmaxRows, confusionMatrix } from './eval/confusion';
import { predictProbabilities } from './eval/predict';
import { buildModel } from './model/zoo';
import { type EpochLogs, fit } from './train/fit';
import { deriveSeed } from './util/rng';

export interface ExperimentHooks {
  /** Progress messages (dataset counts, epochs). */
  log?: (message: string) => void;
}

export interface ExperimentResult {
  counts: { train: number; val: number; perClass: Record<string, number> };
  history: EpochLogs[];
  /** Validation confusion matrix, rows = true class in CLASS_NAMES order. */
  confusion: number[][];
  valAccuracy: number;
  /** Median training throughput over the epochs, images per second. */
  imagesPerSecond: number;
}

export async function runExperiment(config: ExperimentConfig, hooks: ExperimentHooks = {}): Promise<ExperimentResult> {
  const log = hooks.log ?? (() => {});
  const entries = await scanClassFolders(config.data.dir);
  const split = stratifiedSplit(entries, { valFraction: config.data.valFraction, seed: deriveSeed(config.seed, 'split') });
  const perClass = Object.fromEntries(CLASS_NAMES.map((c) => [c, entries.filter((e) => e.label === c).length]));
  log(`data: ${entries.length} images in ${config.data.dir} (${CLASS_NAMES.map((c) => `${c} ${perClass[c]}`).join(', ')})`);
  log(`split: ${split.train.length} train, ${split.val.length} validation`);

  const decode = { size: config.data.imageSize, channels: config.data.channels };
  const [train, val] = await Promise.all([loadTensors(split.train, decode), loadTensors(split.val, decode)]);
  const model = buildModel(config.model.name, {
    inputSize: config.data.imageSize,
    channels: config.data.channels,
    numClasses: CLASS_NAMES.length,
    dropout: config.model.dropout,
    seed: deriveSeed(config.seed, 'init'),
  });
  try {
    const history = await fit(model, { xs: train.xs, ys: train.ys, val: { xs: val.xs, ys: val.ys } }, {
      ...config.train,
      seed: deriveSeed(config.seed, 'shuffle'),
      onEpochEnd: (epoch, l) =>
        log(
          `epoch ${epoch + 1}/${config.train.epochs}: loss=${l.loss.toFixed(4)} accuracy=${l.accuracy.toFixed(4)} ` +
            `val_loss=${l.val_loss?.toFixed(4)} val_accuracy=${l.val_accuracy?.toFixed(4)} (${l.images_per_second.toFixed(1)} img/s)`,
        ),
    });
    const predictions = predictProbabilities(model, val.xs, config.train.batchSize);
    const confusion = confusionMatrix(val.labels, argmaxRows(predictions), CLASS_NAMES.length);
    const rates = history.map((h) => h.images_per_second).sort((a, b) => a - b);
    return {
      counts: { train: split.train.length, val: split.val.length, perClass },
      history,
      confusion,
      valAccuracy: accuracyOf(confusion),
      imagesPerSecond: rates[Math.floor(rates.length / 2)] as number,
    };
  } finally {
    model.dispose();
    disposeTensors(train);
    disposeTensors(val);
  }
}
