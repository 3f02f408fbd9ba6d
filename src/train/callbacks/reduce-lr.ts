// ReduceLROnPlateau (Keras semantics): multiply the learning rate by `factor` after `patience` epochs
// without improvement, then wait `cooldown` epochs, never going below `minLr`.
import { getLearningRate, setLearningRate } from '../optimizers';
import type { EpochLogs, TrainingCallback, TrainingContext } from './callback';
import { Monitor, type MonitorOptions } from './monitor';

export interface ReduceLrOptions extends MonitorOptions {
  /** In (0, 1). Defaults to 0.1. */
  factor?: number;
  /** Defaults to 10. */
  patience?: number;
  /** Defaults to 0. */
  cooldown?: number;
  /** Defaults to 0. */
  minLr?: number;
  /** Called with each change, e.g. for a log line. */
  onReduce?: (epoch: number, from: number, to: number) => void;
}

export function reduceLrOnPlateau(options: ReduceLrOptions = {}): TrainingCallback {
  const monitor = new Monitor(options);
  const factor = options.factor ?? 0.1;
  const patience = options.patience ?? 10;
  const cooldown = options.cooldown ?? 0;
  const minLr = options.minLr ?? 0;
  let wait = 0;
  let cooling = 0;
  /** Advances the plateau state by one epoch; true when the rate should drop now. */
  const step = (logs: EpochLogs): boolean => {
    if (cooling > 0) cooling--;
    if (monitor.improved(logs)) {
      wait = 0;
      return false;
    }
    if (cooling > 0 || ++wait < patience) return false;
    cooling = cooldown;
    wait = 0;
    return true;
  };
  return {
    onResume(history: readonly EpochLogs[]) {
      history.forEach(step); // the rates themselves are in the history (lr) and restored by the loop
    },
    onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext) {
      if (!step(logs)) return;
      const from = getLearningRate(ctx.optimizer);
      const to = Math.max(from * factor, minLr);
      if (to < from) {
        setLearningRate(ctx.optimizer, to);
        options.onReduce?.(epoch, from, to);
      }
    },
  };
}
