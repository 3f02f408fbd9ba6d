// The augmenter a run trains with: the experiment's `augment` options (validated when the config loaded)
// with the run's augmentation sub-seed, so notebooks can show exactly what training sees.
import { type AugmentOptions, type Augmenter, makeAugmenter } from '../augment';
import type { ExperimentConfig } from '../config/schema';
import { deriveSeed } from '../util/rng';

export function experimentAugmenter(config: ExperimentConfig): Augmenter {
  return makeAugmenter(config.augment as AugmentOptions, deriveSeed(config.seed, 'augment'));
}
