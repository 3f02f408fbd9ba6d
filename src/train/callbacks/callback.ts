// The training-callback contract: the only bridge from the loop to side effects (early stopping,
// learning-rate changes, checkpoints, progress, tracking). Epochs count from 0; logs use Keras' names.
import type { tf } from '../../native/tf';

export interface EpochLogs {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  /** The learning rate used during this epoch. */
  lr: number;
  /** Training images per second this epoch (forward + backward + update; validation excluded). */
  images_per_second: number;
  /** Share of the epoch's training time spent waiting for batches (decoding, augmentation): ~0 when the
   * input pipeline keeps up. */
  input_wait_fraction?: number;
  [metric: string]: number | undefined;
}

export interface BatchLogs {
  batch: number;
  size: number;
  loss: number;
  accuracy: number;
}

/** What a callback sees of the run: the model and optimiser, and a way to stop after this epoch. */
export interface TrainingContext {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  epochs: number;
  batchesPerEpoch: number;
  stopTraining(reason: string): void;
}

export interface TrainingCallback {
  /** Called before onTrainBegin when a run resumes, with the epochs it already has. */
  onResume?(history: readonly EpochLogs[], ctx: TrainingContext): void | Promise<void>;
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(epoch: number, logs: BatchLogs, ctx: TrainingContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: TrainingContext): void | Promise<void>;
  /** Called once, also when training stopped early or failed (`error` set). */
  onTrainEnd?(history: readonly EpochLogs[], ctx: TrainingContext, error?: unknown): void | Promise<void>;
}
