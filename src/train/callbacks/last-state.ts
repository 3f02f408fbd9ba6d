// The resume checkpoint: after every epoch, the model, the optimiser's state and the history so far
// go to one folder, replaced atomically (written beside it, then renamed), so a process killed at any
// moment leaves the previous epoch's state intact. `loadTrainingState` reads it back.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../../native/tf';
import { getLearningRate } from '../optimizers';
import type { EpochLogs, TrainingCallback, TrainingContext } from './callback';

/** A tensor with its name, as tfjs optimisers get and set their state. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface TensorRecord {
  name: string;
  shape: number[];
  offset: number;
}

export interface TrainingState {
  /** Epochs completed (the next epoch to run, 0-based). */
  epoch: number;
  history: EpochLogs[];
  /** The model's weights, in model.getWeights() order. The caller disposes them. */
  weights: tf.Tensor[];
  /** The optimiser's named weights (iterations, moments), for optimizer.setWeights(). The caller disposes them. */
  optimizer: NamedTensor[];
  /** The rate to continue with (after any ReduceLROnPlateau change at the end of the last epoch). */
  learningRate: number;
}

async function writeTensors(dir: string, stem: string, tensors: NamedTensor[]): Promise<void> {
  const records: TensorRecord[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    const data = Buffer.from((await tensor.data<'float32'>()).buffer.slice(0));
    records.push({ name, shape: tensor.shape, offset });
    chunks.push(data);
    offset += data.length;
  }
  await writeFile(join(dir, `${stem}.bin`), Buffer.concat(chunks));
  await writeFile(join(dir, `${stem}.json`), JSON.stringify(records));
}

async function readTensors(dir: string, stem: string): Promise<NamedTensor[]> {
  const records = JSON.parse(await readFile(join(dir, `${stem}.json`), 'utf8')) as TensorRecord[];
  const bin = await readFile(join(dir, `${stem}.bin`));
  return records.map((r) => {
    const size = r.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(bin.buffer.slice(bin.byteOffset + r.offset, bin.byteOffset + r.offset + size * 4));
    return { name: r.name, tensor: tf.tensor(values, r.shape, 'float32') };
  });
}

/** Saves the state after each epoch into `dir` (replacing the previous one). Put it last in the callback list. */
export function lastState(options: { dir: string }): TrainingCallback {
  const history: EpochLogs[] = [];
  return {
    onResume(previous: readonly EpochLogs[]) {
      history.push(...previous);
    },
    async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext) {
      history.push(logs);
      const tmp = `${options.dir}.tmp`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      const weights = ctx.model.getWeights().map((tensor, i) => ({ name: String(i), tensor }));
      await writeTensors(tmp, 'weights', weights);
      await writeTensors(tmp, 'optimizer', await ctx.optimizer.getWeights());
      await writeFile(join(tmp, 'state.json'), JSON.stringify({ epoch: epoch + 1, learningRate: getLearningRate(ctx.optimizer), history }, null, 2));
      await rm(options.dir, { recursive: true, force: true });
      await rename(tmp, options.dir);
    },
  };
}

export async function loadTrainingState(dir: string): Promise<TrainingState> {
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { epoch: number; learningRate: number; history: EpochLogs[] };
  const weights = (await readTensors(dir, 'weights')).map((w) => w.tensor);
  const optimizer = await readTensors(dir, 'optimizer');
  return { epoch: state.epoch, history: state.history, learningRate: state.learningRate, weights, optimizer };
}
