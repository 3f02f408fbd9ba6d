// Hyperparameter sweeps: a sweep file (grid or seeded random search over config keys) → validated trials →
// a parent MLflow run with one child run per trial (mlflow.parentRunId), run in this process or in worker
// processes, and the parent's summary.
export { sweepFileSchema, MAX_TRIALS, MAX_WORKERS, SWEEP_METHODS, type SweepFile, type SweepSpec, type SweepParameter, type ParameterSpace, type SweepMetric, type SweepMethod } from './schema';
export { loadSweep, parseSweep } from './load';
export { planSweep, trialValues, gridValues, randomValues, type SweepPlan, type PlannedTrial, type TrialValue, type PlanOptions } from './plan';
export { formatValue, formatOverride, drawValue } from './values';
export { summarise, summaryCsv, summaryJson, describeSummary, TRIAL_STATUSES, type SweepSummary, type TrialOutcome, type TrialStatus } from './summary';
export { childTags, findChildRun, childRuns, settleTrial, PARENT_TAG, TRIAL_TAG, ERROR_TAG, type ChildContext, type TrialExit } from './children';
export { createParentRun, finishParentRun, sweepParams, SWEEP_TAG, BEST_RUN_TAG, type ParentRun } from './parent-run';
export { workerArgs, workerExecutor, type WorkerOptions } from './worker-process';
export type { TrialExecutor, TrialRun } from './executor';
export { runSweep, workerEnv, type SweepOptions, type SweepResult } from './runner';
