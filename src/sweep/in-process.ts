// Runs a trial in this process: runExperiment on the trial's validated config, tracked as a child run
// (hooks.tags), one line per epoch, stopped after the current batch by the sweep's signal. Used when a
// sweep has one worker.
import type { ExperimentConfig } from '../config/schema';
import { runExperiment } from '../experiment';
import type { TrackingTarget } from '../tracking/resolve';
import type { TrainingCallback } from '../train/callbacks';
import { type TrialExecutor, errorMessage } from './executor';

const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(4));

function epochLines(log: (line: string) => void): TrainingCallback {
  return {
    onEpochEnd(epoch, logs, ctx) {
      log(`epoch ${epoch + 1}/${ctx.epochs} loss ${fmt(logs.loss)} accuracy ${fmt(logs.accuracy)} val_loss ${fmt(logs.val_loss)} val_accuracy ${fmt(logs.val_accuracy)}`);
    },
  };
}

export function inProcessExecutor(tracking: TrackingTarget): TrialExecutor {
  return async ({ trial, outputDir, tags, log, signal }) => {
    const config: ExperimentConfig = { ...trial.config, output: { ...trial.config.output, dir: outputDir } };
    try {
      const result = await runExperiment(config, { tracking, tags: [...tags], log, callbacks: [epochLines(log)], ...(signal ? { signal } : {}) });
      log(`val_accuracy ${result.valAccuracy.toFixed(4)}, run folder ${result.runDir}`);
      return { ok: true, interrupted: Boolean(signal?.aborted), ...(result.mlflow ? { runId: result.mlflow.runId } : {}) };
    } catch (err) {
      log(`failed: ${errorMessage(err)}`);
      return { ok: false, error: errorMessage(err), interrupted: Boolean(signal?.aborted) };
    }
  };
}
