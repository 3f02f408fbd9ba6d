// EarlyStopping with restore-best-weights (tfjs' own cannot restore). Keeps a copy of the weights of
// the best epoch and puts them back when training ends, early or not.
import { tf } from '../../native/tf';
import type { EpochLogs, TrainingCallback, TrainingContext } from './callback';
import { Monitor, type MonitorOptions } from './monitor';

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement before stopping. Defaults to 5. */
  patience?: number;
  /** Restore the best epoch's weights at the end. Defaults to true. */
  restoreBestWeights?: boolean;
  /** On resume: the weights of the best epoch so far (e.g. read from checkpoints/best), if known. */
  resumeBestWeights?: () => Promise<tf.Tensor[] | null>;
}

export function earlyStopping(options: EarlyStoppingOptions = {}): TrainingCallback & { bestEpoch(): number } {
  const monitor = new Monitor(options);
  const patience = options.patience ?? 5;
  const restore = options.restoreBestWeights ?? true;
  let best: tf.Tensor[] | null = null;
  let bestEpoch = -1;
  let wait = 0;
  const keepBest = (ctx: TrainingContext) => {
    if (best) tf.dispose(best);
    best = ctx.model.getWeights().map((w) => tf.keep(w.clone()));
  };
  return {
    bestEpoch: () => bestEpoch,
    async onResume(history: readonly EpochLogs[]) {
      history.forEach((logs, epoch) => {
        if (monitor.improved(logs)) {
          bestEpoch = epoch;
          wait = 0;
        } else wait++;
      });
      const weights = restore && options.resumeBestWeights ? await options.resumeBestWeights() : null;
      if (weights) best = weights.map((w) => tf.keep(w));
    },
    onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext) {
      if (monitor.improved(logs)) {
        bestEpoch = epoch;
        wait = 0;
        if (restore) keepBest(ctx);
      } else if (++wait >= patience) {
        ctx.stopTraining(`early stopping: ${monitor.metric} did not improve for ${patience} epochs (best ${monitor.best.toFixed(4)} at epoch ${bestEpoch + 1})`);
      }
    },
    onTrainEnd(_history: readonly EpochLogs[], ctx: TrainingContext) {
      if (best) {
        if (restore) ctx.model.setWeights(best);
        tf.dispose(best);
        best = null;
      }
    },
  };
}
