// The run tracker when no tracking server answers (a closed port) or one refuses everything (a local
// HTTP server answering 400): training-side calls never throw, every record lands in the run folder's
// journal in order with the status last, finish says how to deliver it, a resumed run continues the
// same journal without creating a second run, and a refused start is an error as before.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMlflowClient, isMlflowError } from '../../src/mlflow-client';
import type { EpochLogs } from '../../src/train/callbacks/callback';
import { startRunTracker } from '../../src/tracking/run-tracker';
import { SPOOL_FILE, Spool } from '../../src/tracking/spool';
import { freePort } from '../../src/util/net';
import { tempDir } from '../helpers/project';

const logs = (epoch: number): EpochLogs => ({ loss: 1 / (epoch + 1), accuracy: 0.5 + epoch / 10, val_loss: 1.1 / (epoch + 1), val_accuracy: 0.4 + epoch / 10, lr: 0.001, images_per_second: 100 });

function runFolder(prefix: string): string {
  const dir = tempDir(prefix);
  writeFileSync(join(dir, 'config.json'), '{"name":"offline"}\n');
  mkdirSync(join(dir, 'plots'));
  writeFileSync(join(dir, 'plots', 'curves.html'), '<html></html>\n');
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'model.json'), '{}\n');
  mkdirSync(join(dir, 'checkpoints'));
  writeFileSync(join(dir, 'checkpoints', 'last.bin'), 'x');
  return dir;
}

test('with no server from the start, training-side calls never throw and finish leaves a complete, ordered journal', async () => {
  const client = createMlflowClient({ trackingUri: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
  const dir = runFolder('tracker-offline');
  const warnings: string[] = [];
  const tracker = await startRunTracker({ client, experimentName: 'offline', runName: 'offline-1', spoolDir: dir, systemMetrics: false, warn: (m) => void warnings.push(m) });
  assert.equal(tracker.runId, '', 'the run does not exist yet');
  assert.equal(tracker.url, '');
  assert.equal(tracker.spoolPath, join(dir, SPOOL_FILE), 'the journal is on disk as soon as the server is found away');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /cannot log to http:\/\/127\.0\.0\.1:\d+ .*training goes on/);

  await tracker.logParams([{ key: 'train.epochs', value: '3' }]);
  await tracker.logDataset({ name: 'cxr', digest: 'abc', source_type: 'local', source: '/data' }, 'train');
  const onEpochEnd = tracker.callback().onEpochEnd as (epoch: number, logs: EpochLogs) => Promise<void>;
  for (let epoch = 0; epoch < 3; epoch++) await onEpochEnd(epoch, logs(epoch));
  await tracker.finish('FINISHED', dir);

  assert.match(warnings.at(-1) ?? '', new RegExp(`not delivered to .* yet \\(the server does not answer\\); they are kept in ${join(dir, SPOOL_FILE)}\\. Run \`cxrlab sync ${dir}\``));
  const journal = Spool.read(join(dir, SPOOL_FILE)) as Spool;
  const ops = journal.pending().map((r) => r.op);
  assert.deepEqual(
    ops.map((op) => (op.op === 'artifacts' || op.op === 'model' ? `${op.op}:${op.path}` : op.op)),
    ['create-run', 'params', 'inputs', 'metrics', 'metrics', 'metrics', 'artifacts:config.json', 'artifacts:plots', 'model:model', 'status'],
    'checkpoints/ and the journal itself are not uploaded; the status comes last',
  );
  const steps = ops.flatMap((op) => (op.op === 'metrics' ? [op.metrics[0]?.step] : []));
  assert.deepEqual(steps, [0, 1, 2]);
  const create = ops[0];
  assert.ok(create?.op === 'create-run' && create.experimentName === 'offline' && create.tags.some((t) => t.key === 'mlflow.runName' && t.value === 'offline-1'));
  const status = ops.at(-1);
  assert.ok(status?.op === 'status' && status.status === 'FINISHED' && typeof status.endTime === 'number');
});

test('a resumed run continues the journal it left behind: one run to create, the new records after the old ones', async () => {
  const client = createMlflowClient({ trackingUri: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
  const dir = runFolder('tracker-resume');
  const quiet = () => {};
  const first = await startRunTracker({ client, experimentName: 'offline', runName: 'resume-1', spoolDir: dir, systemMetrics: false, warn: quiet });
  await first.logMetrics({ loss: 0.9 }, 0);
  await first.finish('KILLED');

  const second = await startRunTracker({ client, experimentName: 'offline', runName: 'resume-1', spoolDir: dir, systemMetrics: false, warn: quiet });
  await second.logMetrics({ loss: 0.8 }, 1);
  await second.finish('FINISHED');

  const ops = (Spool.read(join(dir, SPOOL_FILE)) as Spool).pending().map((r) => (r.op.op === 'status' ? `status:${r.op.status}` : r.op.op));
  assert.deepEqual(ops, ['create-run', 'metrics', 'status:KILLED', 'status:RUNNING', 'metrics', 'status:FINISHED']);
});

test('a server that refuses the run (4xx) makes startRunTracker throw, as before, and leaves no journal', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'refused for the test' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const client = createMlflowClient({ trackingUri: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const dir = runFolder('tracker-refused');
    await assert.rejects(
      startRunTracker({ client, experimentName: 'refused', runName: 'r', spoolDir: dir, systemMetrics: false, warn: () => {} }),
      (err: unknown) => isMlflowError(err) && err.status === 400 && /refused for the test/.test(err.message),
    );
    assert.equal(Spool.read(join(dir, SPOOL_FILE)), null);
  } finally {
    server.close();
  }
});
