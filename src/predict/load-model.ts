// Loads a trained model for prediction, with the preprocessing it was trained with, from a run folder
// (model/ + config.json), a model folder (model.json), a model.json path, or an MLflow run id (the run's
// logged model, fetched into the local cache by mlflow-model.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CROP_POLICIES, type CropPolicy, DEFAULT_CROP } from '../data/image-types';
import { DataError } from '../errors';
import type { MlflowClient } from '../mlflow-client';
import { tf } from '../native/tf';
import { fetchRunModel, isRunId } from './mlflow-model';

export interface TrainedModel {
  model: tf.LayersModel;
  /** Input width/height and channels the model expects. */
  size: number;
  channels: 1 | 3;
  /** How a non-square image was made square in training (the run's data.crop; `centre` without a run config). */
  crop: CropPolicy;
  /** The model.json the model was loaded from. */
  source: string;
  /** The run folder holding the model (with config.json), when it came from one; for a run id, its cache folder. */
  runDir?: string;
  /** The MLflow run and LoggedModel, when loaded by run id. */
  mlflow?: { runId: string; modelId: string; trackingUri: string };
}

export interface LoadModelOptions {
  /** For a run id: the tracking server. Defaults to MLFLOW_TRACKING_URI, else the embedded local server. */
  client?: MlflowClient;
  /** For a run id: the cache root. Defaults to `<project>/.cxrlab/cache/models`. */
  cacheDir?: string;
  /** For a run id: run artifacts to fetch besides config.json (e.g. `split.json`, `report.json`). */
  runFiles?: readonly string[];
  /** Progress messages (a tracking server starting, downloads). */
  log?: (message: string) => void;
}

/**
 * The run id `source` names, or null: the id itself, or the id resolved against the working directory (what a
 * command line's `path.resolve(arg)` makes of it). Only consulted when no file or folder `source` exists.
 */
function runIdOf(source: string): string | null {
  if (isRunId(source)) return source;
  const name = basename(source);
  return isRunId(name) && dirname(resolve(source)) === process.cwd() ? name : null;
}

/** The model.json of a run folder, a model folder or a model.json path. */
function modelJsonOf(path: string): string {
  const candidates = statSync(path).isDirectory() ? [join(path, 'model', 'model.json'), join(path, 'model.json')] : [path];
  const json = candidates.find((c) => existsSync(c));
  if (!json) throw new DataError(path, 'expected a run folder (with model/model.json) or a tfjs model folder (with model.json)');
  return json;
}

/** The crop policy a run trained with (its config.json's data.crop), or the default. */
function cropOf(runDir: string | undefined): CropPolicy {
  const crop = runDir ? (runConfigOf(runDir) as { data?: { crop?: unknown } } | undefined)?.data?.crop : undefined;
  return CROP_POLICIES.find((c) => c === crop) ?? DEFAULT_CROP;
}

async function loadModelJson(json: string): Promise<Pick<TrainedModel, 'model' | 'size' | 'channels' | 'source'>> {
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

/**
 * Accepts a run folder, a model folder, a model.json path, or an MLflow run id (32 hexadecimal characters,
 * when no such path exists): the run's logged model is downloaded once into the cache and loaded from there.
 * @throws DataError for a path that is not a model; RunModelError for a run id that cannot be fetched.
 */
export async function loadTrainedModel(source: string, options: LoadModelOptions = {}): Promise<TrainedModel> {
  if (existsSync(source)) {
    const json = modelJsonOf(resolve(source));
    const loaded = await loadModelJson(json);
    const folder = dirname(json);
    const runDir = basename(folder) === 'model' && existsSync(join(folder, '..', 'config.json')) ? dirname(folder) : undefined;
    return { ...loaded, crop: cropOf(runDir), ...(runDir ? { runDir } : {}) };
  }
  const runId = runIdOf(source);
  if (!runId) throw new DataError(source, 'no such model or run folder (nor an MLflow run id: 32 hexadecimal characters)');
  const fetched = await fetchRunModel({
    runId,
    ...(options.client ? { client: options.client } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.runFiles ? { runFiles: options.runFiles } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const loaded = await loadModelJson(join(fetched.dir, 'model', 'model.json'));
  return { ...loaded, crop: cropOf(fetched.dir), runDir: fetched.dir, mlflow: { runId: fetched.runId, modelId: fetched.modelId, trackingUri: fetched.trackingUri } };
}

/** The run's config.json next to model/, if this is a run folder. */
export function runConfigOf(path: string): unknown {
  const file = join(path, 'config.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}
