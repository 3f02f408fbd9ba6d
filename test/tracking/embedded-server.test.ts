import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../src';
import { VENV, tempDir } from '../helpers/project';

test('the embedded MLflow server starts on a free loopback port, is reused, and stops', async () => {
  const stateDir = tempDir('mlflow-embedded');
  const messages: string[] = [];
  const first = await ensureEmbeddedServer({ stateDir, venv: VENV, log: (m) => void messages.push(m) });
  try {
    assert.equal(first.started, true);
    assert.match(first.uri, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(messages[0] ?? '', /starting the MLflow server/);
    const health = await fetch(`${first.uri}/health`);
    assert.equal(health.status, 200);
    const experiments = await fetch(`${first.uri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`);
    assert.equal(experiments.status, 200, 'the REST API answers on the sqlite store');
    assert.ok(existsSync(join(stateDir, 'mlflow.db')));

    const again = await ensureEmbeddedServer({ stateDir, venv: VENV });
    assert.equal(again.started, false);
    assert.equal(again.pid, first.pid);
    assert.equal(again.uri, first.uri);
  } finally {
    assert.equal(stopEmbeddedServer(stateDir), true);
  }
  await new Promise((r) => setTimeout(r, 1500));
  await assert.rejects(fetch(`${first.uri}/health`), 'the server is gone');
  assert.equal(stopEmbeddedServer(stateDir), false);
});
