// Nothing is lost when the tracking server goes away, against a real MLflow 3.17.2 server (one start, one
// restart on the same port and store): a run whose server is killed mid-run and a run started while it is
// down both finish without throwing and keep journals; `cxrlab sync` refuses to drop them while the server
// is away, delivers them once it is back — every epoch's metrics exactly once, params, dataset, artifacts,
// one LoggedModel, status FINISHED — and neither a second sync nor a replay of the whole journal after a
// sync that died before writing its markers duplicates anything.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CxrlabError } from '../../src/errors';
import { syncCommand } from '../../src/cli/sync';
import { createMlflowClient } from '../../src/mlflow-client';
import type { EpochLogs } from '../../src/train/callbacks/callback';
import { type RunTracker, startRunTracker } from '../../src/tracking/run-tracker';
import { SPOOL_FILE, Spool } from '../../src/tracking/spool';
import { captureLog } from '../helpers/console';
import { tempDir } from '../helpers/project';
import { useSyncServer } from '../helpers/sync-server';

const EPOCH_KEYS = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'];
const logs = (epoch: number): EpochLogs => ({ loss: 1 / (epoch + 1), accuracy: 0.5 + epoch / 20, val_loss: 1.2 / (epoch + 1), val_accuracy: 0.45 + epoch / 20, lr: 0.001, images_per_second: 50 + epoch });

const sync = useSyncServer();
const savedRetries = process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES;

/** A run folder as a run leaves it: config, a plots folder, the model and checkpoints (never uploaded). */
function runFolder(root: string, name: string): string {
  const dir = join(root, 'runs', name);
  mkdirSync(join(dir, 'plots'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ name }));
  writeFileSync(join(dir, 'plots', 'curves.html'), '<html>curves</html>');
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'model.json'), JSON.stringify({ format: 'layers-model', name }));
  writeFileSync(join(dir, 'model', 'weights.bin'), Buffer.from([1, 2, 3, 4]));
  mkdirSync(join(dir, 'checkpoints'));
  writeFileSync(join(dir, 'checkpoints', 'last.bin'), 'x');
  return dir;
}

/** What the experiment does after starting the tracker: tracking.json, params, dataset. */
async function begin(tracker: RunTracker, dir: string, name: string): Promise<void> {
  writeFileSync(join(dir, 'tracking.json'), JSON.stringify({ trackingUri: sync.server.uri, runId: tracker.runId, url: tracker.url }));
  await tracker.logParams([{ key: 'run.name', value: name }, { key: 'train.epochs', value: '4' }]);
  await tracker.logDataset({ name: 'cxr-dev', digest: '0123456789abcdef', source_type: 'local', source: '/data/cxr-dev' }, 'train');
}

const onEpochEnd = (tracker: RunTracker) => tracker.callback().onEpochEnd as (epoch: number, logs: EpochLogs) => Promise<void>;

/** The run as MLflow has it: each epoch's metrics exactly once, params, dataset, artifacts, one READY model, FINISHED. */
async function checkRun(runId: string, epochs: number, extraParams: Record<string, string>): Promise<void> {
  const run = await sync.reader.getRun(runId);
  assert.equal(run.info.status, 'FINISHED');
  for (const key of EPOCH_KEYS) {
    const history = await sync.reader.getMetricHistory(runId, key);
    assert.deepEqual(history.map((m) => m.step).sort((a, b) => a - b), [...Array(epochs).keys()], `${key}: one point per epoch`);
    for (const m of history) assert.equal(m.value, logs(m.step)[key], `${key} at step ${m.step}`);
  }
  const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
  for (const [key, value] of Object.entries(extraParams)) assert.equal(params[key], value, `param ${key}`);
  assert.equal(run.inputs?.dataset_inputs?.length, 1);
  assert.equal(run.inputs?.dataset_inputs?.[0]?.dataset.name, 'cxr-dev');
  const files = (await sync.reader.listArtifacts(runId)).map((f) => f.path).sort();
  assert.deepEqual(files, ['config.json', 'plots', 'tracking.json'], 'no model/, checkpoints/ or journal among the run artifacts');
  assert.equal((await sync.reader.downloadArtifact(run.info.artifact_uri, 'plots/curves.html')).toString(), '<html>curves</html>');
  assert.equal(run.outputs?.model_outputs?.length, 1, 'the model is linked to the run once');
  const { models } = await sync.reader.searchLoggedModels([run.info.experiment_id], { filter: `source_run_id = '${runId}'` });
  assert.equal(models.length, 1, 'one LoggedModel for the run');
  const model = models[0]!;
  assert.equal(model.info.model_id, run.outputs?.model_outputs?.[0]?.model_id);
  assert.equal(model.info.status, 'LOGGED_MODEL_READY');
  assert.deepEqual((await sync.reader.listArtifactsAt(model.info.artifact_uri)).map((f) => f.path).sort(), ['model.json', 'weights.bin']);
}

test('a server killed mid-run and a run started while it is down: journals kept, then synced exactly once', { timeout: 900_000 }, async () => {
  const root = tempDir('sync-it');
  const client = createMlflowClient({ trackingUri: sync.server.uri, maxRetries: 1, backoffMs: 50 });
  const warnings: string[] = [];
  const warn = (m: string) => void warnings.push(m);

  // Run A: starts with the server up, logs two epochs.
  const dirA = runFolder(root, 'a');
  const a = await startRunTracker({ client, experimentName: 'spool-it', runName: 'a', spoolDir: dirA, systemMetrics: false, warn });
  assert.match(a.runId, /^[0-9a-f]{32}$/);
  await begin(a, dirA, 'a');
  for (const epoch of [0, 1]) await onEpochEnd(a)(epoch, logs(epoch));
  await a.flush(); // epoch metrics go in the background
  assert.equal(a.spoolPath, null, 'no journal while everything is delivered');
  assert.equal((await sync.reader.getMetricHistory(a.runId, 'loss')).length, 2);

  await sync.server.kill();

  // Run A goes on without its server; run B starts without one.
  for (const epoch of [2, 3]) await onEpochEnd(a)(epoch, logs(epoch));
  await a.logParams([{ key: 'late.param', value: 'logged while away' }]);
  await a.finish('FINISHED', dirA);
  assert.ok(existsSync(join(dirA, SPOOL_FILE)), 'run A keeps a journal');
  assert.ok(warnings.some((w) => w.includes(`cxrlab sync ${dirA}`)), warnings.join('\n'));

  const dirB = runFolder(root, 'b');
  const b = await startRunTracker({ client, experimentName: 'spool-it', runName: 'b', spoolDir: dirB, systemMetrics: false, warn });
  assert.equal(b.runId, '');
  await begin(b, dirB, 'b');
  for (const epoch of [0, 1]) await onEpochEnd(b)(epoch, logs(epoch));
  await b.finish('FINISHED', dirB);
  assert.ok(existsSync(join(dirB, SPOOL_FILE)), 'run B keeps a journal');
  const journalA = readFileSync(join(dirA, SPOOL_FILE), 'utf8');
  const pendingA = (Spool.read(join(dirA, SPOOL_FILE)) as Spool).pending().length;

  // While the server is away, sync keeps everything and fails.
  process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES = '0';
  try {
    await captureLog(() => assert.rejects(syncCommand([dirA]), (err: unknown) => err instanceof CxrlabError && err.message.includes(`cannot reach ${sync.server.uri}`) && err.message.includes(dirA)));
  } finally {
    if (savedRetries === undefined) delete process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES;
    else process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES = savedRetries;
  }
  assert.equal((Spool.read(join(dirA, SPOOL_FILE)) as Spool).pending().length, pendingA, 'nothing dropped');

  await sync.server.start();

  const output = await captureLog(() => syncCommand([dirA, dirB]));
  assert.match(output, new RegExp(`${dirA}: delivered \\d+ record\\(s\\) to run ${a.runId}`));
  assert.match(output, new RegExp(`${dirB}: delivered \\d+ record\\(s\\) to run [0-9a-f]{32} .*create-run`));
  assert.equal(existsSync(join(dirA, SPOOL_FILE)), false, 'a delivered journal is removed');
  assert.equal(existsSync(join(dirB, SPOOL_FILE)), false);
  const trackingB = JSON.parse(readFileSync(join(dirB, 'tracking.json'), 'utf8')) as { runId: string; url: string };
  assert.match(trackingB.runId, /^[0-9a-f]{32}$/, 'tracking.json names the run created by the sync');
  assert.match(trackingB.url, new RegExp(`^${sync.server.uri}/#/experiments/\\d+/runs/${trackingB.runId}$`));
  const uploadedB = JSON.parse((await sync.reader.downloadArtifact((await sync.reader.getRun(trackingB.runId)).info.artifact_uri, 'tracking.json')).toString()) as { runId: string };
  assert.equal(uploadedB.runId, trackingB.runId, 'the uploaded tracking.json names the run too');

  await checkRun(a.runId, 4, { 'run.name': 'a', 'late.param': 'logged while away' });
  await checkRun(trackingB.runId, 2, { 'run.name': 'b', 'train.epochs': '4' });
  const runB = await sync.reader.getRun(trackingB.runId);
  assert.equal(runB.info.run_name, 'b');
  assert.equal(runB.data.tags?.find((t) => t.key === 'mlflow.user')?.value !== undefined, true);

  // A second sync finds nothing to do.
  const second = await captureLog(() => syncCommand([dirA, dirB]));
  assert.match(second, /nothing to deliver/);
  await checkRun(a.runId, 4, { 'late.param': 'logged while away' });

  // A sync that delivered everything but died before writing its markers: the whole journal again.
  writeFileSync(join(dirA, SPOOL_FILE), journalA);
  const replayed = await captureLog(() => syncCommand(['--all', join(root, 'runs')]));
  assert.match(replayed, new RegExp(`${dirA}: delivered`));
  assert.equal(existsSync(join(dirA, SPOOL_FILE)), false);
  await checkRun(a.runId, 4, { 'run.name': 'a', 'late.param': 'logged while away' });
  const runs = await sync.reader.searchAllRuns([runB.info.experiment_id]);
  assert.deepEqual(runs.map((r) => r.info.run_name).sort(), ['a', 'b'], 'no run was created twice');
});
