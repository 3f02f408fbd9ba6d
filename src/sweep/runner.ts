// Runs a sweep: the sweep folder (<output.dir>/<sweep>/<timestamp>/, holding the trials' run folders, their
// logs and the summary), the parent run, then every trial as a child run — one after another in this
// process (workers: 1) or in N worker processes — each settled in MLflow as it ends (its journaled records
// delivered first, for a worker), so one failing trial is FAILED and the others go on. A stop signal lets the running
// trials stop after their current batch (KILLED) and starts no more; the parent then ends KILLED. At the
// end the parent logs the summary.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMlflowClient, settingsFromEnv } from '../mlflow-client';
import { createRunDir } from '../run/dir';
import type { TrackingTarget } from '../tracking/resolve';
import { type ChildContext, childTags, settleTrial } from './children';
import { deliverJournals } from './deliver';
import { type TrialExecutor, errorMessage } from './executor';
import { inProcessExecutor } from './in-process';
import { type ParentRun, createParentRun, endParentRun, finishParentRun, logTrialMetric } from './parent-run';
import type { PlannedTrial, SweepPlan } from './plan';
import { type SweepSummary, type TrialOutcome, describeSummary, summarise, summaryCsv, summaryJson } from './summary';
import { formatOverride } from './values';
import { workerExecutor } from './worker-process';

export interface SweepOptions {
  plan: SweepPlan;
  /** Where the parent and its children are logged. */
  tracking: TrackingTarget;
  /** Trials at once: 1 runs them in this process, N > 1 in N worker processes. Defaults to the sweep file's `workers`. */
  workers?: number;
  /** Progress lines (each trial's output prefixed with `[trial n]`). */
  log?: (message: string) => void;
  /** Stops the sweep: running trials stop after their current batch, no more start, the parent ends KILLED. */
  signal?: AbortSignal;
  /** Kills running worker processes at once (after `signal`, e.g. a second Ctrl-C). */
  hardStop?: AbortSignal;
  /** Worker processes: the `cxrlab` entry point, Node, and the environment they start from (default process.env). */
  worker?: { bin?: string; node?: string; env?: NodeJS.ProcessEnv };
}

export interface SweepResult {
  parent: Pick<ParentRun, 'runId' | 'experimentId' | 'url'>;
  /** The sweep folder: sweep.yaml, sweep.json, sweep.csv, logs/, and the trials' run folders. */
  dir: string;
  summary: SweepSummary;
}

/** The workers' environment: this sweep's tracking server (its credentials kept when it is the one in `base`) and experiment. */
export function workerEnv(tracking: TrackingTarget, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const fromEnv = settingsFromEnv(base).options;
  const sameServer = fromEnv != null && createMlflowClient(fromEnv).trackingUri === tracking.client.trackingUri;
  return {
    ...base,
    CXRLAB_TRACKING: '1',
    MLFLOW_TRACKING_URI: sameServer ? (base.MLFLOW_TRACKING_URI as string) : tracking.client.trackingUri,
    MLFLOW_EXPERIMENT_NAME: tracking.experimentName,
  };
}

function executorFor(options: SweepOptions, workers: number, env: NodeJS.ProcessEnv, logDir: string): TrialExecutor {
  if (workers > 1) {
    return workerExecutor({
      experiment: options.plan.spec.experiment,
      env,
      logDir,
      ...(options.worker?.bin ? { bin: options.worker.bin } : {}),
      ...(options.worker?.node ? { node: options.worker.node } : {}),
      ...(options.hardStop ? { hardStop: options.hardStop } : {}),
    });
  }
  return inProcessExecutor(options.tracking);
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const { plan, tracking, signal } = options;
  const { spec } = plan;
  const log = options.log ?? (() => {});
  const workers = Math.max(1, Math.min(options.workers ?? spec.workers, plan.trials.length));
  const dir = await createRunDir(plan.base.output.dir, spec.name);
  await copyFile(spec.path, join(dir, 'sweep.yaml'));
  const logDir = join(dir, 'logs');
  if (workers > 1) await mkdir(logDir);
  const parent = await createParentRun(tracking, plan, workers);
  log(`sweep ${spec.name}: ${plan.trials.length} trial(s), ${workers} at a time${workers > 1 ? ' (worker processes)' : ''}; folder ${dir}`);
  log(`sweep ${spec.name}: MLflow parent run ${parent.url}`);
  const children: ChildContext = { client: tracking.client, experimentId: parent.experimentId, parentRunId: parent.runId };
  const env = workerEnv(tracking, options.worker?.env ?? process.env);
  const execute = executorFor(options, workers, env, logDir);
  const total = plan.trials.length;

  const runTrial = async (trial: PlannedTrial): Promise<TrialOutcome> => {
    log(`trial ${trial.number}/${total}: ${trial.values.map((v) => formatOverride(v.key, v.value)).join(' ')}`);
    const trialLog = (line: string) => log(`[trial ${trial.number}] ${line}`);
    const exit = await execute({ trial, outputDir: dir, tags: childTags(parent.runId, trial), log: trialLog, ...(signal ? { signal } : {}) });
    // A worker has exited, so its journal has no other writer; in this process the tracker goes on delivering its own.
    if (workers > 1) await deliverJournals({ trialDir: join(dir, trial.config.name), env, log: trialLog });
    const outcome = await settleTrial(children, trial, exit).catch(
      (err: unknown): TrialOutcome => ({ number: trial.number, values: trial.values, status: 'FAILED', metrics: {}, error: `${exit.error ?? 'the trial ended'}; its run could not be read or closed in MLflow: ${errorMessage(err)}` }),
    );
    await logTrialMetric(parent, outcome, spec.metric.name).catch((err: unknown) => log(`sweep ${spec.name}: cannot log trial ${trial.number}'s ${spec.metric.name} on the parent: ${errorMessage(err)}`));
    const value = outcome.metrics[spec.metric.name];
    log(`trial ${trial.number}/${total} ${outcome.status}${value !== undefined ? ` ${spec.metric.name}=${value.toFixed(4)}` : ''}${outcome.runId ? ` (run ${outcome.runId})` : ''}${outcome.error ? `: ${outcome.error.split('\n').at(-1)}` : ''}`);
    return outcome;
  };

  const outcomes: TrialOutcome[] = [];
  const queue = [...plan.trials];
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let trial = queue.shift(); trial; trial = queue.shift()) {
          outcomes.push(signal?.aborted ? { number: trial.number, values: trial.values, status: 'NOT_RUN', metrics: {} } : await runTrial(trial));
        }
      }),
    );
  } catch (err) {
    await endParentRun(parent, 'FAILED').catch(() => {});
    throw err;
  }

  const summary = summarise(outcomes, spec.metric, Boolean(signal?.aborted));
  const about = { name: spec.name, sweepFile: spec.path, experiment: spec.experiment, method: spec.method, workers, parentRunId: parent.runId, url: parent.url, dir };
  await writeFile(join(dir, 'sweep.json'), `${JSON.stringify(summaryJson(summary, about), null, 2)}\n`);
  await writeFile(join(dir, 'sweep.csv'), summaryCsv(summary));
  try {
    await finishParentRun(parent, summary, dir);
  } catch (err) {
    log(`sweep ${spec.name}: cannot log the summary to MLflow (${errorMessage(err)}); it is in ${dir}`);
    await endParentRun(parent, summary.status).catch(() => {});
  }
  log(`sweep ${spec.name} ${summary.status}: ${describeSummary(summary)}`);
  return { parent: { runId: parent.runId, experimentId: parent.experimentId, url: parent.url }, dir, summary };
}
