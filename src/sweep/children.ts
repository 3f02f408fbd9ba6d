// A sweep's child runs in MLflow: the tags that nest a run under the parent (mlflow.parentRunId, which the
// MLflow UI groups by) and number it (cxrlab.trial), finding a trial's run by them, and settling a trial
// once its run has ended: a run its process left RUNNING (a crash, a kill) is marked FAILED (KILLED when
// the sweep was stopped), a trial that died before its run was created gets a FAILED run of its own, and
// why it failed is tagged cxrlab.error.
import type { KeyValue, MlflowClient, Run } from '../mlflow-client';
import { flattenParams } from '../tracking/flatten';
import type { PlannedTrial } from './plan';
import type { TrialOutcome } from './summary';

export const PARENT_TAG = 'mlflow.parentRunId';
export const TRIAL_TAG = 'cxrlab.trial';
export const ERROR_TAG = 'cxrlab.error';

/** Where the children go: the parent run and its experiment. */
export interface ChildContext {
  client: MlflowClient;
  experimentId: string;
  parentRunId: string;
}

/** How a trial's process or call ended. */
export interface TrialExit {
  /** It ran to the end (exit code 0, or runExperiment returned). */
  ok: boolean;
  /** The child run, when the trial reported it. */
  runId?: string;
  /** Why it did not end well: the error message, or the end of the worker's output. */
  error?: string;
  /** The sweep was stopped while the trial ran. */
  interrupted: boolean;
}

export function childTags(parentRunId: string, trial: Pick<PlannedTrial, 'number'>): KeyValue[] {
  return [
    { key: PARENT_TAG, value: parentRunId },
    { key: TRIAL_TAG, value: String(trial.number) },
  ];
}

/** The trial's run under the parent, or null when none was created. */
export async function findChildRun(ctx: ChildContext, trialNumber: number): Promise<Run | null> {
  const { runs } = await ctx.client.searchRuns([ctx.experimentId], {
    filter: `tags.${PARENT_TAG} = '${ctx.parentRunId}' and tags.${TRIAL_TAG} = '${trialNumber}'`,
    orderBy: ['attributes.start_time DESC'],
    maxResults: 1,
  });
  return runs[0] ?? null;
}

/** Every child run of the parent. */
export async function childRuns(ctx: ChildContext): Promise<Run[]> {
  return ctx.client.searchAllRuns([ctx.experimentId], { filter: `tags.${PARENT_TAG} = '${ctx.parentRunId}'` });
}

/** How a trial that did not end well is marked. */
type EndStatus = 'FAILED' | 'KILLED';

const tagOf = (run: Run, key: string) => run.data.tags?.find((t) => t.key === key)?.value;

/** A FAILED (or KILLED) child for a trial whose process ended before its run existed, so every trial has a run. */
async function stubRun(ctx: ChildContext, trial: PlannedTrial, status: EndStatus, error: string): Promise<Run> {
  const info = await ctx.client.createRun(ctx.experimentId, {
    runName: `${trial.config.name}-not-started`,
    parentRunId: ctx.parentRunId,
    tags: [
      { key: TRIAL_TAG, value: String(trial.number) },
      { key: ERROR_TAG, value: error },
      { key: 'mlflow.note.content', value: `Trial ${trial.number} ended before its run was created:\n\n${error}` },
    ],
  });
  await ctx.client.logBatch(info.run_id, { params: flattenParams(trial.config) });
  await ctx.client.endRun(info.run_id, status);
  return ctx.client.getRun(info.run_id);
}

/** Ends what the trial left open and reads its outcome from MLflow: the run's final status and last metric values. */
export async function settleTrial(ctx: ChildContext, trial: PlannedTrial, exit: TrialExit): Promise<TrialOutcome> {
  const endStatus: EndStatus = exit.interrupted ? 'KILLED' : 'FAILED';
  const error = exit.error ?? (exit.ok ? undefined : 'the trial ended without saying why');
  let run = exit.runId ? await ctx.client.getRun(exit.runId) : await findChildRun(ctx, trial.number);
  if (!run && exit.ok) {
    // It finished, but its run is still in its journal (the server was away): nothing to read yet.
    return { number: trial.number, values: trial.values, status: 'FINISHED', metrics: {}, error: 'its run is not in MLflow yet: the records are journaled in its run folder (`cxrlab sync`)' };
  }
  if (!run) {
    run = await stubRun(ctx, trial, endStatus, error ?? 'the trial ended before its run was created');
  } else {
    if (!exit.ok && run.info.status === 'RUNNING') {
      await ctx.client.endRun(run.info.run_id, endStatus);
      run = { ...run, info: { ...run.info, status: endStatus } };
    }
    if (error && run.info.status !== 'FINISHED' && !tagOf(run, ERROR_TAG)) await ctx.client.setTag(run.info.run_id, ERROR_TAG, error);
  }
  // A finished process whose run is still RUNNING has its last records in its journal (`cxrlab sync` delivers them).
  const status = run.info.status === 'RUNNING' ? (exit.ok ? 'FINISHED' : endStatus) : run.info.status === 'SCHEDULED' ? endStatus : run.info.status;
  const metrics = Object.fromEntries((run.data.metrics ?? []).filter((m) => !m.key.startsWith('system/')).map((m) => [m.key, m.value]));
  return {
    number: trial.number,
    values: trial.values,
    status,
    runId: run.info.run_id,
    metrics,
    ...(error && status !== 'FINISHED' ? { error } : {}),
  };
}
