// Checkpoint-best: saves the model (tfjs layers format) to a folder whenever the monitored metric
// improves, so the best epoch survives a crash or a later, worse epoch.
import { mkdir } from 'node:fs/promises';
import type { EpochLogs, TrainingCallback, TrainingContext } from './callback';
import { Monitor, type MonitorOptions } from './monitor';

export interface CheckpointOptions extends MonitorOptions {
  /** Folder that receives model.json and the weights. */
  dir: string;
  /** Called after each save, e.g. for a log line. */
  onSave?: (epoch: number, value: number) => void;
}

export function checkpointBest(options: CheckpointOptions): TrainingCallback {
  const monitor = new Monitor(options);
  return {
    onResume(history: readonly EpochLogs[]) {
      history.forEach((logs) => monitor.improved(logs));
    },
    async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext) {
      if (!monitor.improved(logs)) return;
      await mkdir(options.dir, { recursive: true });
      await ctx.model.save(`file://${options.dir}`);
      options.onSave?.(epoch, monitor.best);
    },
  };
}
