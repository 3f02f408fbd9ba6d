// Client options from the Python client's environment variables, and how bad values are reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMlflowClient, isMlflowError, settingsFromEnv } from '../../src/mlflow-client';
import { fakeFetch, jsonResponse } from './fake-fetch';

test('MLFLOW_TRACKING_URI, basic auth, the experiment name and the HTTP knobs are read', () => {
  const s = settingsFromEnv({
    MLFLOW_TRACKING_URI: 'https://mlflow.example:5000',
    MLFLOW_TRACKING_USERNAME: 'ann',
    MLFLOW_TRACKING_PASSWORD: 'pw',
    MLFLOW_TRACKING_INSECURE_TLS: 'TRUE',
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '7',
    MLFLOW_HTTP_REQUEST_TIMEOUT: '2.5',
    MLFLOW_TRUNCATE_LONG_VALUES: '0',
    MLFLOW_EXPERIMENT_NAME: 'cxr',
    MLFLOW_WORKSPACE: 'ignored',
  });
  assert.deepEqual(s, {
    options: { trackingUri: 'https://mlflow.example:5000', username: 'ann', password: 'pw', insecureTls: true, maxRetries: 7, timeoutMs: 2500, truncateLongValues: false },
    experimentName: 'cxr',
  });
});

test('a token, no URI, empty values and false booleans give the minimal options', () => {
  assert.deepEqual(settingsFromEnv({ MLFLOW_TRACKING_URI: 'http://h:5000', MLFLOW_TRACKING_TOKEN: 't0k', MLFLOW_TRACKING_INSECURE_TLS: 'false' }), { options: { trackingUri: 'http://h:5000', token: 't0k' } });
  assert.deepEqual(settingsFromEnv({}), { options: null });
  assert.deepEqual(settingsFromEnv({ MLFLOW_TRACKING_URI: '', MLFLOW_EXPERIMENT_NAME: '' }), { options: null });
  assert.deepEqual(settingsFromEnv({ MLFLOW_EXPERIMENT_NAME: 'only-name' }), { options: null, experimentName: 'only-name' });
});

test('malformed values are refused, naming the variable and what it accepts', () => {
  assert.throws(() => settingsFromEnv({ MLFLOW_TRACKING_INSECURE_TLS: 'yes' }), /MLFLOW_TRACKING_INSECURE_TLS must be true, false, 1 or 0\. Received: "yes"/);
  assert.throws(() => settingsFromEnv({ MLFLOW_TRUNCATE_LONG_VALUES: 'maybe' }), /MLFLOW_TRUNCATE_LONG_VALUES must be true, false, 1 or 0/);
  assert.throws(() => settingsFromEnv({ MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon' }), /MLFLOW_HTTP_REQUEST_TIMEOUT must be a number of seconds ≥ 0\. Received: "soon"/);
  assert.throws(() => settingsFromEnv({ MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' }), (err: unknown) => isMlflowError(err) && err.kind === 'validation' && /must be an http\(s\) URL .* Received: a file: URI/.test(err.message));
  // A database URI may carry a password: only its scheme is echoed.
  assert.throws(() => settingsFromEnv({ MLFLOW_TRACKING_URI: 'postgresql://ann:topsecret@db/mlflow' }), (err: unknown) => err instanceof Error && /a postgresql: URI/.test(err.message) && !err.message.includes('topsecret'));
});

test('the options from the environment drive the client: auth header and mlflow.user', async () => {
  const { options } = settingsFromEnv({ MLFLOW_TRACKING_URI: 'http://mlflow.test/', MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw' });
  assert.ok(options);
  const { fetch, requests } = fakeFetch(() => jsonResponse(200, { run: { info: { run_id: 'r1', experiment_id: '1', status: 'RUNNING', artifact_uri: 'mlflow-artifacts:/1/r1/artifacts' }, data: {} } }));
  const client = createMlflowClient({ ...options, fetch });
  assert.equal(client.trackingUri, 'http://mlflow.test');
  await client.createRun('1');
  assert.equal(requests[0]!.headers.authorization, `Basic ${Buffer.from('ann:pw').toString('base64')}`);
  const tags = (requests[0]!.json as { tags: { key: string; value: string }[] }).tags;
  assert.deepEqual(tags.find((t) => t.key === 'mlflow.user'), { key: 'mlflow.user', value: 'ann' });
});
