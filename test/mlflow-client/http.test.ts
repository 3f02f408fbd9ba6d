// The HTTP layer through the public client: retries with exponential backoff on 5xx and connection
// errors and never on 4xx, per-attempt timeouts, TLS (refused certificates are not retried; insecureTls
// accepts them for this client only), and the contents of MlflowError.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { createMlflowClient, isMlflowError, MlflowError } from '../../src/mlflow-client';
import { fakeFetch, jsonResponse, mlflowError, noSleep, refused, reset } from './fake-fetch';

const RUN = { run: { info: { run_id: 'r1', experiment_id: '1', status: 'RUNNING', artifact_uri: 'mlflow-artifacts:/1/r1/artifacts' }, data: {} } };

function recordSleeps(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

test('5xx answers are retried with exponential backoff until one succeeds', async () => {
  const { fetch, requests } = fakeFetch((_req, i) => (i < 3 ? mlflowError(503, 'TEMPORARILY_UNAVAILABLE', 'busy') : jsonResponse(200, RUN)));
  const { sleeps, sleep } = recordSleeps();
  const logs: string[] = [];
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep, backoffMs: 100, log: (m) => logs.push(m) });
  assert.equal((await client.getRun('r1')).info.run_id, 'r1');
  assert.equal(requests.length, 4);
  assert.deepEqual(sleeps, [100, 200, 400]);
  assert.equal(logs.length, 3);
  assert.match(logs[0]!, /GET \/api\/2\.0\/mlflow\/runs\/get failed \(HTTP 503 TEMPORARILY_UNAVAILABLE\); retry 1 of 5 in 100 ms/);
});

test('backoff is capped by maxBackoffMs and stretched by a Retry-After header', async () => {
  const answers = [jsonResponse(502, {}, { 'retry-after': '3' }), jsonResponse(500, {}), jsonResponse(500, {}), jsonResponse(500, {}), jsonResponse(200, RUN)];
  const { fetch } = fakeFetch((_req, i) => answers[i]!);
  const { sleeps, sleep } = recordSleeps();
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep, backoffMs: 1000, maxBackoffMs: 2500 });
  await client.getRun('r1');
  assert.deepEqual(sleeps, [2500, 2000, 2500, 2500]);
});

test('when every retry fails the error carries the status, error_code, attempts, method and path', async () => {
  const { fetch, requests } = fakeFetch(() => mlflowError(500, 'INTERNAL_ERROR', 'database is locked'));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test/prefix/', fetch, sleep: noSleep, maxRetries: 2 });
  await assert.rejects(client.setTag('r1', 'k', 'v'), (err: unknown) => {
    assert.ok(isMlflowError(err) && err instanceof MlflowError);
    assert.equal(err.kind, 'response');
    assert.equal(err.status, 500);
    assert.equal(err.errorCode, 'INTERNAL_ERROR');
    assert.equal(err.attempts, 3);
    assert.equal(err.method, 'POST');
    assert.equal(err.path, '/prefix/api/2.0/mlflow/runs/set-tag');
    assert.equal(err.message, 'POST /prefix/api/2.0/mlflow/runs/set-tag: INTERNAL_ERROR: database is locked (after 3 attempts)');
    return true;
  });
  assert.equal(requests.length, 3);
  assert.equal(requests[0]!.url, 'http://mlflow.test/prefix/api/2.0/mlflow/runs/set-tag');
});

test('4xx answers are never retried', async () => {
  for (const [status, code] of [[400, 'INVALID_PARAMETER_VALUE'], [401, 'UNAUTHENTICATED'], [403, 'PERMISSION_DENIED'], [404, 'RESOURCE_DOES_NOT_EXIST'], [429, 'REQUEST_LIMIT_EXCEEDED']] as const) {
    const { fetch, requests } = fakeFetch(() => mlflowError(status, code, 'no'));
    const { sleeps, sleep } = recordSleeps();
    const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep });
    await assert.rejects(client.getRun('r1'), (err: unknown) => isMlflowError(err) && err.status === status && err.errorCode === code && err.attempts === 1);
    assert.equal(requests.length, 1, `HTTP ${status} was retried`);
    assert.deepEqual(sleeps, []);
  }
});

test('5xx that cannot heal (501, FEATURE_DISABLED such as an unprobed X-MLFLOW-WORKSPACE) are not retried', async () => {
  for (const answer of [mlflowError(500, 'FEATURE_DISABLED', 'workspaces are not enabled on this server'), jsonResponse(501, { error_code: 'NOT_IMPLEMENTED', message: 'Multipart upload is not supported' })]) {
    const { fetch, requests } = fakeFetch(() => answer.clone());
    const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep: noSleep });
    await assert.rejects(client.getRun('r1'), isMlflowError);
    assert.equal(requests.length, 1);
  }
});

test('an HTML error page is reported by status and text, not as a JSON parse failure', async () => {
  const { fetch } = fakeFetch(() => new Response('<html><body><h1>Not Found</h1></body></html>', { status: 404, statusText: 'Not Found', headers: { 'content-type': 'text/html' } }));
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep: noSleep });
  await assert.rejects(client.getRun('r1'), /GET \/api\/2\.0\/mlflow\/runs\/get: HTTP 404 Not Found — Not Found/);
});

test('connection errors (refused, reset) are retried; after the last retry the error says the server is unreachable', async () => {
  const flaky = fakeFetch((_req, i) => (i === 0 ? refused() : i === 1 ? reset() : jsonResponse(200, RUN)));
  const { sleeps, sleep } = recordSleeps();
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch: flaky.fetch, sleep, backoffMs: 10 });
  assert.equal((await client.getRun('r1')).info.run_id, 'r1');
  assert.deepEqual(sleeps, [10, 20]);

  const down = fakeFetch(() => refused());
  const downClient = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch: down.fetch, sleep: noSleep, maxRetries: 3 });
  await assert.rejects(downClient.getRun('r1'), (err: unknown) => {
    assert.ok(isMlflowError(err));
    assert.equal(err.kind, 'connection');
    assert.equal(err.status, undefined);
    assert.equal(err.attempts, 4);
    assert.match(err.message, /^GET \/api\/2\.0\/mlflow\/runs\/get: cannot reach the tracking server at http:\/\/mlflow\.test after 4 attempts: fetch failed: connect ECONNREFUSED/);
    return true;
  });
  assert.equal(down.requests.length, 4);
});

test('a connection the server closed (a kept-alive one that idled out) is retried at once on the first attempt, with backoff after that', async () => {
  const flaky = fakeFetch((_req, i) => (i < 2 ? reset() : jsonResponse(200, RUN)));
  const { sleeps, sleep } = recordSleeps();
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch: flaky.fetch, sleep, backoffMs: 10 });
  assert.equal((await client.getRun('r1')).info.run_id, 'r1');
  assert.deepEqual(sleeps, [0, 20]);
});

test('a real refused port goes through the real fetch and is retried', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const { sleeps, sleep } = recordSleeps();
  const client = createMlflowClient({ trackingUri: `http://127.0.0.1:${port}`, sleep, maxRetries: 2, backoffMs: 5 });
  await assert.rejects(client.getExperimentByName('x'), (err: unknown) => isMlflowError(err) && err.kind === 'connection' && /ECONNREFUSED/.test(err.message) && err.attempts === 3);
  assert.deepEqual(sleeps, [5, 10]);
});

test('an attempt with no answer within timeoutMs is aborted and retried', async () => {
  let calls = 0;
  const fetch = (_url: string, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      if (++calls === 3) return resolve(jsonResponse(200, RUN));
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
    });
  const client = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch, sleep: noSleep, timeoutMs: 30 });
  assert.equal((await client.getRun('r1')).info.run_id, 'r1');
  assert.equal(calls, 3);
  const stuck = createMlflowClient({ trackingUri: 'http://mlflow.test', fetch: (_u, init) => new Promise((_r, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))), sleep: noSleep, timeoutMs: 20, maxRetries: 1 });
  await assert.rejects(stuck.getRun('r1'), /after 2 attempts: no answer within 0\.02 s/);
});

test('the timeout covers the wait for headers only: a slow body is not cut off', async () => {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.from([1]));
    setTimeout(() => res.end(Buffer.from([2, 3])), 300);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const client = createMlflowClient({ trackingUri: `http://127.0.0.1:${(server.address() as { port: number }).port}`, timeoutMs: 100 });
    assert.deepEqual([...(await client.downloadArtifact('mlflow-artifacts:/1/r1/artifacts', 'big.bin'))], [1, 2, 3]);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

// A self-signed certificate for 127.0.0.1, for this test only (EC P-256, valid until 2126).
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyvbVF6ikguASMKhe
hkXDtKuykU2pnGvTt1Ft2DnAIkehRANCAATp0pGD5vKd1FhmPWCGWeeprTbR2pth
StTylw6Qm0fsHvkndWiErlcYqc4CRdZ04pc0od4WFiUFuXFmZn0u9nwC
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBkTCCATagAwIBAgIUXRsrdoXPjUwj75/0bkeet5A9YrMwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNDA1NTQzMFoYDzIxMjYxMDMx
MDU1NDMwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATp0pGD5vKd1FhmPWCGWeeprTbR2pthStTylw6Qm0fsHvkndWiErlcY
qc4CRdZ04pc0od4WFiUFuXFmZn0u9nwCo2QwYjAdBgNVHQ4EFgQUWkxjkzAyh491
3WhIA9kL9DcfNhMwHwYDVR0jBBgwFoAUWkxjkzAyh4913WhIA9kL9DcfNhMwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0kAMEYC
IQC9jaExRAcX54ix/ps9WSA8SNQxGRTQTaYJHJAa7H7iwQIhAPeSkfNVR5TP7j9P
YSuE5DJX+rgJefvrAqf43rDuoqe+
-----END CERTIFICATE-----`;

test('a self-signed certificate is refused without retries, and accepted with insecureTls (this client only)', async () => {
  const seen: { method: string; url: string; body: string; auth: string | undefined }[] = [];
  const server = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url?.includes('runs/get') ? RUN : {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const uri = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const { sleeps, sleep } = recordSleeps();
    const strict = createMlflowClient({ trackingUri: uri, sleep });
    await assert.rejects(strict.getRun('r1'), (err: unknown) => {
      assert.ok(isMlflowError(err));
      assert.equal(err.kind, 'connection');
      assert.equal(err.attempts, 1);
      assert.match(err.message, /certificate was refused \(MLFLOW_TRACKING_INSECURE_TLS=true skips the check\)/);
      return true;
    });
    assert.deepEqual(sleeps, []);
    assert.equal(seen.length, 0);

    const insecure = createMlflowClient({ trackingUri: uri, insecureTls: true, token: 'tok' });
    assert.equal((await insecure.getRun('r1')).info.run_id, 'r1');
    await insecure.setTag('r1', 'k', 'v');
    await insecure.uploadArtifactBytes('mlflow-artifacts:/1/r1/artifacts', 'a.txt', Buffer.from('hello'));
    assert.deepEqual(
      seen.map((s) => [s.method, s.url.split('?')[0], s.auth]),
      [
        ['GET', '/api/2.0/mlflow/runs/get', 'Bearer tok'],
        ['POST', '/api/2.0/mlflow/runs/set-tag', 'Bearer tok'],
        ['PUT', '/api/2.0/mlflow-artifacts/artifacts/1/r1/artifacts/a.txt', 'Bearer tok'],
      ],
    );
    assert.deepEqual(JSON.parse(seen[1]!.body), { run_id: 'r1', key: 'k', value: 'v' });
    assert.equal(seen[2]!.body, 'hello');
    // Nothing process-wide was switched off.
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
    await assert.rejects(strict.getRun('r1'), /certificate was refused/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a tracking URI that is not http(s) is refused with a message saying what was expected', () => {
  assert.throws(() => createMlflowClient({ trackingUri: 'file:///tmp/mlruns' }), /trackingUri must be an http\(s\) URL such as http:\/\/127\.0\.0\.1:5000 \(this client talks REST only\), received scheme "file:"/);
  assert.throws(() => createMlflowClient({ trackingUri: 'not a url' }), /trackingUri must be an http\(s\) URL/);
});
