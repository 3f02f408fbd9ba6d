// `cxrlab predict` and `cxrlab serve` given an MLflow run id, against a real MLflow server: the run's
// LoggedModel and config.json are fetched into the model cache once and reused (also with the server
// gone), downloads are atomic, and an unknown run, a run without a model and an unreachable server each
// fail with a message naming the run id and the tracking URI.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createMlflowClient } from '../../src/mlflow-client';
import { MODEL_CACHE_DIR, RUN_MODEL_SOURCE_FILE, fetchRunModel } from '../../src/predict/mlflow-model';
import { type MlflowTestServer, startMlflowServer } from '../helpers/mlflow-server';
import { ROOT, requireCxrDev, runCommand, tempDir } from '../helpers/project';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');
let server: MlflowTestServer;
let runId = '';
let runDir = '';
let images = '';
/** Run ids this file may have cached in the project's model cache; removed at the end. */
const cachedIds = new Set<string>();

interface PredictionJson {
  path: string;
  label?: string;
  probabilities?: Record<string, number>;
  error?: string;
}

/** The CLI with the test server as MLFLOW_TRACKING_URI; CXRLAB_TRACKING=0 (a lookup by run id ignores it). */
function cxrlab(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return runCommand(process.execPath, [BIN, ...args], { env: { ...process.env, CXRLAB_TRACKING: '0', MLFLOW_TRACKING_URI: server.uri, ...extra } });
}

/** Predictions without their latencies, for comparing two runs of the command. */
function predictionsOf(stdout: string): PredictionJson[] {
  return (JSON.parse(stdout) as (PredictionJson & { latencyMs?: number })[]).map(({ latencyMs: _latency, ...rest }) => rest);
}

before(async () => {
  server = await startMlflowServer();
  // The server creates its store on the first API request (slow on a busy machine); do that before training.
  await createMlflowClient({ trackingUri: server.uri }).getOrCreateExperiment('predict-by-id');
  const dir = tempDir('predict-run-id');
  const experiment = join(dir, 'experiment.yaml');
  writeFileSync(
    experiment,
    `name: by-id\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 48\ntrain:\n  epochs: 1\nevaluation:\n  gradcamPerClass: 0\n  shortcutAudit: false\noutput:\n  dir: ${join(dir, 'runs')}\n`,
  );
  const trained = cxrlab(['train', experiment], { CXRLAB_TRACKING: '1', MLFLOW_EXPERIMENT_NAME: 'predict-by-id' });
  assert.equal(trained.status, 0, trained.stderr);
  runId = /MLflow run \S+\/runs\/([0-9a-f]{32})/.exec(trained.stdout)?.[1] ?? '';
  runDir = /run folder (\S+)/.exec(trained.stdout)?.[1] ?? '';
  assert.ok(runId && runDir, trained.stdout);
  const logged = await createMlflowClient({ trackingUri: server.uri }).getRun(runId);
  assert.equal(logged.outputs?.model_outputs?.length, 1, `the training run logged its model:\n${trained.stdout}\n${trained.stderr}`);
  cachedIds.add(runId);
  images = join(dir, 'images');
  mkdirSync(images);
  for (const label of ['covid', 'normal']) {
    const folder = join(requireCxrDev(), label);
    for (const f of readdirSync(folder).slice(0, 2)) copyFileSync(join(folder, f), join(images, f));
  }
});

after(async () => {
  await server?.close();
  for (const id of cachedIds) rmSync(join(MODEL_CACHE_DIR, id), { recursive: true, force: true });
});

test('cxrlab predict <run-id> fetches the logged model and config.json into the cache and predicts as the run folder does', async () => {
  rmSync(join(MODEL_CACHE_DIR, runId), { recursive: true, force: true });
  const byId = cxrlab(['predict', runId, images, '--json']);
  assert.equal(byId.status, 0, byId.stderr);
  const predictions = predictionsOf(byId.stdout);
  assert.equal(predictions.length, 4);
  for (const p of predictions) {
    assert.ok(['covid', 'pneumonia', 'normal'].includes(p.label as string), JSON.stringify(p));
    assert.ok(Math.abs(Object.values(p.probabilities ?? {}).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  }
  const byFolder = cxrlab(['predict', runDir, images, '--json']);
  assert.equal(byFolder.status, 0, byFolder.stderr);
  assert.deepEqual(predictions, predictionsOf(byFolder.stdout), 'the logged model is the run folder\'s model');

  const cached = join(MODEL_CACHE_DIR, runId);
  for (const f of ['model/model.json', 'model/weights.bin', 'config.json', RUN_MODEL_SOURCE_FILE]) assert.ok(existsSync(join(cached, f)), `${f} in ${cached}`);
  assert.deepEqual(JSON.parse(readFileSync(join(cached, 'config.json'), 'utf8')), JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')));
  const run = await createMlflowClient({ trackingUri: server.uri }).getRun(runId);
  const source = JSON.parse(readFileSync(join(cached, RUN_MODEL_SOURCE_FILE), 'utf8')) as { runId: string; modelId: string; trackingUri: string };
  assert.deepEqual([source.runId, source.modelId, source.trackingUri], [runId, run.outputs?.model_outputs?.[0]?.model_id, server.uri]);
  assert.deepEqual(readdirSync(MODEL_CACHE_DIR).filter((n) => n.includes('.partial-')), [], 'no partial download is left behind');
});

test('fetchRunModel: concurrent fetches of one run end with one complete folder; run files asked later are added to it', async () => {
  const cacheDir = tempDir('model-cache');
  const client = createMlflowClient({ trackingUri: server.uri });
  const [a, b] = await Promise.all([fetchRunModel({ runId, client, cacheDir }), fetchRunModel({ runId, client, cacheDir })]);
  assert.equal(a.dir, join(cacheDir, runId));
  assert.equal(b.dir, a.dir);
  assert.deepEqual(readdirSync(cacheDir), [runId], 'only the finished folder, no temporary one');
  assert.deepEqual(readdirSync(join(a.dir, 'model')).sort(), ['model.json', 'weights.bin']);
  assert.equal(existsSync(join(a.dir, 'report.json')), false);

  const again = await fetchRunModel({ runId, client, cacheDir, runFiles: ['report.json', 'split.json'] });
  assert.equal(again.cached, true);
  assert.deepEqual(JSON.parse(readFileSync(join(again.dir, 'split.json'), 'utf8')), JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8')));
  assert.ok(existsSync(join(again.dir, 'report.json')));
  await assert.rejects(fetchRunModel({ runId, client, cacheDir, runFiles: ['no-such-file.json'] }), (err: Error) => {
    assert.match(err.message, new RegExp(`^MLflow run ${runId} \\(tracking server ${server.uri}\\): the run has no artifact no-such-file\\.json`));
    return true;
  });
});

test('cxrlab predict with an unknown run id names the run id and the tracking URI', () => {
  const unknown = '0123456789abcdef0123456789abcdef';
  const res = cxrlab(['predict', unknown, images]);
  assert.equal(res.status, 1);
  assert.match(res.stderr, new RegExp(`cxrlab: MLflow run ${unknown} \\(tracking server ${server.uri}\\): no such run on this server`));
  assert.equal(existsSync(join(MODEL_CACHE_DIR, unknown)), false);
});

test('cxrlab predict with the id of a run that logged no model says so', async () => {
  const client = createMlflowClient({ trackingUri: server.uri });
  const run = await client.createRun(await client.getOrCreateExperiment('predict-by-id'), { runName: 'no-model' });
  await client.endRun(run.run_id, 'FINISHED');
  const res = cxrlab(['predict', run.run_id, images]);
  assert.equal(res.status, 1);
  assert.match(res.stderr, new RegExp(`cxrlab: MLflow run ${run.run_id} \\(tracking server ${server.uri}\\): the run has no logged model`));
});

test('cxrlab serve <run-id> serves the logged model over HTTP', async () => {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', runId, '--port', '0'], {
    env: { ...process.env, CXRLAB_TRACKING: '0', MLFLOW_TRACKING_URI: server.uri },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = / at (http:\/\/\S+) /.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      void exited.then((code) => reject(new Error(`cxrlab serve exited with ${code} before serving:\n${out}\n${err}`)));
    });
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; input: number[] };
    assert.equal(health.status, 'ok');
    assert.deepEqual(health.input, [48, 48, 3], 'the model of the run (imageSize 48)');
    const image = join(images, readdirSync(images)[0] as string);
    const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: readFileSync(image) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { class: string; probabilities: Record<string, number> };
    const expected = predictionsOf(cxrlab(['predict', runDir, image, '--json']).stdout)[0];
    assert.equal(body.class, expected?.label);
    for (const [c, p] of Object.entries(expected?.probabilities ?? {})) assert.ok(Math.abs((body.probabilities[c] as number) - p) < 1e-5, `${c}: ${body.probabilities[c]} vs ${p}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('with the server gone, a cached run still predicts and an uncached run id names the unreachable server', async () => {
  const first = cxrlab(['predict', runId, images, '--json']);
  assert.equal(first.status, 0, first.stderr);
  await server.stop();
  const offline = cxrlab(['predict', runId, images, '--json']);
  assert.equal(offline.status, 0, offline.stderr);
  assert.deepEqual(predictionsOf(offline.stdout), predictionsOf(first.stdout), 'the cached model is used without the server');

  const uncached = 'fedcba9876543210fedcba9876543210';
  const res = cxrlab(['predict', uncached, images], { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
  assert.equal(res.status, 1);
  assert.match(res.stderr, new RegExp(`cxrlab: MLflow run ${uncached} \\(tracking server ${server.uri}\\): the tracking server does not answer`));
  assert.equal(existsSync(join(MODEL_CACHE_DIR, uncached)), false);
});
