// The model registry calls on a fake fetch: what registerLoggedModel sends (Python's register_model for a
// `models:/<model_id>` URI), an existing registered model, waiting through PENDING_REGISTRATION, a failed
// registration, a version still pending at the deadline, name checks before anything is sent, the search's
// GET query, redacted credentials; and logImage's fixed file names for an idempotent retry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, createMlflowClient, isMlflowError, registeredModelNameProblem } from '../../src/mlflow-client';
import { type Recorded, fakeFetch, jsonResponse, mlflowError } from './fake-fetch';

const API = '/api/2.0/mlflow';
const version = (status: string, v = '3') => ({ name: 'cxr', version: v, source: 'models:/m-1', run_id: 'r1', status, creation_timestamp: 1 });
const route = (r: Recorded) => `${r.method} ${r.path.replace(`${API}/`, '')}`;

test('registerLoggedModel creates the registered model and a version from models:/<model_id>, then waits until READY', async () => {
  let gets = 0;
  const { fetch, requests } = fakeFetch((req) => {
    switch (route(req)) {
      case 'POST registered-models/create':
        return jsonResponse(200, { registered_model: { name: 'cxr', creation_timestamp: 1 } });
      case 'POST model-versions/create':
        return jsonResponse(200, { model_version: version('PENDING_REGISTRATION') });
      case 'GET model-versions/get':
        return jsonResponse(200, { model_version: version(++gets < 2 ? 'PENDING_REGISTRATION' : 'READY') });
      default:
        return jsonResponse(404, {});
    }
  });
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const mv = await client.registerLoggedModel('cxr', 'm-1', { runId: 'r1', tags: [{ key: 'cxrlab.registerKey', value: 'k1' }], intervalMs: 0 });
  assert.equal(mv.status, 'READY');
  assert.equal(mv.version, '3');
  assert.deepEqual(requests.map(route), ['POST registered-models/create', 'POST model-versions/create', 'GET model-versions/get', 'GET model-versions/get']);
  assert.deepEqual(requests[0]!.json, { name: 'cxr', tags: [] });
  assert.deepEqual(requests[1]!.json, { name: 'cxr', source: 'models:/m-1', model_id: 'm-1', run_id: 'r1', tags: [{ key: 'cxrlab.registerKey', value: 'k1' }] });
  assert.deepEqual(Object.fromEntries(requests[2]!.query), { name: 'cxr', version: '3' });
});

test('an existing registered model is fine (RESOURCE_ALREADY_EXISTS, then get); a READY version is not polled', async () => {
  const { fetch, requests } = fakeFetch((req) => {
    switch (route(req)) {
      case 'POST registered-models/create':
        return mlflowError(400, 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=cxr) already exists.');
      case 'GET registered-models/get':
        return jsonResponse(200, { registered_model: { name: 'cxr', latest_versions: [version('READY', '1')] } });
      case 'POST model-versions/create':
        return jsonResponse(200, { model_version: version('READY', '2') });
      default:
        return jsonResponse(404, {});
    }
  });
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const mv = await client.registerLoggedModel('cxr', 'm-1');
  assert.equal(mv.version, '2');
  assert.deepEqual(requests.map(route), ['POST registered-models/create', 'GET registered-models/get', 'POST model-versions/create']);
  assert.equal(requests[2]!.json.run_id, undefined, 'no run_id unless given: the server takes the LoggedModel source run');

  const again = await client.getOrCreateRegisteredModel('cxr');
  assert.equal(again.created, false);
  assert.equal(again.model.latest_versions?.[0]?.version, '1');

  const other = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch: fakeFetch(() => mlflowError(403, 'PERMISSION_DENIED', 'no')).fetch });
  await assert.rejects(other.getOrCreateRegisteredModel('cxr'), (err: unknown) => isMlflowError(err) && err.errorCode === 'PERMISSION_DENIED', 'other refusals are not swallowed');
});

test('FAILED_REGISTRATION is an error naming the model, version and the server message; a version pending at the deadline is returned', async () => {
  let state = 'FAILED_REGISTRATION';
  const { fetch } = fakeFetch((req) => {
    if (route(req) === 'POST registered-models/create') return jsonResponse(200, { registered_model: { name: 'cxr' } });
    if (route(req) === 'POST model-versions/create') return jsonResponse(200, { model_version: version('PENDING_REGISTRATION') });
    return jsonResponse(200, { model_version: { ...version(state), status_message: 'copy failed' } });
  });
  const logs: string[] = [];
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, log: (m) => logs.push(m) });
  await assert.rejects(
    client.registerLoggedModel('cxr', 'm-1', { intervalMs: 0 }),
    (err: unknown) => isMlflowError(err) && err.errorCode === 'FAILED_REGISTRATION' && /version 3 of registered model "cxr" failed to register .*copy failed/.test(err.message),
  );
  state = 'PENDING_REGISTRATION';
  const pending = await client.awaitModelVersion('cxr', '3', { timeoutMs: 0 });
  assert.equal(pending.status, 'PENDING_REGISTRATION');
  assert.match(logs.join('\n'), /version 3 of registered model "cxr" is still PENDING_REGISTRATION after 0 ms/);
  const unwaited = await client.registerLoggedModel('cxr', 'm-1', { awaitReadyMs: 0 });
  assert.equal(unwaited.status, 'PENDING_REGISTRATION', 'awaitReadyMs: 0 returns the created version as it is');
});

test('names MLflow refuses are refused before anything is sent, naming the rule', async () => {
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  for (const [name, rule] of [
    ['a/b', /must not contain \/ or :/],
    ['models:x', /must not contain \/ or :/],
    ['  ', /must not be empty or blank/],
    ['..up', /must not be \. or start with \.\./],
    ['.', /must not be \. or start with \.\./],
    ['x'.repeat(257), /is 257 characters long; the limit is 256/],
  ] as const) {
    assert.match(registeredModelNameProblem(name) ?? '', rule, name);
    await assert.rejects(client.registerLoggedModel(name, 'm-1'), (err: unknown) => isMlflowError(err) && err.kind === 'validation' && rule.test(err.message), name);
  }
  for (const name of ['cxr-seed004', 'CXR model v2', 'a.b', 'x'.repeat(256), 'ünïcode']) assert.equal(registeredModelNameProblem(name), null, name);
  await assert.rejects(client.registerLoggedModel('cxr', 'm/1'), /modelId must be a LoggedModel id/);
  await assert.rejects(client.createModelVersion('cxr', { source: '' }), /source must be a non-empty URI/);
  await assert.rejects(client.getModelVersion('cxr', 'latest'), /version must be a positive whole number as text, e\.g\. "1", received "latest"/);
  await assert.rejects(client.createRegisteredModel('cxr', { tags: [{ key: 'bad key!', value: 'v' }] }), /registered model tag: key "bad key!" may only contain/);
  assert.equal(requests.length, 0);
});

test('searchModelVersions sends its filter as a GET query (the server refuses POST) and pages', async () => {
  const { fetch, requests } = fakeFetch((_req, i) =>
    jsonResponse(200, i === 0 ? { model_versions: [version('READY', '1')], next_page_token: 'tok' } : {}),
  );
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const first = await client.searchModelVersions({ filter: "run_id = 'r1'", maxResults: 10 });
  assert.deepEqual(first.versions.map((v) => v.version), ['1']);
  assert.equal(first.nextPageToken, 'tok');
  const second = await client.searchModelVersions({ pageToken: 'tok' });
  assert.deepEqual(second, { versions: [] });
  assert.equal(requests[0]!.method, 'GET');
  assert.equal(requests[0]!.path, `${API}/model-versions/search`);
  assert.deepEqual(Object.fromEntries(requests[0]!.query), { max_results: '10', filter: "run_id = 'r1'" });
  assert.deepEqual(Object.fromEntries(requests[1]!.query), { max_results: '1000', page_token: 'tok' });
  await assert.rejects(client.searchModelVersions({ maxResults: 0 }), /maxResults must be an integer in 1–200000, received 0/);
});

test('registry errors and tag values never carry the credentials', async () => {
  const { fetch, requests } = fakeFetch((req) =>
    route(req) === 'POST model-versions/create' ? mlflowError(400, 'INVALID_PARAMETER_VALUE', 'bad source for user ann:s3cret-pw') : jsonResponse(200, { registered_model: { name: 'cxr' } }),
  );
  const client = createMlflowClient({ trackingUri: 'http://ann:s3cret-pw@mlflow.test', fetch });
  await assert.rejects(client.registerLoggedModel('cxr', 'm-1', { tags: [{ key: 'note', value: 'pw s3cret-pw' }] }), (err: unknown) => {
    assert.ok(isMlflowError(err));
    assert.doesNotMatch(err.message, /s3cret-pw/);
    return true;
  });
  assert.equal(requests[1]!.json.tags[0].value, `pw ${REDACTED}`);
  assert.doesNotMatch(requests[1]!.url, /s3cret/);
});

test('logImage with a fixed timestamp and uuid writes the same two files again (an idempotent retry)', async () => {
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
  const uuid = '123e4567-e89b-42d3-a456-426614174000';
  const options = { step: 2, timestamp: 1700000000123, uuid, artifactUri: 'mlflow-artifacts:/7/r1/artifacts' };
  const a = await client.logImage('r1', 'gradcam.covid.right-p1-as-covid', PNG, options);
  const b = await client.logImage('r1', 'gradcam.covid.right-p1-as-covid', PNG, options);
  assert.deepEqual(a, b);
  assert.equal(a.path, `images/gradcam.covid.right-p1-as-covid+step+2+timestamp+1700000000123+${uuid}.png`);
  assert.equal(a.compressedPath, `images/gradcam.covid.right-p1-as-covid+step+2+timestamp+1700000000123+${uuid}+compressed.png`);
  const puts = requests.filter((r) => r.method === 'PUT').map((r) => r.path);
  assert.deepEqual(puts.slice(0, 2), puts.slice(2), 'the retry overwrites the same paths');
  await assert.rejects(client.logImage('r1', 'k', PNG, { uuid: 'not-a-uuid' }), /uuid must be a UUID such as .*, received "not-a-uuid"/);
});
