// The client against the real MLflow 3.17.2 server from the venv (one server for this file, sqlite store
// and artifact proxy in a temp dir): experiments, runs with system tags, big log-batches read back
// complete, tags, search, inputs, artifacts byte for byte, a LoggedModel linked to its run, images, final
// statuses, server-side errors, and riding out a server restart on the same store.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type MlflowClient, createMlflowClient, isMlflowError } from '../../src/mlflow-client';
import { type MlflowTestServer, startMlflowServer } from '../helpers/mlflow-server';

let server: MlflowTestServer;
let client: MlflowClient;
const local = mkdtempSync(join(tmpdir(), 'mlflow-client-it-'));
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2263bf70000000049454e44ae426082', 'hex');

before(async () => {
  server = await startMlflowServer();
  client = createMlflowClient({ trackingUri: server.uri, username: 'it-user', maxRetries: 2, backoffMs: 200 });
}, { timeout: 240_000 });

after(async () => {
  await server?.close();
  rmSync(local, { recursive: true, force: true });
});

const tagMap = (tags: { key: string; value: string }[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));

async function rawPost(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${server.uri}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

test('get-or-create: creates once, finds it again, restores a deleted one or refuses it', async () => {
  assert.equal(await client.getExperimentByName('it-experiments'), null);
  const id = await client.getOrCreateExperiment('it-experiments');
  assert.equal(await client.getOrCreateExperiment('it-experiments'), id);
  const exp = await client.getExperimentByName('it-experiments');
  assert.equal(exp?.experiment_id, id);
  assert.equal(exp?.lifecycle_stage, 'active');
  assert.equal(exp?.artifact_location, `mlflow-artifacts:/${id}`);
  await assert.rejects(client.createExperiment('it-experiments'), (err: unknown) => isMlflowError(err) && err.errorCode === 'RESOURCE_ALREADY_EXISTS' && err.status === 400);

  await rawPost('experiments/delete', { experiment_id: id });
  assert.equal((await client.getExperimentByName('it-experiments'))?.lifecycle_stage, 'deleted');
  await assert.rejects(client.getOrCreateExperiment('it-experiments', { ifDeleted: 'error' }), /is deleted and its name is still taken/);
  assert.equal(await client.getOrCreateExperiment('it-experiments'), id);
  assert.equal((await client.getExperiment(id)).lifecycle_stage, 'active');
});

test('a new run carries run name, mlflow.user, mlflow.source.name and mlflow.source.type', async () => {
  const exp = await client.getOrCreateExperiment('it-runs');
  const info = await client.createRun(exp, { runName: 'system-tags', tags: [{ key: 'team', value: 'cxr' }] });
  assert.equal(info.status, 'RUNNING');
  assert.match(info.artifact_uri, new RegExp(`^mlflow-artifacts:/${exp}/${info.run_id}/artifacts$`));
  const run = await client.getRun(info.run_id);
  assert.equal(run.info.run_name, 'system-tags');
  assert.equal(run.info.user_id, 'it-user');
  const tags = tagMap(run.data.tags);
  assert.equal(tags['mlflow.runName'], 'system-tags');
  assert.equal(tags['mlflow.user'], 'it-user');
  assert.equal(tags['mlflow.source.name'], process.argv[1]);
  assert.equal(tags['mlflow.source.type'], 'LOCAL');
  assert.equal(tags.team, 'cxr');
});

test('log-batch of 2500 metrics, 250 params and 150 tags arrives complete', async () => {
  const exp = await client.getOrCreateExperiment('it-runs');
  const { run_id: runId } = await client.createRun(exp, { runName: 'big-batch' });
  const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: i % 2 ? 'val_loss' : 'loss', value: i === 4 ? Number.NaN : i / 10, timestamp: 1_700_000_000_000 + i, step: Math.floor(i / 2) }));
  const params = Array.from({ length: 250 }, (_, i) => ({ key: `param.${i}`, value: i === 0 ? 'x'.repeat(7000) : String(i) }));
  const tags = Array.from({ length: 150 }, (_, i) => ({ key: `tag.${i}`, value: `v${i}` }));
  await client.logBatch(runId, { metrics, params, tags });

  const run = await client.getRun(runId);
  assert.equal(run.data.params?.length, 250);
  const p = tagMap(run.data.params);
  assert.equal(p['param.249'], '249');
  assert.equal(p['param.0'], 'x'.repeat(6000), 'the over-long value arrives truncated to 6000 characters');
  const t = tagMap(run.data.tags);
  for (let i = 0; i < 150; i++) assert.equal(t[`tag.${i}`], `v${i}`);
  assert.deepEqual(Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.step])), { loss: 1249, val_loss: 1249 });

  const loss = await client.getMetricHistory(runId, 'loss');
  assert.equal(loss.length, 1250);
  assert.deepEqual(loss.map((m) => m.step), Array.from({ length: 1250 }, (_, i) => i));
  assert.ok(Number.isNaN(loss[2]!.value), 'NaN is stored and read back as NaN');
  assert.equal(loss[3]!.value, 0.6);
  assert.equal(loss[3]!.timestamp, 1_700_000_000_006);
  const paged = await client.getMetricHistory(runId, 'val_loss', { pageSize: 400 });
  assert.equal(paged.length, 1250);
  assert.equal(new Set(paged.map((m) => m.step)).size, 1250);

  // Params are write-once on the server: another value for a logged key is refused with MLflow's code.
  await assert.rejects(client.logBatch(runId, { params: [{ key: 'param.1', value: 'changed' }] }), (err: unknown) => {
    assert.ok(isMlflowError(err));
    assert.equal(err.kind, 'response');
    assert.equal(err.status, 400);
    assert.equal(err.errorCode, 'INVALID_PARAMETER_VALUE');
    assert.equal(err.path, '/api/2.0/mlflow/runs/log-batch');
    assert.match(err.message, /Changing param values is not allowed/);
    return true;
  });
});

test('set-tag and delete-tag', async () => {
  const exp = await client.getOrCreateExperiment('it-runs');
  const { run_id: runId } = await client.createRun(exp, { runName: 'tags' });
  await client.setTag(runId, 'mlflow.note.content', 'first');
  await client.setTag(runId, 'mlflow.note.content', '# notes\n\nsecond');
  await client.setTag(runId, 'to.delete', 'x');
  assert.equal(tagMap((await client.getRun(runId)).data.tags)['mlflow.note.content'], '# notes\n\nsecond');
  await client.deleteTag(runId, 'to.delete');
  assert.equal(tagMap((await client.getRun(runId)).data.tags)['to.delete'], undefined);
  await assert.rejects(client.deleteTag(runId, 'to.delete'), (err: unknown) => isMlflowError(err) && err.errorCode === 'RESOURCE_DOES_NOT_EXIST');
});

test('search runs with a filter, an order and page tokens', async () => {
  const exp = await client.getOrCreateExperiment('it-search');
  for (let i = 0; i < 5; i++) {
    const { run_id: runId } = await client.createRun(exp, { runName: `s${i}` });
    await client.logBatch(runId, { params: [{ key: 'model', value: i % 2 ? 'resnet-small' : 'seed-004' }], metrics: [{ key: 'val_accuracy', value: i / 10 }] });
  }
  const seed = await client.searchAllRuns([exp], { filter: "params.model = 'seed-004'", orderBy: ['metrics.val_accuracy DESC'] });
  assert.deepEqual(seed.map((r) => r.info.run_name), ['s4', 's2', 's0']);
  const first = await client.searchRuns([exp], { maxResults: 2, orderBy: ['attributes.run_name ASC'] });
  assert.deepEqual(first.runs.map((r) => r.info.run_name), ['s0', 's1']);
  assert.ok(first.nextPageToken);
  const second = await client.searchRuns([exp], { maxResults: 2, orderBy: ['attributes.run_name ASC'], pageToken: first.nextPageToken });
  assert.deepEqual(second.runs.map((r) => r.info.run_name), ['s2', 's3']);
  assert.equal((await client.searchAllRuns([exp], { limit: 3 })).length, 3);
  assert.equal((await client.searchAllRuns([exp], { filter: 'metrics.val_accuracy > 0.25' })).length, 2);
});

test('a logged dataset input shows in runs/get', async () => {
  const exp = await client.getOrCreateExperiment('it-runs');
  const { run_id: runId } = await client.createRun(exp, { runName: 'inputs' });
  const dataset = { name: 'cxr-dev', digest: 'd41d8cd9', source_type: 'local', source: '{"uri": "/data/cxr-dev"}', schema: '{"classes": ["covid", "pneumonia", "normal"]}', profile: '{"num_rows": 219}' };
  await client.logInputs(runId, [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'train' }] }]);
  const inputs = (await client.getRun(runId)).inputs?.dataset_inputs ?? [];
  assert.equal(inputs.length, 1);
  assert.deepEqual(inputs[0]!.dataset, dataset);
  assert.deepEqual(inputs[0]!.tags, [{ key: 'mlflow.data.context', value: 'train' }]);
});

test('artifacts: upload a folder and a file, list them, download them byte for byte', async () => {
  const exp = await client.getOrCreateExperiment('it-artifacts');
  const info = await client.createRun(exp, { runName: 'artifacts' });
  const dir = join(local, 'run-folder');
  mkdirSync(join(dir, 'plots', 'sub dir'), { recursive: true });
  const blob = randomBytes(300_000);
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ val_accuracy: 0.5 }));
  writeFileSync(join(dir, 'plots', 'sub dir', 'blob+1.bin'), blob);
  writeFileSync(join(dir, 'plots', 'curves.html'), '<html><body>curves</body></html>');
  const written = await client.uploadArtifacts(info.artifact_uri, dir);
  assert.deepEqual(written, ['plots/curves.html', 'plots/sub dir/blob+1.bin', 'report.json']);
  assert.equal(await client.uploadArtifact(info.artifact_uri, join(dir, 'report.json'), 'copies'), 'copies/report.json');

  assert.deepEqual((await client.listArtifacts(info.run_id)).map((f) => [f.path, f.is_dir]), [['copies', true], ['plots', true], ['report.json', false]]);
  assert.deepEqual(await client.listArtifacts(info.run_id, 'plots/sub dir'), [{ path: 'plots/sub dir/blob+1.bin', is_dir: false, file_size: 300_000 }]);
  assert.deepEqual((await client.listArtifactsAt(info.artifact_uri, 'plots')).map((f) => f.path), ['plots/curves.html', 'plots/sub dir']);

  assert.ok((await client.downloadArtifact(info.artifact_uri, 'plots/sub dir/blob+1.bin')).equals(blob));
  assert.equal((await client.downloadArtifact(info.artifact_uri, 'copies/report.json')).toString(), '{"val_accuracy":0.5}');
  const target = join(local, 'downloads', 'nested', 'blob.bin');
  assert.equal(await client.downloadArtifactToFile(info.artifact_uri, 'plots/sub dir/blob+1.bin', target), 300_000);
  assert.ok(readFileSync(target).equals(blob));
  await assert.rejects(client.downloadArtifact(info.artifact_uri, 'missing.txt'), (err: unknown) => isMlflowError(err) && err.status === 404 && err.errorCode === 'RESOURCE_DOES_NOT_EXIST' && err.method === 'GET');
});

test('a LoggedModel is created for the run, linked as its output, holds its files, and is READY', async () => {
  const exp = await client.getOrCreateExperiment('it-models');
  const info = await client.createRun(exp, { runName: 'with-model' });
  const modelDir = join(local, 'model');
  mkdirSync(modelDir, { recursive: true });
  const weights = randomBytes(50_000);
  writeFileSync(join(modelDir, 'model.json'), '{"format":"layers-model"}');
  writeFileSync(join(modelDir, 'weights.bin'), weights);
  const handle = await client.logModel(info.run_id, modelDir, { name: 'model', modelType: 'tfjs-layers', params: [{ key: 'model.name', value: 'seed-004' }], tags: [{ key: 'framework', value: 'tfjs' }] });
  assert.match(handle.artifactUri, new RegExp(`^mlflow-artifacts:/${exp}/models/${handle.modelId}/artifacts$`));

  const model = await client.getLoggedModel(handle.modelId);
  assert.equal(model.info.status, 'LOGGED_MODEL_READY');
  assert.equal(model.info.source_run_id, info.run_id);
  assert.equal(model.info.model_type, 'tfjs-layers');
  assert.equal(model.info.name, 'model');
  assert.deepEqual(model.data?.params, [{ key: 'model.name', value: 'seed-004' }]);
  assert.equal(tagMap(model.info.tags).framework, 'tfjs');

  const run = await client.getRun(info.run_id);
  assert.deepEqual(run.outputs?.model_outputs, [{ model_id: handle.modelId, step: 0 }]);
  assert.deepEqual((await client.listArtifactsAt(handle.artifactUri)).map((f) => f.path).sort(), ['model.json', 'weights.bin']);
  assert.ok((await client.downloadArtifact(handle.artifactUri, 'weights.bin')).equals(weights));
  assert.deepEqual(await client.listArtifacts(info.run_id), [], 'MLflow 3 keeps model files out of the run artifacts');
});

test('logImage writes the files the UI image cards read and tags the run', async () => {
  const exp = await client.getOrCreateExperiment('it-artifacts');
  const info = await client.createRun(exp, { runName: 'images' });
  const a = await client.logImage(info.run_id, 'gradcam/covid', PNG, { step: 20 });
  await client.logImage(info.run_id, 'gradcam/covid', PNG, { step: 21, artifactUri: info.artifact_uri });
  const files = (await client.listArtifacts(info.run_id, 'images')).map((f) => f.path);
  assert.equal(files.length, 4);
  assert.ok(files.includes(a.path) && files.includes(a.compressedPath));
  assert.ok(files.every((f) => /^images\/gradcam~covid\+step\+2[01]\+timestamp\+\d+\+[0-9a-f-]{36}(\+compressed)?\.png$/.test(f)), files.join('\n'));
  assert.ok((await client.downloadArtifact(info.artifact_uri, a.compressedPath)).equals(PNG));
  assert.equal(tagMap((await client.getRun(info.run_id)).data.tags)['mlflow.loggedImages'], 'True');
});

test('runs end FINISHED, FAILED or KILLED with their end time', async () => {
  const exp = await client.getOrCreateExperiment('it-runs');
  for (const status of ['FINISHED', 'FAILED', 'KILLED'] as const) {
    const { run_id: runId } = await client.createRun(exp, { runName: `ends-${status}` });
    const end = Date.now();
    const updated = await client.endRun(runId, status, end);
    assert.equal(updated.status, status);
    const run = await client.getRun(runId);
    assert.equal(run.info.status, status);
    assert.equal(run.info.end_time, end);
  }
  await assert.rejects(client.getRun('0123456789abcdef0123456789abcdef'), (err: unknown) => isMlflowError(err) && err.status === 404 && err.errorCode === 'RESOURCE_DOES_NOT_EXIST' && err.path === '/api/2.0/mlflow/runs/get');
});

test('a request made while the server is killed and restarted succeeds through retries; the store is kept', { timeout: 300_000 }, async () => {
  const exp = await client.getOrCreateExperiment('it-restart');
  const { run_id: runId } = await client.createRun(exp, { runName: 'survives-restart' });
  await client.logMetrics(runId, { loss: 1 }, { step: 0 });
  const patient = createMlflowClient({ trackingUri: server.uri, maxRetries: 60, backoffMs: 250, maxBackoffMs: 3000 });
  const retries: string[] = [];
  const chatty = createMlflowClient({ trackingUri: server.uri, maxRetries: 60, backoffMs: 250, maxBackoffMs: 3000, log: (m) => retries.push(m) });
  await server.kill();
  assert.equal(server.running, false);
  const pending = chatty.logMetrics(runId, { loss: 0.5 }, { step: 1 });
  await server.start();
  await pending;
  assert.ok(retries.length > 0 && retries.every((l) => /POST \/api\/2\.0\/mlflow\/runs\/log-batch failed \(.*\); retry \d+ of 60/.test(l)), retries.join('\n'));
  assert.deepEqual((await patient.getMetricHistory(runId, 'loss')).map((m) => [m.step, m.value]), [[0, 1], [1, 0.5]]);
  assert.equal((await patient.getRun(runId)).info.run_name, 'survives-restart');
});
