// Optimisers by name with Keras' defaults, and a learning-rate setter that works for each of them
// (schedules and ReduceLROnPlateau change the rate between epochs).
import { ConfigError } from '../errors';
import { tf } from '../native/tf';
import { KerasAdam } from './adam';

export const OPTIMIZER_NAMES = ['adam', 'rmsprop', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerOptions {
  name: OptimizerName;
  learningRate: number;
  /** Momentum of `sgd` (0 = plain SGD) and `rmsprop`. Defaults to 0. */
  momentum?: number;
}

/** Keras' defaults: Adam β1 0.9, β2 0.999, ε 1e-7 (in Keras' own update, see adam.ts); RMSprop ρ 0.9, ε 1e-7. */
export function makeOptimizer(options: OptimizerOptions): tf.Optimizer {
  const momentum = options.momentum ?? 0;
  switch (options.name) {
    case 'adam':
      return new KerasAdam(options.learningRate, 0.9, 0.999, 1e-7);
    case 'rmsprop':
      return tf.train.rmsprop(options.learningRate, 0.9, momentum, 1e-7);
    case 'sgd':
      return momentum > 0 ? tf.train.momentum(options.learningRate, momentum) : tf.train.sgd(options.learningRate);
    default:
      throw new ConfigError('optimizer', [`\`train.optimizer\` must be one of ${OPTIMIZER_NAMES.join(', ')}. Received: ${String(options.name)}`]);
  }
}

interface WithRate {
  learningRate: number;
  setLearningRate?: (lr: number) => void;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as WithRate).learningRate;
}

/** SGD and momentum keep a precomputed -lr tensor (setLearningRate); Adam and RMSprop read the field. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as WithRate;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  o.learningRate = learningRate;
}
