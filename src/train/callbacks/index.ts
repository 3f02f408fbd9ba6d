// The built-in training callbacks.
export type { BatchLogs, EpochLogs, TrainingCallback, TrainingContext } from './callback';
export { checkpointBest, type CheckpointOptions } from './checkpoint';
export { earlyStopping, type EarlyStoppingOptions } from './early-stopping';
export { Monitor, type MonitorOptions } from './monitor';
export { progressBar, type ProgressOptions } from './progress';
export { reduceLrOnPlateau, type ReduceLrOptions } from './reduce-lr';
