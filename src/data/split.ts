// Seeded, stratified train/validation split of a file list: a pure function of (entries, options).
import { ConfigError } from '../errors';
import { Rng } from '../util/rng';
import { CLASS_NAMES } from './classes';
import type { ImageEntry } from './folder-source';

export interface SplitOptions {
  /** Share of each class held out for validation, in (0, 1). */
  valFraction: number;
  seed: number;
}

export interface Split {
  train: ImageEntry[];
  val: ImageEntry[];
}

export function stratifiedSplit(entries: readonly ImageEntry[], options: SplitOptions): Split {
  if (!(options.valFraction > 0 && options.valFraction < 1)) {
    throw new ConfigError('split options', [`\`valFraction\` must be in (0, 1). Received: ${options.valFraction}`]);
  }
  const rng = new Rng(options.seed);
  const split: Split = { train: [], val: [] };
  for (const label of CLASS_NAMES) {
    const members = rng.shuffle(entries.filter((e) => e.label === label));
    const nVal = Math.max(1, Math.round(members.length * options.valFraction));
    split.val.push(...members.slice(0, nVal));
    split.train.push(...members.slice(nVal));
  }
  return split;
}
