import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sweepCommand } from '../../src/cli/sweep';
import { type MlflowClient, type Run, createMlflowClient } from '../../src/mlflow-client';
import { loadSweep } from '../../src/sweep/load';
import { planSweep } from '../../src/sweep/plan';
import { runSweep } from '../../src/sweep/runner';
import { type MlflowTestServer, startMlflowServer } from '../helpers/mlflow-server';
import { requireCxrDev, tempDir } from '../helpers/project';

const EXPERIMENT = 'cxrlab-sweep-test';
/** Tiny trials: small images, one epoch, no Grad-CAM, no audit; the backbone path does not exist (a transfer trial fails on it at run time). */
const TINY = ['data.imageSize=32', 'train.epochs=1', 'evaluation.gradcamPerClass=0', 'evaluation.shortcutAudit=false', 'model.backbone=missing-backbone'];

let server: MlflowTestServer;
let client: MlflowClient;
let experimentId = '';

before(async () => {
  server = await startMlflowServer({ startTimeoutMs: 600_000 }); // generous: the machine may be busy
  client = createMlflowClient({ trackingUri: server.uri });
  experimentId = await client.getOrCreateExperiment(EXPERIMENT);
  // What `cxrlab sweep` and its workers log to.
  Object.assign(process.env, { CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: EXPERIMENT });
});
after(async () => {
  await server?.close();
});

/** A sweep file beside a tiny experiment on cxr-dev; returns its path. */
function writeSweep(name: string, body: string): string {
  const dir = tempDir(`sweep-${name}`);
  writeFileSync(join(dir, 'experiment.yaml'), `name: tiny\ndata:\n  dir: ${requireCxrDev()}\ntrain:\n  batchSize: 32\noutput:\n  dir: ${join(dir, 'runs')}\n`);
  writeFileSync(join(dir, 'sweep.yaml'), `name: ${name}\nexperiment: experiment.yaml\n${body}set: [${TINY.join(', ')}]\n`);
  return join(dir, 'sweep.yaml');
}

async function parentOf(name: string): Promise<Run> {
  const parents = await client.searchAllRuns([experimentId], { filter: `tags.cxrlab.sweep = '${name}'` });
  assert.equal(parents.length, 1, `one parent run tagged cxrlab.sweep=${name}`);
  return parents[0] as Run;
}

/** The parent's children by trial number. */
async function childrenOf(parent: Run): Promise<Map<number, Run>> {
  const runs = await client.searchAllRuns([experimentId], { filter: `tags.mlflow.parentRunId = '${parent.info.run_id}'` });
  return new Map(runs.map((r) => [Number(tag(r, 'cxrlab.trial')), r]));
}

const tag = (run: Run, key: string) => run.data.tags?.find((t) => t.key === key)?.value;
const param = (run: Run, key: string) => run.data.params?.find((p) => p.key === key)?.value;
const metric = (run: Run, key: string) => run.data.metrics?.find((m) => m.key === key)?.value;

test('a sweep with 2 worker processes makes one parent and a child per trial; the failing child is FAILED, the others FINISHED, the parent summarises', async () => {
  const sweepPath = writeSweep('tiny-workers', 'method: grid\nparameters:\n  model.name: [seed-004, transfer, seed-000]\nworkers: 2\n');
  const code = await sweepCommand([sweepPath]);
  assert.equal(code, 0, 'a sweep with a finished child exits 0');

  const parent = await parentOf('tiny-workers');
  assert.equal(parent.info.status, 'FINISHED');
  assert.equal(parent.info.run_name, 'tiny-workers');
  assert.equal(param(parent, 'sweep.method'), 'grid');
  assert.equal(param(parent, 'sweep.param.model.name'), '[ seed-004, transfer, seed-000 ]');
  assert.equal(param(parent, 'sweep.workers'), '2');

  const children = await childrenOf(parent);
  assert.deepEqual([...children.keys()].sort(), [1, 2, 3]);
  const [one, two, three] = [1, 2, 3].map((n) => children.get(n) as Run);
  assert.deepEqual([one, two, three].map((r) => r?.info.status), ['FINISHED', 'FAILED', 'FINISHED']);
  assert.deepEqual([one, two, three].map((r) => param(r as Run, 'model.name')), ['seed-004', 'transfer', 'seed-000'], 'each child has its trial config as params');
  assert.equal(param(one as Run, 'data.imageSize'), '32', '`set` reaches every child');
  assert.equal(param(one as Run, 'name'), 'tiny-workers-1');
  assert.match(tag(two as Run, 'cxrlab.error') ?? '', /backbone model not found/, 'why the child failed is tagged on it');
  assert.ok((two as Run).info.start_time! < (one as Run).info.end_time!, 'trials 1 and 2 ran at the same time');

  const best = [one, three].reduce((a, b) => ((metric(b as Run, 'val_accuracy') as number) > (metric(a as Run, 'val_accuracy') as number) ? b : a)) as Run;
  assert.equal(tag(parent, 'cxrlab.bestRun'), best.info.run_id);
  assert.equal(metric(parent, 'best_val_accuracy'), metric(best, 'val_accuracy'));
  assert.equal(metric(parent, 'trials_finished'), 2);
  assert.equal(metric(parent, 'trials_failed'), 1);
  assert.equal((await client.getMetricHistory(parent.info.run_id, 'trial_val_accuracy')).map((m) => m.step).sort().join(), '1,3', "each finished child's metric on the parent, step = trial");

  const files = (await client.listArtifacts(parent.info.run_id)).map((f) => f.path);
  for (const f of ['sweep.yaml', 'sweep.json', 'sweep.csv', 'logs']) assert.ok(files.includes(f), `artifact ${f} in ${files}`);
  const logs = (await client.listArtifacts(parent.info.run_id, 'logs')).map((f) => f.path).sort();
  assert.deepEqual(logs, ['logs/trial-1.log', 'logs/trial-2.log', 'logs/trial-3.log']);
  const summary = JSON.parse((await client.downloadArtifact(parent.info.artifact_uri, 'sweep.json')).toString()) as { status: string; best: { runId: string }; trials: { number: number; status: string; runId: string }[] };
  assert.equal(summary.status, 'FINISHED');
  assert.equal(summary.best.runId, best.info.run_id);
  assert.deepEqual(summary.trials.map((t) => [t.number, t.status, t.runId]), [1, 2, 3].map((n) => [n, children.get(n)?.info.status, children.get(n)?.info.run_id]));
  const csv = (await client.downloadArtifact(parent.info.artifact_uri, 'sweep.csv')).toString().trimEnd().split('\n');
  assert.equal(csv.length, 4, 'a header and one row per trial');
  assert.match(csv[0] as string, /^trial,status,run_id,model\.name,val_accuracy,/);
  assert.match(csv[2] as string, /^2,FAILED,[0-9a-f]{32},transfer,,/);
});

test('a sweep with one worker runs its trials in this process, one after another: a failing trial does not stop the next', async () => {
  const sweepPath = writeSweep('tiny-in-process', 'method: grid\nparameters:\n  model.name: [transfer, seed-004]\nworkers: 2\nmetric: { name: val_loss, goal: min }\n');
  const code = await sweepCommand([sweepPath, '--workers', '1']);
  assert.equal(code, 0);
  const parent = await parentOf('tiny-in-process');
  assert.equal(parent.info.status, 'FINISHED');
  assert.equal(param(parent, 'sweep.workers'), '1', '--workers overrides the file');
  const children = await childrenOf(parent);
  const [failed, finished] = [children.get(1) as Run, children.get(2) as Run];
  assert.equal(failed.info.status, 'FAILED');
  assert.match(tag(failed, 'cxrlab.error') ?? '', /backbone model not found/);
  assert.equal(finished.info.status, 'FINISHED');
  assert.ok((finished.info.start_time as number) >= (failed.info.end_time as number), 'one after another');
  assert.equal(tag(parent, 'cxrlab.bestRun'), finished.info.run_id);
  assert.equal(metric(parent, 'best_val_loss'), metric(finished, 'val_loss'));
  assert.ok(!(await client.listArtifacts(parent.info.run_id)).some((f) => f.path === 'logs'), 'no worker logs in this process');
});

/**
 * Stand-in workers for `cxrlab train` (no training): each behaves as STAND_IN_MODES says for its trial
 * (`--tag cxrlab.trial=<n>`): `early` exits 3 before creating a run; the others create their MLflow run with
 * the tags they are given and say `ready`, then `crash` dies by SIGKILL with its run RUNNING and `wait` ends
 * its run KILLED on SIGINT.
 */
const STAND_IN = `
const args = process.argv.slice(2);
const tags = args.flatMap((a, i) => (args[i - 1] === '--tag' ? [{ key: a.slice(0, a.indexOf('=')), value: a.slice(a.indexOf('=') + 1) }] : []));
const trial = Number(tags.find((t) => t.key === 'cxrlab.trial').value);
const mode = process.env.STAND_IN_MODES.split(',')[trial - 1];
if (mode === 'early') { console.error('cxrlab: cannot read the data'); process.exit(3); }
const uri = process.env.MLFLOW_TRACKING_URI;
const post = (path, body) => fetch(uri + '/api/2.0/mlflow/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
(async () => {
  const exp = await fetch(uri + '/api/2.0/mlflow/experiments/get-by-name?experiment_name=' + encodeURIComponent(process.env.MLFLOW_EXPERIMENT_NAME)).then((r) => r.json());
  const { run } = await post('runs/create', { experiment_id: exp.experiment.experiment_id, start_time: Date.now(), tags });
  if (mode === 'crash') process.kill(process.pid, 'SIGKILL');
  process.on('SIGINT', async () => {
    await post('runs/update', { run_id: run.info.run_id, status: 'KILLED', end_time: Date.now() });
    process.exit(130);
  });
  console.log('ready');
  setInterval(() => {}, 1000);
})();
`;

async function standInSweep(name: string, modes: string[], onLine: (line: string, stop: AbortController) => void) {
  const sweepPath = writeSweep(name, `method: grid\nparameters:\n  seed: [${modes.map((_, i) => i + 1).join(', ')}]\nworkers: 2\n`);
  const bin = join(tempDir('stand-in'), 'worker.cjs');
  writeFileSync(bin, STAND_IN);
  const plan = await planSweep(await loadSweep(sweepPath));
  const stop = new AbortController();
  const result = await runSweep({
    plan,
    tracking: { client, experimentName: EXPERIMENT },
    worker: { bin, env: { ...process.env, STAND_IN_MODES: modes.join(',') } },
    signal: stop.signal,
    log: (line) => onLine(line, stop),
  });
  return { result, parent: await parentOf(name) };
}

test('a worker that crashes leaves no RUNNING run: its run is marked FAILED, a worker that died before creating one gets a FAILED run; all failed → the parent FAILED', async () => {
  const { result, parent } = await standInSweep('stand-in-crash', ['crash', 'early'], () => {});
  assert.equal(result.summary.status, 'FAILED');
  assert.equal(parent.info.status, 'FAILED');
  const children = await childrenOf(parent);
  const [crashed, early] = [children.get(1) as Run, children.get(2) as Run];
  assert.equal(crashed.info.status, 'FAILED');
  assert.match(tag(crashed, 'cxrlab.error') ?? '', /killed by SIGKILL/);
  assert.equal(early.info.status, 'FAILED');
  assert.match(tag(early, 'cxrlab.error') ?? '', /exited with code 3: cxrlab: cannot read the data/);
  assert.equal(param(early, 'seed'), '2', "the run made for it has the trial's config as params");
  assert.equal(tag(parent, 'cxrlab.bestRun'), undefined);
  assert.equal(metric(parent, 'trials_failed'), 2);
  assert.ok(existsSync(join(result.dir, 'logs', 'trial-1.log')));
  assert.match(readFileSync(join(result.dir, 'logs', 'trial-2.log'), 'utf8'), /--tag mlflow\.parentRunId=[0-9a-f]{32} --tag cxrlab\.trial=2/);
});

test('a stopped sweep stops its running trials (KILLED), starts no more, and ends the parent KILLED', async () => {
  let ready = 0;
  const { result, parent } = await standInSweep('stand-in-stop', ['wait', 'wait', 'never'], (line, stop) => {
    if (/\[trial \d\] ready$/.test(line) && ++ready === 2) stop.abort();
  });
  assert.equal(parent.info.status, 'KILLED');
  assert.deepEqual(result.summary.trials.map((t) => t.status), ['KILLED', 'KILLED', 'NOT_RUN']);
  const children = await childrenOf(parent);
  assert.deepEqual([...children.keys()].sort(), [1, 2], 'the third trial never started');
  for (const child of children.values()) assert.equal(child.info.status, 'KILLED');
  assert.equal(metric(parent, 'trials_not_run'), 1);
});
