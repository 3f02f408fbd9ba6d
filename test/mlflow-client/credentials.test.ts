// Credentials: basic auth or bearer in the Authorization header, credentials in the tracking URI moved
// there, and never a password, token or Authorization value in an error message, a log line, a param or a
// tag. Also: the client never sends X-MLFLOW-WORKSPACE.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { createMlflowClient, isMlflowError } from '../../src/mlflow-client';
import { fakeFetch, jsonResponse, noSleep, type Recorded } from './fake-fetch';

const PASSWORD = 'hunter2-S3cret/+=';
const TOKEN = 'dapi-0123456789abcdef';
const BASIC = Buffer.from(`ann:${PASSWORD}`).toString('base64');
const RUN = { run: { info: { run_id: 'r1', experiment_id: '1', status: 'RUNNING', artifact_uri: 'mlflow-artifacts:/1/r1/artifacts' }, data: {} } };

function assertClean(text: string, where: string): void {
  for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), TOKEN, BASIC]) assert.ok(!text.includes(secret), `${where} contains a credential: ${text}`);
}

/** A server that echoes back the Authorization header and the client's secret in its error messages. */
function echoingServer(status: number, secret: string) {
  return fakeFetch((req) => jsonResponse(status, { error_code: status >= 500 ? 'INTERNAL_ERROR' : 'UNAUTHENTICATED', message: `bad credentials: ${req.headers.authorization ?? ''} ${secret}` }));
}

test('basic auth is sent when username and password are both given; a token is sent as Bearer', async () => {
  const basic = fakeFetch(() => jsonResponse(200, RUN));
  await createMlflowClient({ trackingUri: 'http://mlflow.test', username: 'ann', password: PASSWORD, fetch: basic.fetch }).getRun('r1');
  assert.equal(basic.requests[0]!.headers.authorization, `Basic ${BASIC}`);

  const bearer = fakeFetch(() => jsonResponse(200, RUN));
  await createMlflowClient({ trackingUri: 'http://mlflow.test', token: TOKEN, fetch: bearer.fetch }).getRun('r1');
  assert.equal(bearer.requests[0]!.headers.authorization, `Bearer ${TOKEN}`);

  const userOnly = fakeFetch(() => jsonResponse(200, RUN));
  await createMlflowClient({ trackingUri: 'http://mlflow.test', username: 'ann', fetch: userOnly.fetch }).getRun('r1');
  assert.equal(userOnly.requests[0]!.headers.authorization, undefined);
});

test('credentials in the tracking URI become the Authorization header and leave the URL', async () => {
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, RUN));
  const client = createMlflowClient({ trackingUri: `http://ann:${encodeURIComponent(PASSWORD)}@mlflow.test:5000/`, fetch });
  assert.equal(client.trackingUri, 'http://mlflow.test:5000');
  await client.getRun('r1');
  assert.equal(requests[0]!.url, 'http://mlflow.test:5000/api/2.0/mlflow/runs/get?run_id=r1');
  assert.equal(requests[0]!.headers.authorization, `Basic ${BASIC}`);
});

test('error messages, their causes and log lines never hold a credential', async () => {
  for (const status of [401, 503]) {
    for (const creds of [{ username: 'ann', password: PASSWORD }, { token: TOKEN }]) {
      const { fetch } = echoingServer(status, 'password' in creds ? `${PASSWORD} ${encodeURIComponent(PASSWORD)}` : TOKEN);
      const logs: string[] = [];
      const client = createMlflowClient({ trackingUri: 'http://mlflow.test', ...creds, fetch, sleep: noSleep, maxRetries: 2, log: (m) => logs.push(m) });
      await assert.rejects(client.getRun('r1'), (err: unknown) => {
        assert.ok(isMlflowError(err));
        assert.match(err.message, /bad credentials: .*\*\*\*/);
        assertClean(err.message, 'error message');
        assertClean(inspect(err, { depth: 10 }), 'inspected error');
        assertClean(JSON.stringify(err), 'JSON error');
        return true;
      });
      if (status === 503) assert.equal(logs.length, 2);
      for (const line of logs) assertClean(line, 'log line');
    }
  }
  // A connection error names the server, without the credentials that were in its URI.
  const down = fakeFetch(() => new TypeError('fetch failed'));
  const client = createMlflowClient({ trackingUri: `https://ann:${encodeURIComponent(PASSWORD)}@mlflow.test`, fetch: down.fetch, sleep: noSleep, maxRetries: 0 });
  await assert.rejects(client.getRun('r1'), (err: unknown) => {
    assert.ok(isMlflowError(err));
    assert.match(err.message, /cannot reach the tracking server at https:\/\/mlflow\.test after 1 attempt: fetch failed/);
    assertClean(err.message, 'connection error');
    return true;
  });
  assert.throws(() => createMlflowClient({ trackingUri: `ann:${PASSWORD}@host` }), (err: unknown) => {
    assertClean(String(err), 'config error');
    return true;
  });
});

test('a credential inside a param, tag, run name, dataset source or log line is sent as ***', async () => {
  const { fetch, requests } = fakeFetch((req) => (req.path.endsWith('runs/create') ? jsonResponse(200, RUN) : jsonResponse(200, {})));
  const logs: string[] = [];
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', username: 'ann', password: PASSWORD, token: TOKEN, fetch, log: (m) => logs.push(m) });
  await client.createRun('1', { runName: `run-${PASSWORD}`, tags: [{ key: 'note', value: `token=${TOKEN}` }] });
  await client.logBatch('r1', {
    params: [{ key: 'db.url', value: `postgresql://ann:${PASSWORD}@db/mlflow` }, { key: 'long', value: `${TOKEN}${'x'.repeat(7000)}` }],
    tags: [{ key: 'auth', value: `Basic ${BASIC}` }],
  });
  await client.setTag('r1', 'cmd', `curl -H "Authorization: Bearer ${TOKEN}"`);
  await client.logInputs('r1', [{ dataset: { name: 'cxr', digest: 'abc', source_type: 'http', source: `{"uri":"https://ann:${encodeURIComponent(PASSWORD)}@data.test/x"}` } }]);
  await client.updateRun('r1', { runName: `renamed-${TOKEN}` });
  const sent = requests.map((r: Recorded) => r.bytes.toString('utf8')).join('\n');
  assertClean(sent, 'request bodies');
  for (const line of logs) assertClean(line, 'log line');
  assert.ok(logs.some((l) => /param "long" \(7003 characters\) is truncated to 6000 characters/.test(l)), logs.join('\n'));
  const create = requests[0]!.json as { run_name: string; tags: { key: string; value: string }[] };
  assert.equal(create.run_name, 'run-***');
  assert.deepEqual(create.tags.find((t) => t.key === 'mlflow.runName'), { key: 'mlflow.runName', value: 'run-***' });
  assert.deepEqual(create.tags.find((t) => t.key === 'note'), { key: 'note', value: 'token=***' });
  assert.deepEqual((requests[1]!.json as { params: unknown[] }).params[0], { key: 'db.url', value: 'postgresql://ann:***@db/mlflow' });
});

test('no request ever carries X-MLFLOW-WORKSPACE, whatever MLFLOW_WORKSPACE says', async () => {
  const saved = process.env.MLFLOW_WORKSPACE;
  process.env.MLFLOW_WORKSPACE = 'team-a';
  try {
    const { fetch, requests } = fakeFetch((req) => {
      if (req.path.endsWith('get-by-name')) return jsonResponse(200, { experiment: { experiment_id: '1', name: 'e', lifecycle_stage: 'active' } });
      if (req.path.endsWith('runs/create') || req.path.endsWith('runs/get')) return jsonResponse(200, RUN);
      if (req.path.endsWith('logged-models')) return jsonResponse(200, { model: { info: { model_id: 'm-1', experiment_id: '1', name: 'model', status: 'LOGGED_MODEL_PENDING', artifact_uri: 'mlflow-artifacts:/1/models/m-1/artifacts' } } });
      return jsonResponse(200, {});
    });
    const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch });
    const exp = await client.getOrCreateExperiment('e');
    const run = await client.createRun(exp, { runName: 'x' });
    await client.logMetrics(run.run_id, { loss: 1 });
    await client.uploadArtifactBytes(run.artifact_uri, 'a.txt', Buffer.from('a'));
    await client.listArtifacts(run.run_id);
    await client.createLoggedModel(exp, { name: 'model', sourceRunId: run.run_id });
    await client.finalizeLoggedModel('m-1');
    assert.ok(requests.length >= 7);
    for (const r of requests) assert.ok(!Object.keys(r.headers).some((h) => h.toLowerCase() === 'x-mlflow-workspace'), `${r.method} ${r.path} sent a workspace header`);
  } finally {
    if (saved === undefined) delete process.env.MLFLOW_WORKSPACE;
    else process.env.MLFLOW_WORKSPACE = saved;
  }
});
