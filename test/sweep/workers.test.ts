import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTagFlags } from '../../src/cli/tags';
import { ConfigError } from '../../src/errors';
import { createMlflowClient } from '../../src/mlflow-client';
import { childTags } from '../../src/sweep/children';
import { runOverrides } from '../../src/sweep/executor';
import type { PlannedTrial } from '../../src/sweep/plan';
import { workerEnv } from '../../src/sweep/runner';
import { workerArgs } from '../../src/sweep/worker-process';

test('--tag key=value flags become MLflow tags; a value may contain =; every malformed flag is listed', () => {
  assert.deepEqual(parseTagFlags(['mlflow.parentRunId=abc123', 'cxrlab.trial=3', 'note=a=b']), [
    { key: 'mlflow.parentRunId', value: 'abc123' },
    { key: 'cxrlab.trial', value: '3' },
    { key: 'note', value: 'a=b' },
  ]);
  assert.deepEqual(parseTagFlags([]), []);
  assert.throws(
    () => parseTagFlags(['novalue', '=x', 'bad key!=1', 'team=a', 'team=b']),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.issues.length, 4);
      assert.match(err.issues[0] as string, /--tag expects key=value.*Received: novalue/);
      assert.match(err.issues[1] as string, /Received: =x/);
      assert.match(err.issues[2] as string, /--tag bad key!=1: key "bad key!" may only contain/);
      assert.match(err.issues[3] as string, /the tag team is given twice/);
      return true;
    },
  );
});

test("a worker runs `cxrlab train <experiment>` with the trial's overrides, its run folder in the sweep's folder, and the child tags", () => {
  const trial = { number: 2, values: [], overrides: ['name=lr-2', 'train.epochs=1', 'train.learningRate=0.0003'] } as unknown as PlannedTrial;
  const overrides = runOverrides({ trial, outputDir: '/runs/lr/20260101-000000' });
  assert.deepEqual(overrides.at(-1), 'output.dir=/runs/lr/20260101-000000', 'last, so it wins over `set`');
  assert.deepEqual(workerArgs('/p/bin/cxrlab.cjs', '/p/exp.yaml', overrides, childTags('abc', trial)), [
    '/p/bin/cxrlab.cjs', 'train', '/p/exp.yaml',
    '--set', 'name=lr-2', '--set', 'train.epochs=1', '--set', 'train.learningRate=0.0003', '--set', 'output.dir=/runs/lr/20260101-000000',
    '--tag', 'mlflow.parentRunId=abc', '--tag', 'cxrlab.trial=2',
  ]);
});

test("workers log to the sweep's server and experiment: the environment's URI (with its credentials) when it is that server, else the sweep's", () => {
  const tracking = { client: createMlflowClient({ trackingUri: 'http://127.0.0.1:5000' }), experimentName: 'sweeps' };
  const same = workerEnv(tracking, { MLFLOW_TRACKING_URI: 'http://user:secret@127.0.0.1:5000/', CXRLAB_TRACKING: '0', OTHER: 'kept' });
  assert.equal(same.MLFLOW_TRACKING_URI, 'http://user:secret@127.0.0.1:5000/');
  assert.equal(same.MLFLOW_EXPERIMENT_NAME, 'sweeps');
  assert.equal(same.CXRLAB_TRACKING, '1');
  assert.equal(same.OTHER, 'kept');
  assert.equal(workerEnv(tracking, { MLFLOW_TRACKING_URI: 'http://elsewhere:5000' }).MLFLOW_TRACKING_URI, 'http://127.0.0.1:5000');
  assert.equal(workerEnv(tracking, {}).MLFLOW_TRACKING_URI, 'http://127.0.0.1:5000', 'the embedded server, named for the workers');
});
