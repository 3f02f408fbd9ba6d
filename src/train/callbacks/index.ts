// The built-in training callbacks.
export type { BatchLogs, EpochLogs, TrainingCallback, TrainingContext } from './callback';
export { checkpointBest, type CheckpointOptions } from './checkpoint';
export { earlyStopping, type EarlyStoppingOptions } from './early-stopping';
export { lastState, loadTrainingState, type NamedTensor, type TrainingState } from './last-state';
export { Monitor, type MonitorOptions } from './monitor';
export { progressBar, type ProgressOptions } from './progress';
export { reduceLrOnPlateau, type ReduceLrOptions } from './reduce-lr';
