// The tensor → numbers boundary of evaluation: class probabilities, and the features the classifier
// reads (for the shortcut audit), as plain Float32Arrays.
import { tf } from '../native/tf';

export interface Predictions {
  /** Row-major [n, numClasses] probabilities. */
  probs: Float32Array;
  numClasses: number;
}

export function predictProbabilities(model: tf.LayersModel, xs: tf.Tensor4D, batchSize: number): Predictions {
  const out = model.predict(xs, { batchSize }) as tf.Tensor2D;
  const probs = out.dataSync() as Float32Array;
  const numClasses = out.shape[1];
  out.dispose();
  return { probs, numClasses };
}

/** Penultimate-layer features ([n, dim], row-major) for the images, in batches; disposes what it makes. */
export function penultimateFeatures(model: tf.LayersModel, xs: tf.Tensor4D, batchSize: number): { layer: string; dim: number; values: Float32Array } {
  // The layer feeding the classifier, skipping dropout (the identity at inference, but a confusing name).
  let at = model.layers.length - 2;
  while (at > 0 && (model.layers[at] as tf.layers.Layer).getClassName() === 'Dropout') at--;
  const layer = model.layers[at] as tf.layers.Layer;
  const features = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const out = features.predict(xs, { batchSize }) as tf.Tensor;
  const dim = out.shape.slice(1).reduce((a, b) => a * (b as number), 1);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return { layer: layer.name, dim, values };
}
