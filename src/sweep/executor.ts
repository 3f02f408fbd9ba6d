// The boundary between the sweep runner and the two ways of running one trial (in this process, or in a
// worker process): what a trial is run with, and the TrialExit it ends with.
import type { KeyValue } from '../mlflow-client';
import type { TrialExit } from './children';
import type { PlannedTrial } from './plan';
import { formatOverride } from './values';

export interface TrialRun {
  trial: PlannedTrial;
  /** The folder the trial's run folder goes in (its config's output.dir): inside the sweep's folder. */
  outputDir: string;
  /** The child run's extra tags (mlflow.parentRunId, cxrlab.trial). */
  tags: readonly KeyValue[];
  /** One line of the trial's output. */
  log: (line: string) => void;
  /** Stops the trial after its current batch (its run ends KILLED). */
  signal?: AbortSignal;
}

/** Runs one trial to its end; never throws (a failure is a TrialExit with ok: false). */
export type TrialExecutor = (run: TrialRun) => Promise<TrialExit>;

/** The trial's overrides with its run folder put in the sweep's folder (last, so it wins over `set`). */
export function runOverrides(run: Pick<TrialRun, 'trial' | 'outputDir'>): string[] {
  return [...run.trial.overrides, formatOverride('output.dir', run.outputDir)];
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
