// Categorical cross-entropy on softmax outputs with Keras' label smoothing and class weights: each
// image's loss is scaled by the weight of its true class, then averaged over the batch (Keras'
// class_weight semantics: the mean divides by the batch size, not by the sum of weights).
import { tf } from '../native/tf';

export interface LossOptions {
  /** ε in [0, 1): targets become (1 − ε)·onehot + ε/K. Defaults to 0. */
  labelSmoothing?: number;
  /** One weight per class, in CLASS_NAMES order. Defaults to all ones. */
  classWeights?: readonly number[];
}

const EPSILON = 1e-7;

export function categoricalCrossentropy(options: LossOptions = {}): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  const smoothing = options.labelSmoothing ?? 0;
  const weights = options.classWeights;
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const k = yTrue.shape[yTrue.rank - 1] as number;
      const targets = smoothing > 0 ? yTrue.mul(1 - smoothing).add(smoothing / k) : yTrue;
      let perImage = targets.mul(yPred.clipByValue(EPSILON, 1 - EPSILON).log()).sum(-1).neg();
      if (weights) perImage = perImage.mul(yTrue.mul(tf.tensor1d(weights as number[])).sum(-1));
      return perImage.mean();
    });
}

/** Keras' "balanced" weights: n / (K · count(class)); a class with no images gets weight 0. */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i] as number]! += 1;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (numClasses * c)));
}
