// `cxrlab sweep <sweep.yaml> [--workers N] [--dry-run]`: validates the sweep file and every trial, prints
// the trials (and stops there with --dry-run), then runs the sweep as a parent MLflow run with one child
// per trial. Ctrl-C stops after the running trials' current batch (a second one ends the workers at once).
// Exit code: 0 when the sweep FINISHED (at least one trial did), 1 when every trial failed, 130 when stopped.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { MAX_WORKERS, type SweepPlan, type SweepSummary, formatValue, loadSweep, planSweep, runSweep } from '../sweep';
import { defaultTracking } from '../tracking/resolve';

const USAGE = 'usage: cxrlab sweep <sweep.yaml> [--workers N] [--dry-run]';

const say = (m: string) => console.log(`cxrlab: ${m}`);

function parse(args: string[]): { path: string; workers?: number; dryRun: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { workers: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  } catch (err) {
    throw new ConfigError('cxrlab sweep', [err instanceof Error ? err.message : String(err), USAGE]);
  }
  const { values, positionals } = parsed;
  const problems: string[] = [];
  if (positionals.length !== 1) problems.push(USAGE);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_WORKERS)) problems.push(`--workers must be a whole number from 1 to ${MAX_WORKERS}. Received: ${values.workers}`);
  if (problems.length) throw new ConfigError('cxrlab sweep', problems);
  return { path: resolve(positionals[0] as string), ...(workers !== undefined ? { workers } : {}), dryRun: values['dry-run'] };
}

/** Rows as aligned columns. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
}

function trialsTable(plan: SweepPlan): string[] {
  const keys = plan.spec.parameters.map((p) => p.key);
  return table([['trial', ...keys], ...plan.trials.map((t) => [String(t.number), ...t.values.map((v) => formatValue(v.value))])]);
}

function resultsTable(plan: SweepPlan, summary: SweepSummary): string[] {
  const keys = plan.spec.parameters.map((p) => p.key);
  const metric = summary.metric.name;
  return table([
    ['trial', ...keys, 'status', metric, 'run'],
    ...summary.trials.map((t) => [
      `${t.number}${summary.best?.number === t.number ? '*' : ''}`,
      ...t.values.map((v) => formatValue(v.value)),
      t.status,
      t.metrics[metric] === undefined ? '-' : (t.metrics[metric] as number).toFixed(4),
      t.runId ?? '-',
    ]),
  ]);
}

export async function sweepCommand(args: string[]): Promise<number> {
  const options = parse(args);
  const spec = await loadSweep(options.path);
  const plan = await planSweep(spec, process.env.CXRLAB_DATA ? { dataDir: process.env.CXRLAB_DATA } : {});
  const workers = Math.min(options.workers ?? spec.workers, plan.trials.length);
  say(`sweep ${spec.name} (${spec.path}): ${spec.method}${spec.method === 'random' ? ` (seed ${spec.seed})` : ''} over ${spec.parameters.length} parameter(s) of ${spec.experiment}, ${plan.trials.length} trial(s), ${workers} at a time`);
  if (spec.set.length) say(`every trial: ${spec.set.join(' ')}`);
  for (const line of trialsTable(plan)) say(`  ${line}`);
  if (options.dryRun) return 0;

  const tracking = await defaultTracking(say);
  if (!tracking) throw new ConfigError('cxrlab sweep', ['a sweep logs a parent run and its children to MLflow; unset CXRLAB_TRACKING=0']);
  const stop = new AbortController();
  const hardStop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      console.error(`\ncxrlab: ${signal}: stopping the running trials after their current batch; no more start (again to quit now)`);
      stop.abort(signal);
      return;
    }
    if (workers === 1) process.exit(130);
    console.error(`\ncxrlab: ${signal}: ending the workers now`);
    hardStop.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runSweep({ plan, tracking, workers, log: say, signal: stop.signal, hardStop: hardStop.signal });
    for (const line of resultsTable(plan, result.summary)) say(`  ${line}`);
    say(`sweep folder ${result.dir}`);
    say(`MLflow parent run ${result.parent.url}`);
    return result.summary.status === 'FINISHED' ? 0 : result.summary.status === 'KILLED' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
