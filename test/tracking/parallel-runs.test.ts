// Eight `cxrlab train` processes logging to one real MLflow server at the same time: every run ends
// FINISHED with one point per epoch for every curve, equal to the run's own history.json.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createMlflowClient } from '../../src/mlflow-client';
import { type MlflowTestServer, startMlflowServer } from '../helpers/mlflow-server';
import { ROOT, requireCxrDev, tempDir } from '../helpers/project';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');
const RUNS = 8;
const EPOCHS = 2;
let server: MlflowTestServer;

before(async () => {
  server = await startMlflowServer({ startTimeoutMs: 600_000 });
  // The first store request creates the tables; make it before eight runs race for it.
  await createMlflowClient({ trackingUri: server.uri }).getOrCreateExperiment('parallel');
});
after(async () => {
  await server?.close();
});

function train(experiment: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env, CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: 'parallel' };
    const child = spawn(process.execPath, [BIN, 'train', experiment], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test(`${RUNS} runs logging in parallel all complete with every point`, async () => {
  const dir = tempDir('parallel');
  const experiments = Array.from({ length: RUNS }, (_, i) => {
    const path = join(dir, `experiment-${i}.yaml`);
    writeFileSync(
      path,
      `name: parallel-${i}\nseed: ${i + 1}\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 32\n  cacheDir: ${join(dir, 'cache')}\ntrain:\n  epochs: ${EPOCHS}\n  batchSize: 32\n` +
        `evaluation:\n  gradcamPerClass: 0\n  shortcutAudit: false\noutput:\n  dir: ${join(dir, 'runs')}\n`,
    );
    return path;
  });
  const results = await Promise.all(experiments.map(train));
  const client = createMlflowClient({ trackingUri: server.uri });
  const ids = new Set<string>();
  for (const [i, r] of results.entries()) {
    assert.equal(r.code, 0, `run ${i}: ${r.stderr.slice(-2000)}`);
    const runId = /MLflow run \S+\/runs\/([0-9a-f]{32})/.exec(r.stdout)?.[1];
    assert.ok(runId, `run ${i} printed its MLflow run:\n${r.stdout.slice(-1500)}`);
    ids.add(runId);
    const run = await client.getRun(runId);
    assert.equal(run.info.status, 'FINISHED', `run ${i}`);
    const runDir = /run folder (\S+)/.exec(r.stdout)?.[1] as string;
    const history = JSON.parse(readFileSync(join(runDir, 'history.json'), 'utf8')) as Record<string, number>[];
    for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr']) {
      const points = await client.getMetricHistory(runId, key);
      assert.deepEqual(points.map((p) => p.step).sort(), [0, 1], `run ${i} ${key}: one point per epoch`);
      const sorted = [...points].sort((a, b) => a.step - b.step);
      sorted.forEach((p, epoch) => assert.ok(Math.abs(p.value - (history[epoch]?.[key] as number)) <= 1e-6 * Math.max(1, Math.abs(p.value)), `run ${i} ${key} epoch ${epoch}`));
    }
  }
  assert.equal(ids.size, RUNS, 'eight distinct runs');
});
