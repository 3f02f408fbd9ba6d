// Transfer learning from a local pretrained tfjs layers model (a model.json, a model folder or a cxrlab
// run folder): its layers up to the last spatial feature map become the backbone, a new head (global
// average pooling, dropout, softmax) classifies the three classes. Freeze all or the first N backbone
// layers; `setTrainableBackbone` unfreezes them for a fine-tuning phase.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors';
import { tf } from '../native/tf';
import { seededDropout } from './seeded-dropout';
import { seededKernel } from './zoo/common';

export interface TransferOptions {
  /** model.json, a folder holding one, or a run folder (its model/). */
  backbone: string;
  /** `all`, `none`, or the number of leading backbone layers to freeze. Defaults to `all`. */
  freeze?: 'all' | 'none' | number;
  numClasses?: number;
  dropout?: number;
  seed?: number;
}

export interface TransferModel {
  model: tf.LayersModel;
  /** The backbone's layers inside `model`, in order. */
  backboneLayers: tf.layers.Layer[];
  inputShape: number[];
}

function modelJson(path: string): string {
  if (!existsSync(path)) throw new DataError(path, 'backbone model not found');
  if (!statSync(path).isDirectory()) return path;
  const found = [join(path, 'model', 'model.json'), join(path, 'model.json')].find((p) => existsSync(p));
  if (!found) throw new DataError(path, 'expected a model.json, a folder with one, or a run folder with model/model.json');
  return found;
}

export async function buildTransferModel(options: TransferOptions): Promise<TransferModel> {
  const json = modelJson(options.backbone);
  const source = await tf.loadLayersModel(`file://${json}`).catch((cause: unknown) => {
    throw new DataError(json, `cannot load the backbone (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  });
  const cut = [...source.layers].reverse().find((l) => Array.isArray(l.outputShape) && (l.outputShape as number[]).length === 4 && l.getClassName() !== 'InputLayer');
  if (!cut) throw new DataError(json, 'the backbone has no layer with a spatial (rank-4) output to build a new head on');
  const backbone = tf.model({ inputs: source.inputs, outputs: cut.output as tf.SymbolicTensor, name: 'backbone' });
  const input = tf.input({ shape: (source.inputs[0]?.shape ?? []).slice(1) as number[], name: 'image' });
  let x = backbone.apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'head_gap' }).apply(x) as tf.SymbolicTensor;
  x = seededDropout({ name: 'head_dropout', rate: options.dropout ?? 0.5, seed: options.seed ?? 0 }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ name: 'head_logits', units: options.numClasses ?? 3, activation: 'softmax', kernelInitializer: seededKernel(options.seed ?? 0, 'head_logits') })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'transfer' });
  const backboneLayers = backbone.layers.filter((l) => l.getClassName() !== 'InputLayer') as tf.layers.Layer[];
  setTrainableBackbone({ model, backboneLayers, inputShape: input.shape as number[] }, options.freeze ?? 'all');
  return { model, backboneLayers, inputShape: input.shape as number[] };
}

/** Freezes `all`, `none` or the first N backbone layers (the rest train). Recompile after changing it. */
export function setTrainableBackbone(t: TransferModel, freeze: 'all' | 'none' | number): void {
  const frozen = freeze === 'all' ? t.backboneLayers.length : freeze === 'none' ? 0 : freeze;
  t.backboneLayers.forEach((layer, i) => {
    layer.trainable = i >= frozen;
  });
}
