import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type EmbeddedServer, ensureEmbeddedServer, mlflow, stopEmbeddedServer } from '../../src';
import { launchBrowser } from '../helpers/browser';
import { OUTPUT_DIR, ROOT, VENV, requireCxrDev, runCommand, tempDir } from '../helpers/project';

const SCREENSHOTS = join(OUTPUT_DIR, 'screenshots');

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');
const stateDir = tempDir('mlflow-runs');
let server: EmbeddedServer;
let trackedRunUrl = '';

before(async () => {
  server = await ensureEmbeddedServer({ stateDir, venv: VENV });
});
after(() => {
  stopEmbeddedServer(stateDir);
});

test('cxrlab train logs the run to a real MLflow server: params, per-epoch metrics, tags, dataset, artifacts, model', async () => {
  const dir = tempDir('tracked');
  const experiment = join(dir, 'experiment.yaml');
  writeFileSync(experiment, `name: tracked\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 48\ntrain:\n  epochs: 2\n  batchSize: 16\nevaluation:\n  gradcamPerClass: 1\noutput:\n  dir: ${join(dir, 'runs')}\n`);
  const env = { ...process.env, CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: 'cxrlab-test' };
  const res = runCommand(process.execPath, [BIN, 'train', experiment], { env });
  assert.equal(res.status, 0, res.stderr);
  const url = /MLflow run (\S+)/.exec(res.stdout)?.[1] ?? '';
  const runId = url.split('/').pop() as string;
  assert.match(url, new RegExp(`^${server.uri}/#/experiments/\\d+/runs/[0-9a-f]{32}$`));
  trackedRunUrl = url;

  const client = mlflow.createMlflowClient({ trackingUri: server.uri });
  const run = await client.getRun(runId);
  assert.equal(run.info.status, 'FINISHED');
  const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
  assert.equal(params['data.imageSize'], '48');
  assert.equal(params['train.epochs'], '2');
  assert.equal(params['model.name'], 'seed-004');
  assert.equal(params['optimizer.beta_1'], '0.9');
  assert.equal(params['dataset.count.train'], '175');
  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  for (const key of ['mlflow.runName', 'mlflow.user', 'mlflow.source.name', 'mlflow.source.type', 'mlflow.source.git.commit', 'mlflow.note.content']) {
    assert.ok(tags[key], `tag ${key}`);
  }
  assert.match(tags['cxrlab.fastPath'] ?? '', /^relu-grad=on .*adam=on$/, 'the training route is recorded');
  const loss = await client.getMetricHistory(runId, 'loss');
  assert.deepEqual(loss.map((m) => m.step).sort(), [0, 1], 'one point per epoch, step = epoch');
  for (const key of ['accuracy', 'val_loss', 'val_accuracy', 'lr']) assert.equal((await client.getMetricHistory(runId, key)).length, 2, key);
  for (const key of ['system/cpu_utilization_percentage', 'system/system_memory_usage_megabytes', 'system/disk_usage_percentage']) {
    const points = await client.getMetricHistory(runId, key);
    assert.ok(points.length >= 1, `${key} is logged under MLflow's own name`);
  }
  const dataset = run.inputs?.dataset_inputs?.[0];
  assert.equal(dataset?.dataset.name, 'cxr-dev');
  assert.match(dataset?.dataset.digest ?? '', /^[0-9a-f]{16}$/);
  const files = (await client.listArtifacts(runId)).map((f) => f.path);
  for (const f of ['config.json', 'split.json', 'history.json', 'report.json', 'curves.html', 'confusion.html', 'confusion.png', 'gradcam']) assert.ok(files.includes(f), `artifact ${f} in ${files}`);
  const config = JSON.parse((await client.downloadArtifact(run.info.artifact_uri, 'config.json')).toString());
  assert.equal(config.name, 'tracked');
  assert.equal(run.outputs?.model_outputs?.length, 1, 'the model is a LoggedModel linked to the run');
  const runDir = /run folder (\S+)/.exec(res.stdout)?.[1] as string;
  assert.equal(JSON.parse(readFileSync(join(runDir, 'tracking.json'), 'utf8')).runId, runId);
});

test('cxrlab rerun <run-id> runs the logged config again as a new run with the identical split', async () => {
  assert.ok(trackedRunUrl, 'the tracked run of the first test');
  const sourceId = trackedRunUrl.split('/').pop() as string;
  const env = { ...process.env, CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: 'cxrlab-test' };
  const res = runCommand(process.execPath, [BIN, 'rerun', sourceId, '--set', 'train.epochs=1'], { env });
  assert.equal(res.status, 0, res.stderr);
  const newId = /MLflow run \S+\/runs\/([0-9a-f]{32})/.exec(res.stdout)?.[1] as string;
  assert.ok(newId && newId !== sourceId);
  const client = mlflow.createMlflowClient({ trackingUri: server.uri });
  const [source, rerun] = [await client.getRun(sourceId), await client.getRun(newId)];
  assert.equal(rerun.info.status, 'FINISHED');
  assert.equal(rerun.data.tags?.find((t) => t.key === 'cxrlab.rerunOf')?.value, sourceId);
  const split = async (run: typeof source) => (await client.downloadArtifact(run.info.artifact_uri, 'split.json')).toString();
  assert.equal(await split(rerun), await split(source), 'the rerun reproduces the split exactly');
  const param = (run: typeof source, key: string) => run.data.params?.find((p) => p.key === key)?.value;
  assert.equal(param(rerun, 'data.imageSize'), param(source, 'data.imageSize'));
  assert.equal(param(rerun, 'train.epochs'), '1', 'overrides apply to the rerun');

  const missing = runCommand(process.execPath, [BIN, 'rerun', '0'.repeat(32)], { env });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /RESOURCE_DOES_NOT_EXIST/);
});

test('03-train run in the tslab kernel logs to MLflow and prints the run link', async () => {
  const out = join(tempDir('nb-tracked'), '03-train.ipynb');
  const env = {
    ...process.env,
    CXRLAB_TRACKING: '1',
    MLFLOW_TRACKING_URI: server.uri,
    MLFLOW_EXPERIMENT_NAME: 'cxrlab-notebooks',
    CXRLAB_SET: `train.epochs=1;data.imageSize=48;evaluation.gradcamPerClass=0;output.dir=${tempDir('nb-tracked-runs')}`,
  };
  const res = runCommand(join(VENV, 'bin', 'python'), [join(ROOT, 'test', 'helpers', 'run_notebook.py'), join(ROOT, 'notebooks', '03-train.ipynb'), out], { env });
  assert.equal(res.status, 0, res.stderr.slice(-2000));
  const text = JSON.stringify(JSON.parse(readFileSync(out, 'utf8')).cells);
  const runId = /MLflow run: \S+\/runs\/([0-9a-f]{32})/.exec(text)?.[1] as string;
  assert.ok(runId, 'the notebook prints the MLflow link');
  const run = await mlflow.createMlflowClient({ trackingUri: server.uri }).getRun(runId);
  assert.equal(run.info.status, 'FINISHED');
  assert.equal(run.data.tags?.find((t) => t.key === 'mlflow.source.type')?.value, 'NOTEBOOK');
});

test('a run stopped by SIGTERM is marked KILLED in MLflow after its epochs are flushed', async () => {
  const { spawn } = await import('node:child_process');
  const dir = tempDir('killed');
  const experiment = join(dir, 'experiment.yaml');
  writeFileSync(experiment, `name: killed\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 96\ntrain:\n  epochs: 30\n  batchSize: 8\nevaluation:\n  gradcamPerClass: 0\noutput:\n  dir: ${join(dir, 'runs')}\n`);
  const env = { ...process.env, CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: 'cxrlab-test' };
  const out = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'train', experiment], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString();
      if (/epoch 2\/30 /.test(text) && !child.killed) child.kill('SIGTERM');
    });
    child.on('exit', () => resolve(text));
  });
  const runId = (/MLflow run \S+\/runs\/([0-9a-f]{32})/.exec(out)?.[1] ?? /MLflow run: \S+\/runs\/([0-9a-f]{32})/.exec(out)?.[1]) as string;
  assert.ok(runId, out);
  const client = mlflow.createMlflowClient({ trackingUri: server.uri });
  const run = await client.getRun(runId);
  assert.equal(run.info.status, 'KILLED');
  assert.ok((await client.getMetricHistory(runId, 'loss')).length >= 2, 'the completed epochs were logged');
});

test('the MLflow UI in headless Chromium charts the metrics of the run and previews its confusion matrix', async () => {
  assert.ok(trackedRunUrl, 'the tracked run of the first test');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${trackedRunUrl}/model-metrics`);
    for (const metric of ['loss', 'val_accuracy']) await page.getByText(metric, { exact: true }).first().waitFor({ timeout: 60_000 });
    await page.locator('svg .js-line, .js-plotly-plot, canvas').first().waitFor({ timeout: 60_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'mlflow-run-metrics.png') });
    await page.goto(`${trackedRunUrl}/artifacts/confusion.png`);
    await page.getByText('confusion.png').first().waitFor({ timeout: 60_000 });
    // The preview is an <img> (src: a blob or get-artifact URL) holding our 480×460 PNG once loaded.
    await page.waitForFunction('Array.from(document.images).some((img) => img.complete && img.naturalWidth >= 400)', undefined, { timeout: 60_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'mlflow-confusion-artifact.png') });
  } finally {
    await browser.close();
  }
});
