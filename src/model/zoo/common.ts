// Options shared by every zoo model, and seeded initialisers so the same seed builds the same weights.
import { tf } from '../../native/tf';
import { seededDropout } from '../seeded-dropout';
import { deriveSeed } from '../../util/rng';

export interface ModelOptions {
  /** Input width and height in pixels. Defaults to 150. */
  inputSize?: number;
  /** Input channels, 1 or 3. Defaults to 3. */
  channels?: 1 | 3;
  /** Output classes. Defaults to 3. */
  numClasses?: number;
  /** Dropout rate before the classifier, in [0, 1). Defaults to 0.5. */
  dropout?: number;
  /** Seed for weight initialisation and dropout. Defaults to 0. */
  seed?: number;
  /** Filter multiplier of the batch-norm nets (resnet-small, mobilenet-small), a positive integer. Defaults to 1. */
  width?: number;
}

export type ResolvedModelOptions = Required<ModelOptions>;

export function resolveModelOptions(options: ModelOptions): ResolvedModelOptions {
  return { inputSize: 150, channels: 3, numClasses: 3, dropout: 0.5, seed: 0, width: 1, ...options };
}

/** Glorot-uniform kernels with a per-layer seed derived from the model seed (Keras' default initialiser). */
export function seededKernel(seed: number, layer: string): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: deriveSeed(seed, `init:${layer}`) });
}

/** Global average pooling, dropout and a softmax dense layer: the head of the batch-norm nets. */
export function poolingHead(x: tf.SymbolicTensor, o: ResolvedModelOptions): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const dropped = seededDropout({ name: 'dropout', rate: o.dropout, seed: o.seed }).apply(pooled) as tf.SymbolicTensor;
  return tf.layers
    .dense({ name: 'logits', units: o.numClasses, activation: 'softmax', kernelInitializer: seededKernel(o.seed, 'logits') })
    .apply(dropped) as tf.SymbolicTensor;
}
