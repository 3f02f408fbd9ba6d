// What a sweep comes to, from its trials' outcomes: counts per status, the best child by the sweep's metric,
// the parent's status (FINISHED if any child finished, FAILED if none did, KILLED when interrupted), and the
// summary table as JSON and CSV. Pure: the runner gathers the outcomes, parent-run.ts logs the summary.
import type { TrialValue } from './plan';
import type { SweepMetric } from './schema';
import { formatValue } from './values';

/** A trial's end: its MLflow run's final status, or NOT_RUN when the sweep stopped before it started. */
export type TrialStatus = 'FINISHED' | 'FAILED' | 'KILLED' | 'NOT_RUN';
export const TRIAL_STATUSES: readonly TrialStatus[] = ['FINISHED', 'FAILED', 'KILLED', 'NOT_RUN'];

export interface TrialOutcome {
  number: number;
  values: readonly TrialValue[];
  status: TrialStatus;
  /** The child run (absent for a trial not run). */
  runId?: string;
  /** The child's last value of each metric it logged (system metrics left out). */
  metrics: Record<string, number>;
  /** Why it failed or stopped (the error, or the end of the worker's output); for a finished trial, why its run cannot be read yet. */
  error?: string;
}

export interface SweepSummary {
  status: 'FINISHED' | 'FAILED' | 'KILLED';
  counts: Record<TrialStatus, number>;
  metric: SweepMetric;
  /** The finished child with the best value of the metric (the lower trial number on a tie). */
  best?: { number: number; runId: string; value: number };
  trials: readonly TrialOutcome[];
}

/** Metrics every run logs, shown in the CSV beside the sweep's own metric when the children have them. */
const TABLE_METRICS = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'final_val_accuracy', 'val_balanced_accuracy', 'val_macro_f1', 'val_macro_auc', 'val_log_loss'];

export function summarise(outcomes: readonly TrialOutcome[], metric: SweepMetric, interrupted: boolean): SweepSummary {
  const trials = [...outcomes].sort((a, b) => a.number - b.number);
  const counts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, trials.filter((t) => t.status === s).length])) as Record<TrialStatus, number>;
  let best: SweepSummary['best'];
  for (const t of trials) {
    const value = t.metrics[metric.name];
    if (t.status !== 'FINISHED' || !t.runId || value === undefined || !Number.isFinite(value)) continue;
    if (!best || (metric.goal === 'max' ? value > best.value : value < best.value)) best = { number: t.number, runId: t.runId, value };
  }
  const status = interrupted ? 'KILLED' : counts.FINISHED > 0 ? 'FINISHED' : 'FAILED';
  return { status, counts, metric, ...(best ? { best } : {}), trials };
}

/** One line, e.g. `3 trials: 2 finished, 1 failed; best trial 2 val_accuracy=0.5227`. */
export function describeSummary(summary: SweepSummary): string {
  const parts = TRIAL_STATUSES.filter((s) => summary.counts[s] > 0).map((s) => `${summary.counts[s]} ${s === 'NOT_RUN' ? 'not run' : s.toLowerCase()}`);
  const best = summary.best
    ? `best trial ${summary.best.number} ${summary.metric.name}=${summary.best.value.toFixed(4)} (run ${summary.best.runId})`
    : `no finished trial logged ${summary.metric.name}`;
  return `${summary.trials.length} trial(s): ${parts.join(', ')}; ${best}`;
}

/** A multi-line error (a worker's last lines of stderr) in one cell's line: lines joined by ` | `. */
const oneLine = (text: string): string => text.trim().split(/\s*\n\s*/).join(' | ');

const csvCell = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The table of trials, one line each: number, status, run id, each parameter's value, the sweep's metric and the usual final metrics, the error. */
export function summaryCsv(summary: SweepSummary): string {
  const keys = [...new Set(summary.trials.flatMap((t) => t.values.map((v) => v.key)))];
  const metrics = [summary.metric.name, ...TABLE_METRICS.filter((m) => m !== summary.metric.name && summary.trials.some((t) => m in t.metrics))];
  const rows = [['trial', 'status', 'run_id', ...keys, ...metrics, 'error']];
  for (const t of summary.trials) {
    const values = new Map(t.values.map((v) => [v.key, formatValue(v.value)]));
    rows.push([String(t.number), t.status, t.runId ?? '', ...keys.map((k) => values.get(k) ?? ''), ...metrics.map((m) => (t.metrics[m] === undefined ? '' : String(t.metrics[m]))), oneLine(t.error ?? '')]);
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** sweep.json: the summary with each trial's values as a key → value object. */
export function summaryJson(summary: SweepSummary, extra: Record<string, unknown>): unknown {
  return {
    ...extra,
    status: summary.status,
    metric: summary.metric,
    counts: summary.counts,
    best: summary.best ?? null,
    trials: summary.trials.map((t) => ({ ...t, values: Object.fromEntries(t.values.map((v) => [v.key, v.value])) })),
  };
}
