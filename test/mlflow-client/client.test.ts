// Unit tests of the REST client's edge cases against a fake server on port 0 (the integration tests
// in test/tracking use the real MLflow server).
import assert from 'node:assert/strict';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { test } from 'node:test';
import { mlflow } from '../../src';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function fakeServer(handler: Handler): Promise<{ uri: string; requests: { method: string; url: string; auth?: string; body: string }[]; close: () => Promise<void> }> {
  const requests: { method: string; url: string; auth?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { uri: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};
const noSleep = async () => {};

test('log-batch splits any number of entries into requests within MLflow limits, params and metrics in order', async () => {
  const server = await fakeServer((_req, _body, res) => json(res, 200, {}));
  try {
    const client = mlflow.createMlflowClient({ trackingUri: server.uri, sleep: noSleep });
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'loss', value: i, timestamp: 1, step: i }));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: 'x'.repeat(7000) }));
    await client.logBatch('r1', { metrics, params });
    const bodies = server.requests.map((r) => JSON.parse(r.body) as { metrics: unknown[]; params: { value: string }[]; tags: unknown[] });
    for (const b of bodies) {
      assert.ok(b.metrics.length <= 1000 && b.params.length <= 100 && b.metrics.length + b.params.length + b.tags.length <= 1000);
    }
    assert.equal(bodies.reduce((n, b) => n + b.metrics.length, 0), 2500);
    assert.equal(bodies.reduce((n, b) => n + b.params.length, 0), 250);
    assert.equal(bodies[0]!.params[0]!.value.length, 6000, 'long values are truncated to the server limit');
  } finally {
    await server.close();
  }
});

test('invalid keys are refused before anything is sent, every problem named', async () => {
  const server = await fakeServer((_req, _body, res) => json(res, 200, {}));
  try {
    const client = mlflow.createMlflowClient({ trackingUri: server.uri });
    await assert.rejects(
      client.logBatch('r1', { params: [{ key: 'ok.key', value: '1' }, { key: 'bad key!', value: '1' }, { key: '../up', value: '1' }] }),
      (err: unknown) => mlflow.isMlflowError(err) && /bad key!/.test(err.message) && /\.\.\/up/.test(err.message),
    );
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('5xx answers and refused connections are retried with backoff; 4xx are not', async () => {
  let calls = 0;
  const server = await fakeServer((_req, _body, res) => (++calls < 3 ? json(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' }) : json(res, 200, { run: { info: { run_id: 'r' } } })));
  const sleeps: number[] = [];
  try {
    const client = mlflow.createMlflowClient({ trackingUri: server.uri, sleep: async (ms) => void sleeps.push(ms), backoffMs: 100 });
    assert.equal((await client.getRun('r')).info.run_id, 'r');
    assert.deepEqual(sleeps, [100, 200]);
  } finally {
    await server.close();
  }
  const bad = await fakeServer((_req, _body, res) => json(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'no' }));
  try {
    const client = mlflow.createMlflowClient({ trackingUri: bad.uri, sleep: noSleep });
    await assert.rejects(client.getRun('r'), (err: unknown) => mlflow.isMlflowError(err) && err.status === 400 && err.errorCode === 'INVALID_PARAMETER_VALUE' && /GET \/api\/2\.0\/mlflow\/runs\/get/.test(err.message));
    assert.equal(bad.requests.length, 1);
  } finally {
    await bad.close();
  }
  const down = mlflow.createMlflowClient({ trackingUri: bad.uri, sleep: noSleep, maxRetries: 2 });
  await assert.rejects(down.getRun('r'), /cannot reach the tracking server .* after 3 attempts/);
});

test('credentials go in the Authorization header and never into an error message', async () => {
  const server = await fakeServer((req, _body, res) => json(res, 401, { error_code: 'UNAUTHENTICATED', message: `bad credentials ${req.headers.authorization ?? ''} hunter2` }));
  try {
    const basic = mlflow.createMlflowClient({ trackingUri: server.uri, username: 'ann', password: 'hunter2' });
    await assert.rejects(basic.getRun('r'), (err: unknown) => {
      assert.ok(mlflow.isMlflowError(err));
      assert.doesNotMatch(err.message, /hunter2/);
      assert.equal(err.errorCode, 'UNAUTHENTICATED');
      return true;
    });
    assert.equal(server.requests[0]!.auth, `Basic ${Buffer.from('ann:hunter2').toString('base64')}`);
    const bearer = mlflow.createMlflowClient({ trackingUri: server.uri, token: 's3cr3t-token' });
    await assert.rejects(bearer.getRun('r'), (err: unknown) => err instanceof Error && !err.message.includes('s3cr3t-token'));
    assert.equal(server.requests[1]!.auth, 'Bearer s3cr3t-token');
  } finally {
    await server.close();
  }
});

test('settings come from the Python client variables', () => {
  const s = mlflow.settingsFromEnv({ MLFLOW_TRACKING_URI: 'http://h:5000', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p', MLFLOW_EXPERIMENT_NAME: 'e' });
  assert.deepEqual(s, { options: { trackingUri: 'http://h:5000', username: 'u', password: 'p' }, experimentName: 'e' });
  assert.equal(mlflow.settingsFromEnv({}).options, null);
  assert.throws(() => mlflow.settingsFromEnv({ MLFLOW_TRACKING_INSECURE_TLS: 'yes' }), /MLFLOW_TRACKING_INSECURE_TLS must be true, false, 1 or 0/);
  assert.equal(mlflow.artifactProxyPath('mlflow-artifacts:/1/abc/artifacts', 'images/a b.png'), '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/images/a%20b.png');
});
