// Loads a trained model for prediction from a run folder (model/ + config.json) or a model folder
// (model.json), with the preprocessing it was trained with.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors';
import { tf } from '../native/tf';

export interface TrainedModel {
  model: tf.LayersModel;
  /** Input width/height and channels the model expects. */
  size: number;
  channels: 1 | 3;
  /** Where the model was loaded from. */
  source: string;
}

/** Accepts a run folder, a model folder or a model.json path. */
export async function loadTrainedModel(path: string): Promise<TrainedModel> {
  if (!existsSync(path)) throw new DataError(path, 'no such model or run folder');
  const candidates = statSync(path).isDirectory() ? [join(path, 'model', 'model.json'), join(path, 'model.json')] : [path];
  const json = candidates.find((c) => existsSync(c));
  if (!json) throw new DataError(path, 'expected a run folder (with model/model.json) or a tfjs model folder (with model.json)');
  const model = await tf.loadLayersModel(`file://${json}`).catch((cause: unknown) => {
    throw new DataError(json, `cannot load the model (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  });
  const shape = model.inputs[0]?.shape ?? [];
  const [, h, w, c] = shape;
  if (shape.length !== 4 || h !== w || typeof h !== 'number' || (c !== 1 && c !== 3)) {
    model.dispose();
    throw new DataError(json, `expected a square image model with 1 or 3 channels; its input shape is [${shape.join(', ')}]`);
  }
  return { model, size: h, channels: c, source: json };
}

/** The run's config.json next to model/, if this is a run folder. */
export function runConfigOf(path: string): unknown {
  const file = join(path, 'config.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}
