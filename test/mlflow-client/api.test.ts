// What each API call sends, checked on a fake fetch: system tags of new runs, get-or-create with deleted
// experiments and races, log-batch requests and partial failures, artifact URI mapping and path checks,
// the LoggedModel flow, the image layout, and paging.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifactProxyPath, createMlflowClient, isMlflowError } from '../../src/mlflow-client';
import { type Recorded, fakeFetch, jsonResponse, mlflowError, noSleep } from './fake-fetch';

const info = (runId = 'r1') => ({ run_id: runId, experiment_id: '7', status: 'RUNNING', artifact_uri: `mlflow-artifacts:/7/${runId}/artifacts` });
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const tagsOf = (r: Recorded) => Object.fromEntries((r.json as { tags: { key: string; value: string }[] }).tags.map((t) => [t.key, t.value]));

test('createRun sets the system tags REST runs/create leaves out; given tags win', async () => {
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, { run: { info: info(), data: {} } }));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', username: 'ann', fetch });
  const run = await client.createRun('7', { runName: 'seed-004-1', startTime: 1700000000000 });
  assert.equal(run.run_id, 'r1');
  const body = requests[0]!.json as Record<string, unknown>;
  assert.equal(requests[0]!.path, '/api/2.0/mlflow/runs/create');
  assert.equal(requests[0]!.headers['content-type'], 'application/json');
  assert.deepEqual([body.experiment_id, body.run_name, body.start_time, body.user_id], ['7', 'seed-004-1', 1700000000000, 'ann']);
  assert.deepEqual(tagsOf(requests[0]!), { 'mlflow.runName': 'seed-004-1', 'mlflow.user': 'ann', 'mlflow.source.name': process.argv[1], 'mlflow.source.type': 'LOCAL' });

  await client.createRun('7', { sourceType: 'NOTEBOOK', sourceName: '03-train.ipynb', user: 'bob', parentRunId: 'p1', tags: [{ key: 'mlflow.source.name', value: 'nb.ipynb' }, { key: 'team', value: 'cxr' }] });
  assert.deepEqual(tagsOf(requests[1]!), { 'mlflow.user': 'bob', 'mlflow.source.name': 'nb.ipynb', 'mlflow.source.type': 'NOTEBOOK', 'mlflow.parentRunId': 'p1', team: 'cxr' });
  assert.equal((requests[1]!.json as { run_name?: string }).run_name, undefined);

  await assert.rejects(client.createRun('7', { runName: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }), /runName "a" and the mlflow\.runName tag "b" differ/);
  await assert.rejects(client.createRun('7', { tags: [{ key: 'bad key!', value: 'x' }] }), (err: unknown) => isMlflowError(err) && err.kind === 'validation' && err.path === '/api/2.0/mlflow/runs/create');
  assert.equal(requests.length, 2);
});

test('getOrCreateExperiment: found, missing, deleted (restored or refused), and a parallel create', async () => {
  const calls: string[] = [];
  let state: 'active' | 'deleted' | 'missing' | 'race' = 'active';
  let raceLookups = 0;
  const { fetch } = fakeFetch((req) => {
    calls.push(`${req.method} ${req.path.replace('/api/2.0/mlflow/', '')}`);
    if (req.path.endsWith('get-by-name')) {
      if (state === 'missing' || (state === 'race' && raceLookups++ === 0)) return mlflowError(404, 'RESOURCE_DOES_NOT_EXIST', 'no');
      return jsonResponse(200, { experiment: { experiment_id: '3', name: 'cxr', lifecycle_stage: state === 'deleted' ? 'deleted' : 'active' } });
    }
    if (req.path.endsWith('experiments/create')) return state === 'race' ? mlflowError(400, 'RESOURCE_ALREADY_EXISTS', 'exists') : jsonResponse(200, { experiment_id: '9' });
    return jsonResponse(200, {});
  });
  const logs: string[] = [];
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, log: (m) => logs.push(m) });
  assert.equal(await client.getOrCreateExperiment('cxr'), '3');
  assert.deepEqual(calls.splice(0), ['GET experiments/get-by-name']);
  state = 'missing';
  assert.equal(await client.getOrCreateExperiment('cxr'), '9');
  assert.deepEqual(calls.splice(0), ['GET experiments/get-by-name', 'POST experiments/create']);
  state = 'deleted';
  assert.equal(await client.getOrCreateExperiment('cxr'), '3');
  assert.deepEqual(calls.splice(0), ['GET experiments/get-by-name', 'POST experiments/restore']);
  assert.match(logs.join('\n'), /restored the deleted experiment "cxr" \(id 3\) and its runs/);
  await assert.rejects(client.getOrCreateExperiment('cxr', { ifDeleted: 'error' }), /experiment "cxr" \(id 3\) is deleted and its name is still taken; restore it .* or purge it \(mlflow gc\) first/);
  assert.deepEqual(calls.splice(0), ['GET experiments/get-by-name']);
  state = 'race';
  assert.equal(await client.getOrCreateExperiment('cxr'), '3');
  assert.deepEqual(calls.splice(0), ['GET experiments/get-by-name', 'POST experiments/create', 'GET experiments/get-by-name']);
  await assert.rejects(client.createExperiment(' '), /an experiment name must be a non-empty string/);
  await assert.rejects(client.createExperiment('e'.repeat(501)), /experiment name is 501 characters long; the limit is 500/);
});

test('log-batch sends every entry in requests within limits, NaN as "NaN", defaults filled in', async () => {
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const before = Date.now();
  await client.logBatch('r1', {
    metrics: [...Array.from({ length: 1500 }, (_, i) => ({ key: 'loss', value: i, timestamp: 5, step: i })), { key: 'lr', value: Number.NaN }],
    params: Array.from({ length: 120 }, (_, i) => ({ key: `p${i}`, value: 'v' })),
    tags: [{ key: 't', value: 'a' }, { key: 't', value: 'b' }],
  });
  const bodies = requests.map((r) => r.json as { run_id: string; metrics: { key: string; value: unknown; timestamp: number; step: number }[]; params: unknown[]; tags: { value: string }[] });
  assert.deepEqual(bodies.map((b) => [b.params.length, b.tags.length, b.metrics.length]), [[100, 1, 899], [20, 0, 602]]);
  assert.ok(bodies.every((b) => b.run_id === 'r1'));
  assert.deepEqual(bodies[0]!.tags, [{ key: 't', value: 'b' }], 'the last value of a repeated tag wins');
  const lr = bodies[1]!.metrics.at(-1)!;
  assert.equal(lr.value, 'NaN');
  assert.equal(lr.step, 0);
  assert.ok(lr.timestamp >= before && lr.timestamp <= Date.now());
  await client.logBatch('r1', {});
  assert.equal(requests.length, 2, 'an empty batch sends nothing');
});

test('log-batch refuses invalid entries before sending anything, listing every problem', async () => {
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, truncateLongValues: false });
  await assert.rejects(
    client.logBatch('r1', {
      metrics: [{ key: 'ok', value: 1 }, { key: 'bad key!', value: 1 }, { key: 'acc', value: 'high' as unknown as number }],
      params: [{ key: 'lr', value: '0.1' }, { key: 'lr', value: '0.2' }, { key: 'big', value: 'x'.repeat(6001) }],
      tags: [{ key: '../up', value: 'x' }],
    }),
    (err: unknown) => {
      assert.ok(isMlflowError(err));
      assert.equal(err.kind, 'validation');
      assert.equal(err.errorCode, 'INVALID_PARAMETER_VALUE');
      assert.equal(err.path, '/api/2.0/mlflow/runs/log-batch');
      assert.match(err.message, /^POST \/api\/2\.0\/mlflow\/runs\/log-batch: INVALID_PARAMETER_VALUE: 5 problems:/);
      assert.match(err.message, /key "bad key!" may only contain/);
      assert.match(err.message, /metric "acc" must have a number value, received string/);
      assert.match(err.message, /param "lr" is given twice with different values; params are write-once/);
      assert.match(err.message, /param "big" has a value of 6001 characters; the limit is 6000 \(truncateLongValues is off\)/);
      assert.match(err.message, /key "\.\.\/up" must read as a normalised relative path/);
      return true;
    },
  );
  assert.equal(requests.length, 0);
  await client.logBatch('r1', { params: [{ key: 'lr', value: '0.1' }, { key: 'lr', value: '0.1' }] });
  assert.deepEqual((requests[0]!.json as { params: unknown[] }).params, [{ key: 'lr', value: '0.1' }]);
});

test('a failing request in a split log-batch says how many were written before it', async () => {
  const { fetch, requests } = fakeFetch((_req, i) => (i === 2 ? mlflowError(400, 'INVALID_PARAMETER_VALUE', 'Changing param values is not allowed') : jsonResponse(200, {})));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep: noSleep });
  const metrics = Array.from({ length: 3500 }, (_, i) => ({ key: 'm', value: i, step: i }));
  await assert.rejects(client.logBatch('r1', { metrics }), (err: unknown) => {
    assert.ok(isMlflowError(err));
    assert.equal(err.status, 400);
    assert.equal(err.errorCode, 'INVALID_PARAMETER_VALUE');
    assert.equal(err.message, 'POST /api/2.0/mlflow/runs/log-batch: INVALID_PARAMETER_VALUE: Changing param values is not allowed (request 3 of 4 of this log-batch; the 2 before it were written)');
    return true;
  });
  assert.equal(requests.length, 3);
});

test('artifact URIs map to the proxy; unsafe paths and other hosts are refused', async () => {
  assert.equal(artifactProxyPath('mlflow-artifacts:/1/abc/artifacts', 'images/a b+c.png'), '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/images/a%20b%2Bc.png');
  assert.equal(artifactProxyPath('mlflow-artifacts://127.0.0.1:5000/1/abc/artifacts/', 'x.json'), '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/x.json');
  assert.equal(artifactProxyPath('http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts', 'x.json'), '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/x.json');
  assert.throws(() => artifactProxyPath('s3://bucket/1/abc/artifacts', 'x'), /artifact URI "s3:\/\/bucket\/1\/abc\/artifacts" is not served by the tracking server's artifact proxy \(expected mlflow-artifacts:\/…/);
  for (const bad of ['../x', 'a/../b', '/abs', 'a//b', 'a#b', '100%.txt', 'a\\b']) assert.throws(() => artifactProxyPath('mlflow-artifacts:/1', bad), isMlflowError, bad);

  const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
  const client = createMlflowClient({ trackingUri: 'http://127.0.0.1:5000/mlflow', fetch });
  await client.uploadArtifactBytes('mlflow-artifacts:/1/abc/artifacts', 'report.json', Buffer.from('{}'));
  assert.equal(requests[0]!.url, 'http://127.0.0.1:5000/mlflow/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/report.json');
  assert.equal(requests[0]!.method, 'PUT');
  assert.equal(requests[0]!.headers['content-type'], 'application/json');
  await client.uploadArtifactBytes('mlflow-artifacts://127.0.0.1:5000/1/abc/artifacts', 'b.bin', Buffer.from([1]));
  assert.equal(requests[1]!.headers['content-type'], 'application/octet-stream');
  await assert.rejects(client.uploadArtifactBytes('mlflow-artifacts://elsewhere:5000/1/abc/artifacts', 'b.bin', Buffer.from([1])), /names host elsewhere:5000, but this client talks to 127\.0\.0\.1:5000/);
  await assert.rejects(client.uploadArtifactBytes('mlflow-artifacts:/1', '', Buffer.from([1])), /must not be empty/);
  assert.equal(requests.length, 2);
});

test('a folder upload walks it recursively in name order, each file to its relative path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-client-up-'));
  try {
    mkdirSync(join(dir, 'b dir', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'z.txt'), 'z');
    writeFileSync(join(dir, 'a.png'), PNG);
    writeFileSync(join(dir, 'b dir', 'deep', 'w.json'), '{"w":1}');
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
    const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
    const written = await client.uploadArtifacts('mlflow-artifacts:/7/r1/artifacts', dir, 'out');
    assert.deepEqual(written, ['out/a.png', 'out/b dir/deep/w.json', 'out/z.txt']);
    assert.deepEqual(requests.map((r) => [r.method, r.path, r.headers['content-type'], r.headers['content-length']]), [
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/out/a.png', 'image/png', String(PNG.length)],
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/out/b dir/deep/w.json', 'application/json', '7'],
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/out/z.txt', 'text/plain', '1'],
    ]);
    assert.deepEqual(requests[0]!.bytes, PNG);
    await assert.rejects(client.uploadArtifact('mlflow-artifacts:/7/r1/artifacts', dir), /expected a file to upload at .*, found a folder \(use uploadArtifacts\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('logModel: create for the run, link as run output, upload to the model URI, finalize READY', async () => {
  const model = (status: string) => ({ model: { info: { model_id: 'm-1', experiment_id: '7', name: 'model', status, artifact_uri: 'mlflow-artifacts:/7/models/m-1/artifacts' } } });
  let failUpload = false;
  const { fetch, requests } = fakeFetch((req) => {
    if (req.path.endsWith('runs/get')) return jsonResponse(200, { run: { info: info(), data: {} } });
    if (req.method === 'POST' && req.path.endsWith('logged-models')) return jsonResponse(200, model('LOGGED_MODEL_PENDING'));
    if (req.method === 'PATCH') return jsonResponse(200, model((req.json as { status: string }).status));
    if (req.method === 'PUT' && failUpload) return mlflowError(400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    return jsonResponse(200, {});
  });
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-client-model-'));
  try {
    writeFileSync(join(dir, 'model.json'), '{}');
    const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep: noSleep });
    const params = Array.from({ length: 130 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const handle = await client.logModel('r1', dir, { name: 'model', modelType: 'tfjs-layers', params, step: 4 });
    assert.equal(handle.modelId, 'm-1');
    assert.equal(handle.model.info.status, 'LOGGED_MODEL_READY');
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [
      'GET /api/2.0/mlflow/runs/get',
      'POST /api/2.0/mlflow/logged-models',
      'POST /api/2.0/mlflow/logged-models/m-1/params',
      'POST /api/2.0/mlflow/runs/outputs',
      'PUT /api/2.0/mlflow-artifacts/artifacts/7/models/m-1/artifacts/model.json',
      'PATCH /api/2.0/mlflow/logged-models/m-1',
    ]);
    const create = requests[1]!.json as Record<string, unknown> & { params: unknown[] };
    assert.deepEqual([create.experiment_id, create.name, create.source_run_id, create.model_type, create.params.length], ['7', 'model', 'r1', 'tfjs-layers', 100]);
    assert.equal((requests[2]!.json as { params: unknown[] }).params.length, 30);
    assert.deepEqual(requests[3]!.json, { run_id: 'r1', models: [{ model_id: 'm-1', step: 4 }] });
    assert.deepEqual(requests[5]!.json, { model_id: 'm-1', status: 'LOGGED_MODEL_READY' });

    failUpload = true;
    requests.length = 0;
    await assert.rejects(client.logModel('r1', dir, { experimentId: '7', name: 'model' }), /Invalid path/);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`), ['POST mlflow/logged-models', 'POST runs/outputs', 'PUT artifacts/model.json', 'PATCH logged-models/m-1']);
    assert.deepEqual(requests[3]!.json, { model_id: 'm-1', status: 'LOGGED_MODEL_UPLOAD_FAILED' });
    await assert.rejects(client.createLoggedModel('7', { name: 'my.model' }), /model name "my\.model" must be non-empty and free of/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('logImage writes the + layout with a thumbnail the UI reads, and tags the run', async () => {
  const { fetch, requests } = fakeFetch((req) => (req.path.endsWith('runs/get') ? jsonResponse(200, { run: { info: info(), data: {} } }) : jsonResponse(200, {})));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const logged = await client.logImage('r1', 'gradcam/covid', PNG, { step: 20, timestamp: 1700000000123 });
  assert.match(logged.path, /^images\/gradcam~covid\+step\+20\+timestamp\+1700000000123\+[0-9a-f-]{36}\.png$/);
  assert.equal(logged.compressedPath, logged.path.replace(/\.png$/, '+compressed.png'));
  assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [
    'GET /api/2.0/mlflow/runs/get',
    `PUT /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/${logged.path}`,
    `PUT /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/${logged.compressedPath}`,
    'POST /api/2.0/mlflow/runs/set-tag',
  ]);
  assert.ok(requests[1]!.rawPath.includes('%2Bstep%2B20%2B'), 'the + separators are percent-encoded on the wire');
  assert.deepEqual(requests[3]!.json, { run_id: 'r1', key: 'mlflow.loggedImages', value: 'True' });

  const withWebp = await client.logImage('r1', 'cm', PNG, { artifactUri: 'mlflow-artifacts:/7/r1/artifacts', thumbnail: WEBP });
  assert.match(withWebp.path, /^images\/cm\+step\+0\+timestamp\+\d+\+/);
  assert.ok(withWebp.compressedPath.endsWith('+compressed.webp'));
  assert.equal(requests.at(-2)!.headers['content-type'], 'image/webp');
  const sent = requests.length;
  await assert.rejects(client.logImage('r1', 'bad:key', PNG), /image key "bad:key" may only contain letters, digits, _ - \. \/ and spaces/);
  await assert.rejects(client.logImage('r1', 'k', Buffer.from('GIF89a'), { step: 1.5 }), /2 problems:[\s\S]*step must be an integer, received 1\.5[\s\S]*expected PNG bytes/);
  assert.equal(requests.length, sent);
});

test('searchAllRuns follows page tokens; getMetricHistory pages and reads NaN back', async () => {
  const { fetch, requests } = fakeFetch((req) => {
    if (req.path.endsWith('runs/search')) {
      const token = (req.json as { page_token?: string }).page_token;
      return jsonResponse(200, token === undefined ? { runs: [{ info: info('a'), data: {} }], next_page_token: 't1' } : { runs: [{ info: info('b'), data: { metrics: [{ key: 'm', value: 'Infinity', timestamp: 1, step: 0 }] } }] });
    }
    const token = req.query.get('page_token');
    return jsonResponse(200, token ? { metrics: [{ key: 'loss', value: 'NaN', timestamp: 2, step: 1 }] } : { metrics: [{ key: 'loss', value: 0.5, timestamp: 1 }], next_page_token: 'p2' });
  });
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const runs = await client.searchAllRuns(['7'], { filter: "params.model = 'seed-004'", orderBy: ['metrics.val_accuracy DESC'] });
  assert.deepEqual(runs.map((r) => r.info.run_id), ['a', 'b']);
  assert.equal(runs[1]!.data.metrics![0]!.value, Infinity);
  assert.deepEqual(requests[0]!.json, { experiment_ids: ['7'], max_results: 1000, run_view_type: 'ACTIVE_ONLY', filter: "params.model = 'seed-004'", order_by: ['metrics.val_accuracy DESC'] });
  assert.equal((requests[1]!.json as { page_token: string }).page_token, 't1');
  const history = await client.getMetricHistory('r1', 'loss', { pageSize: 1 });
  assert.equal(history.length, 2);
  assert.deepEqual(history[0], { key: 'loss', value: 0.5, timestamp: 1, step: 0 });
  assert.ok(Number.isNaN(history[1]!.value));
  assert.equal(requests[2]!.query.get('max_results'), '1');
  assert.equal(requests[3]!.query.get('page_token'), 'p2');
  await assert.rejects(client.searchRuns(['7'], { maxResults: 0 }), /maxResults must be an integer in 1–50000, received 0/);
});

test('updateRun and endRun send the status and end time; an unknown status is refused', async () => {
  const { fetch, requests } = fakeFetch((req) => jsonResponse(200, { run_info: { ...info(), status: (req.json as { status?: string }).status ?? 'RUNNING' } }));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  assert.equal((await client.endRun('r1', 'FAILED', 1234)).status, 'FAILED');
  assert.deepEqual(requests[0]!.json, { run_id: 'r1', status: 'FAILED', end_time: 1234 });
  await client.updateRun('r1', { runName: 'renamed' });
  assert.deepEqual(requests[1]!.json, { run_id: 'r1', run_name: 'renamed' });
  await assert.rejects(client.updateRun('r1', { status: 'DONE' as 'FINISHED' }), /status must be one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED, received "DONE"/);
  assert.equal(requests.length, 2);
});

test('logInputs checks MLflow\'s dataset limits before sending', async () => {
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const dataset = { name: 'cxr-dev', digest: 'abc', source_type: 'local', source: '{"uri":"/data"}', schema: '{}', profile: '{"n":219}' };
  await client.logInputs('r1', [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'train' }] }]);
  assert.deepEqual(requests[0]!.json, { run_id: 'r1', datasets: [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'train' }] }] });
  await assert.rejects(client.logInputs('r1', [{ dataset: { ...dataset, digest: 'd'.repeat(37), source: '' } }]), /datasets\[0\]\.dataset\.source is required[\s\S]*datasets\[0\]\.dataset\.digest is 37 characters long; the limit is 36/);
  assert.equal(requests.length, 1);
});
