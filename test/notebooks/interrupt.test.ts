// Interrupting 03-train's training cell on the real tslab kernel (this file owns that test): the harness
// test/helpers/interrupt_notebook.py starts the cell with far more epochs than it will run, waits for the
// first epoch's resume checkpoint, sends a kernel interrupt, then runs more cells in the same kernel. The
// run, logged to a real MLflow server, must stop inside the epoch it was interrupted in, write its folder
// (history, last checkpoint, model, report), end KILLED with one point per completed epoch, and the kernel
// must still run cells. Also: the signals interruptSignal() hands out share one SIGINT listener.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type MlflowClient, createMlflowClient } from '../../src/mlflow-client';
import { interruptSignal } from '../../src/notebook/display';
import type { EpochLogs } from '../../src/train/callbacks/callback';
import { type MlflowTestServer, startMlflowServer } from '../helpers/mlflow-server';
import type { Output } from '../helpers/notebooks';
import { OUTPUT_DIR, ROOT, VENV_BIN, requireCxrDev, runCommand, tempDir } from '../helpers/project';

/** Configured epochs: far more than run before the interrupt (at 64 px, one epoch takes a few seconds). */
const EPOCHS = 50;
/** Small batches, so that an epoch has many batches and the interrupt lands well inside one. */
const BATCH_SIZE = 8;
const EXPERIMENT_NAME = 'cxrlab-interrupt';
const CURVES = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'] as const;
const HARNESS = join(ROOT, 'test', 'helpers', 'interrupt_notebook.py');

/** After the interrupt: the kernel answers a plain expression… */
const PLAIN_CELL = '1 + 1';
/**
 * …and a cell that uses the notebook's state (`config`, `cxr`) waits for the interrupted run to wind down
 * in the background (tslab only stops waiting for the cell; the run finishes on its own) by reading its
 * MLflow run until it leaves RUNNING.
 */
const SETTLE_CELL = `import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
const runsOfExperiment = join(config.output.dir, config.name);
const interruptedRunDir = join(runsOfExperiment, readdirSync(runsOfExperiment)[0] ?? '');
const { runId } = JSON.parse(readFileSync(join(interruptedRunDir, 'tracking.json'), 'utf8')) as { runId: string };
const mlflowClient = cxr.mlflow.createMlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI ?? '' });
let runStatus = (await mlflowClient.getRun(runId)).info.status;
while (runStatus === 'RUNNING') {
  await new Promise((done) => setTimeout(done, 250));
  runStatus = (await mlflowClient.getRun(runId)).info.status;
}
console.log(\`settled: MLflow run \${runId} \${runStatus}\`);`;

type TimedOutput = Output & { at: number };

interface CellSummary {
  role: 'setup' | 'interrupted' | 'then';
  source: string;
  status: string | null;
  attempts: number;
  started: number;
  finished: number | null;
  outputs: TimedOutput[];
}

interface HarnessSummary {
  error: string | null;
  kernel_alive_at_end: boolean;
  interrupt?: {
    finished_before_interrupt: boolean;
    trigger: { kind: string; pattern: string; matched: string; content: string | null } | null;
    sent_at?: number;
    reply_after_s?: number;
  };
  cells: CellSummary[];
  finished_at: number;
}

interface Interrupted {
  summary: HarnessSummary;
  /** Epochs completed when the interrupt was sent: the resume checkpoint's `epoch` at that moment. */
  epochsAtInterrupt: number;
  runDir: string;
  history: EpochLogs[];
  /** Everything every cell printed, in the order it arrived (background output lands in whichever cell ran last). */
  text: string;
  seconds: number;
}

let server: MlflowTestServer;
let client: MlflowClient;
let run: Interrupted;

const textOfCell = (cell: CellSummary): string => cell.outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

function cellsOf(summary: HarnessSummary, role: CellSummary['role']): CellSummary[] {
  return summary.cells.filter((c) => c.role === role);
}

/** Runs the harness on 03-train against `server`; fails with the harness's own account when it could not follow its steps. */
function interruptTraining(outputDir: string): HarnessSummary {
  const summaryPath = join(OUTPUT_DIR, 'notebooks', 'interrupt-03-train.json');
  const env = {
    ...process.env,
    CXRLAB_TRACKING: '1',
    MLFLOW_TRACKING_URI: server.uri,
    MLFLOW_EXPERIMENT_NAME: EXPERIMENT_NAME,
    CXRLAB_SET: [`train.epochs=${EPOCHS}`, `train.batchSize=${BATCH_SIZE}`, 'data.imageSize=64', 'train.earlyStopping.enabled=false', `output.dir=${outputDir}`].join(';'),
  };
  const args = [
    HARNESS,
    join(ROOT, 'notebooks', '03-train.ipynb'),
    summaryPath,
    '--cell-match', 'runExperiment\\(',
    '--until-file', join(outputDir, '*', '*', 'checkpoints', 'last', 'state.json'),
    '--then', PLAIN_CELL,
    '--then', SETTLE_CELL,
    '--timeout', '600',
  ];
  const res = runCommand(join(VENV_BIN, 'python'), args, { env, timeoutMs: 1_500_000 });
  assert.ok(existsSync(summaryPath), `the harness wrote no summary (exit ${res.status}):\n${res.stderr.slice(-3000)}`);
  const summary = readJson<HarnessSummary>(summaryPath);
  const account = summary.cells.map((c) => `[${c.role} ${c.status}] ${c.source.split('\n')[0]}\n${textOfCell(c).slice(-1500)}`).join('\n');
  assert.equal(summary.error, null, `the harness could not follow its steps: ${summary.error}\n${account}`);
  assert.equal(res.status, 0, res.stderr.slice(-3000));
  return summary;
}

function onlyRunDir(outputDir: string): string {
  const parent = join(outputDir, 'default');
  const folders = existsSync(parent) ? readdirSync(parent) : [];
  assert.equal(folders.length, 1, `one run folder in ${parent}: ${folders.join(', ')}`);
  return join(parent, folders[0] as string);
}

before(async () => {
  requireCxrDev();
  server = await startMlflowServer();
  client = createMlflowClient({ trackingUri: server.uri });
  // The server creates its store on the first API request (slow on a busy machine); do that before the kernel starts.
  await client.getOrCreateExperiment(EXPERIMENT_NAME);
  const outputDir = tempDir('interrupt-runs');
  const started = Date.now();
  const summary = interruptTraining(outputDir);
  const trigger = summary.interrupt?.trigger;
  assert.ok(trigger?.content, `the harness kept the checkpoint state it saw when it interrupted: ${JSON.stringify(summary.interrupt)}`);
  const runDir = onlyRunDir(outputDir);
  run = {
    summary,
    epochsAtInterrupt: (JSON.parse(trigger.content) as { epoch: number }).epoch,
    runDir,
    history: readJson<EpochLogs[]>(join(runDir, 'history.json')),
    text: summary.cells.map(textOfCell).join(''),
    seconds: (Date.now() - started) / 1000,
  };
});

after(async () => {
  await server?.close();
});

test('the training cell is interrupted while it trains, and tslab ends the cell', (t) => {
  const { summary } = run;
  const interrupt = summary.interrupt;
  assert.equal(interrupt?.finished_before_interrupt, false, 'the cell was still running when the interrupt was sent');
  assert.ok(run.epochsAtInterrupt >= 1, `the first epoch's checkpoint was there when the interrupt was sent (epoch ${run.epochsAtInterrupt})`);
  const [cell] = cellsOf(summary, 'interrupted');
  assert.ok(cell, 'the training cell ran');
  // tslab stops waiting for the cell's promise and reports it as failed; the run goes on in the background.
  assert.equal(cell.status, 'error', `tslab ends an interrupted cell with status error, not ${cell.status}`);
  assert.match(textOfCell(cell), /Interrupted asynchronously/);
  t.diagnostic(`interrupt sent ${interrupt?.sent_at} s after the kernel started, after ${run.epochsAtInterrupt} epoch(s); the cell returned ${interrupt?.reply_after_s} s later; harness and run took ${run.seconds.toFixed(0)} s`);
});

test('training stops at the next batch: no further epoch completes, far short of the configured epochs', () => {
  assert.match(run.text, /stopped: kernel interrupted/, 'the run logs why it stopped');
  assert.ok(run.history.length < EPOCHS / 2, `history.json holds ${run.history.length} of ${EPOCHS} epochs`);
  assert.equal(
    run.history.length,
    run.epochsAtInterrupt,
    `the interrupt was sent early in epoch ${run.epochsAtInterrupt + 1} (of ${Math.ceil(175 / BATCH_SIZE)} batches), so the run must stop inside it, ` +
      `but history.json holds ${run.history.length} epochs: the interrupt was only acted on at an epoch's end`,
  );
});

test('the stopped run writes its folder: history, last checkpoint, model, report', () => {
  const { runDir, history } = run;
  for (const file of ['config.json', 'split.json', 'history.json', 'report.json', 'model-card.md', 'tracking.json', 'model/model.json', 'checkpoints/last/state.json', 'checkpoints/best/model.json']) {
    assert.ok(existsSync(join(runDir, file)), `${file} in the run folder ${runDir}`);
  }
  const last = readJson<{ epoch: number; history: EpochLogs[] }>(join(runDir, 'checkpoints', 'last', 'state.json'));
  assert.equal(last.epoch, history.length, 'the last checkpoint is of the last completed epoch');
  assert.deepEqual(last.history, history, 'the last checkpoint holds the same history as history.json');
  assert.ok(history.every((e) => CURVES.every((k) => Number.isFinite(e[k]))), 'every completed epoch has all its metrics');
});

test('the MLflow run is KILLED, with one point per completed epoch equal to history.json', async () => {
  const { runId } = readJson<{ runId: string }>(join(run.runDir, 'tracking.json'));
  const logged = await client.getRun(runId);
  assert.equal(logged.info.status, 'KILLED', `the interrupted run's status on the server`);
  assert.ok(logged.info.end_time, 'the run has an end time');
  const steps = run.history.map((_, epoch) => epoch);
  for (const key of CURVES) {
    const points = (await client.getMetricHistory(runId, key)).sort((a, b) => a.step - b.step);
    assert.deepEqual(points.map((p) => p.step), steps, `${key}: one point per completed epoch, step = epoch`);
    assert.deepEqual(points.map((p) => p.value), run.history.map((e) => e[key]), `${key}: the values of history.json`);
  }
  const files = (await client.listArtifacts(runId)).map((f) => f.path);
  for (const f of ['history.json', 'report.json']) assert.ok(files.includes(f), `artifact ${f} in ${files.join(', ')}`);
  assert.equal(logged.outputs?.model_outputs?.length, 1, 'the model of the stopped run is logged');
});

test('the kernel stays usable: cells after the interrupt run in the same kernel', () => {
  const { summary } = run;
  const [plain, settle] = cellsOf(summary, 'then');
  assert.ok(plain && settle, 'both cells after the interrupt were sent');
  assert.equal(plain.status, 'ok', `${PLAIN_CELL}: ${textOfCell(plain)}`);
  assert.match(textOfCell(plain), /^2$/m, `${PLAIN_CELL} prints 2`);
  assert.equal(settle.status, 'ok', `the cell reading the run failed:\n${textOfCell(settle).slice(-2000)}`);
  assert.match(run.text, /settled: MLflow run [0-9a-f]{32} KILLED/, 'the notebook sees its run KILLED');
  assert.equal(summary.kernel_alive_at_end, true, 'the kernel is alive at the end');
  const errors = summary.cells.filter((c) => c.role !== 'interrupted').flatMap((c) => c.outputs.filter((o) => o.output_type === 'error'));
  assert.deepEqual(errors.map((o) => `${o.ename}: ${o.evalue}`), [], 'no other cell raised');
});

test('interruptSignal: every signal handed out shares one SIGINT listener, which fires them all once', () => {
  const before = process.listeners('SIGINT');
  const signals = Array.from({ length: 12 }, () => interruptSignal()); // a training cell run twelve times
  const added = process.listeners('SIGINT').filter((l) => !before.includes(l));
  assert.equal(added.length, 1, 'one listener, not one per signal');
  assert.ok(signals.every((s) => !s.aborted));
  (added[0] as () => void)(); // what SIGINT does, without signalling the test process
  assert.deepEqual([...new Set(signals.map((s) => s.reason))], ['kernel interrupted'], 'every signal fired');
  assert.equal(process.listenerCount('SIGINT'), before.length, 'the listener is gone after the interrupt');
  const next = interruptSignal();
  assert.equal(next.aborted, false, 'a signal made after the interrupt waits for the next one');
  for (const l of process.listeners('SIGINT').filter((x) => !before.includes(x))) (l as () => void)();
  assert.equal(next.aborted, true);
});
