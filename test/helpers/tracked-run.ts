// A `cxrlab train` run logged to a given MLflow server, and the checks of what that run must leave
// there whatever store is behind the server: every param, one point per epoch for each curve, the
// system tags and system metrics, the dataset input, the artifacts and the LoggedModel.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MlflowClient } from '../../src/mlflow-client';
import type { EpochLogs } from '../../src/train/callbacks/callback';
import { ROOT, requireCxrDev, runCommand, tempDir } from './project';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');

export interface TrackedTraining {
  runId: string;
  /** The run's page in the MLflow UI, as the CLI printed it. */
  url: string;
  /** The local run folder. */
  runDir: string;
  stdout: string;
  stderr: string;
}

/**
 * Trains `name` on the cxr-dev images with `--set` overrides, logging to `trackingUri` under `experimentName`;
 * fails the test when the command fails or prints no MLflow run link.
 */
export function trainTracked(options: { trackingUri: string; experimentName: string; name: string; sets: string[]; args?: string[] }): TrackedTraining {
  const dir = tempDir(options.name);
  const experiment = join(dir, 'experiment.yaml');
  writeFileSync(experiment, `name: ${options.name}\ndata:\n  dir: ${requireCxrDev()}\noutput:\n  dir: ${join(dir, 'runs')}\n`);
  const env = { ...process.env, CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: options.trackingUri, MLFLOW_EXPERIMENT_NAME: options.experimentName };
  const res = runCommand(process.execPath, [BIN, 'train', experiment, ...options.sets.flatMap((s) => ['--set', s]), ...(options.args ?? [])], { env });
  assert.equal(res.status, 0, `cxrlab train failed:\n${res.stderr.slice(-4000)}`);
  const url = /MLflow run (\S+)/.exec(res.stdout)?.[1] ?? '';
  assert.match(url, new RegExp(`^${options.trackingUri}/#/experiments/\\d+/runs/[0-9a-f]{32}$`), res.stdout);
  const runDir = /run folder (\S+)/.exec(res.stdout)?.[1] ?? '';
  assert.ok(runDir, res.stdout);
  return { runId: url.split('/').pop() as string, url, runDir, stdout: res.stdout, stderr: res.stderr };
}

export interface TrackedRunExpectation {
  name: string;
  epochs: number;
  imageSize: number;
  /** Artifacts that must be at the top of the run's artifact tree. */
  artifacts: string[];
}

const CURVES = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'];
const SYSTEM_TAGS = ['mlflow.runName', 'mlflow.user', 'mlflow.source.name', 'mlflow.source.type', 'mlflow.source.git.commit', 'mlflow.note.content'];
const SYSTEM_METRICS = ['system/cpu_utilization_percentage', 'system/system_memory_usage_megabytes', 'system/disk_usage_percentage'];

/** Asserts what a finished `cxrlab train` run holds on the server: see the file header. */
export async function assertTrackedRun(client: MlflowClient, training: TrackedTraining, expected: TrackedRunExpectation): Promise<void> {
  const { runId } = training;
  const run = await client.getRun(runId);
  assert.equal(run.info.status, 'FINISHED', `the run is ${run.info.status}; cxrlab train printed:\n${training.stdout.slice(-3000)}\n${training.stderr.slice(-3000)}`);
  assert.equal(run.info.run_id, runId);

  const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
  const config = JSON.parse(readFileSync(join(training.runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(params['data.imageSize'], String(expected.imageSize));
  assert.equal(params['train.epochs'], String(expected.epochs));
  assert.equal(params['model.name'], (config.model as { name: string }).name);
  assert.equal(params['optimizer.beta_1'], '0.9');
  assert.equal(params['dataset.count.train'], '175');
  assert.ok(Object.keys(params).length >= 30, `every config field is a param: ${Object.keys(params).join(', ')}`);

  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  for (const key of SYSTEM_TAGS) assert.ok(tags[key], `tag ${key}`);

  const steps = Array.from({ length: expected.epochs }, (_, i) => i);
  for (const key of CURVES) {
    const history = await client.getMetricHistory(runId, key);
    assert.deepEqual(history.map((m) => m.step).sort((a, b) => a - b), steps, `${key}: one point per epoch, step = epoch`);
    assert.ok(history.every((m) => Number.isFinite(m.value)), `${key}: finite values`);
  }
  const local = JSON.parse(readFileSync(join(training.runDir, 'history.json'), 'utf8')) as EpochLogs[];
  const remoteLoss = (await client.getMetricHistory(runId, 'loss')).sort((a, b) => a.step - b.step).map((m) => m.value);
  assert.deepEqual(remoteLoss, local.map((e) => e.loss), 'the store gives back the exact loss values of history.json');
  for (const key of SYSTEM_METRICS) assert.ok((await client.getMetricHistory(runId, key)).length >= 1, `${key} is logged under MLflow's own name`);

  const dataset = run.inputs?.dataset_inputs?.[0];
  assert.equal(dataset?.dataset.name, 'cxr-dev');
  assert.match(dataset?.dataset.digest ?? '', /^[0-9a-f]{16}$/);

  const files = (await client.listArtifacts(runId)).map((f) => f.path);
  for (const f of expected.artifacts) assert.ok(files.includes(f), `artifact ${f} in ${files.join(', ')}`);
  const remoteConfig = JSON.parse((await client.downloadArtifact(run.info.artifact_uri, 'config.json')).toString()) as { name: string };
  assert.equal(remoteConfig.name, expected.name);

  const outputs = run.outputs?.model_outputs ?? [];
  assert.equal(outputs.length, 1, 'the model is a LoggedModel linked to the run');
  const model = await client.getLoggedModel(outputs[0]!.model_id);
  assert.equal(model.info.status, 'LOGGED_MODEL_READY');
  assert.equal(model.info.source_run_id, runId);
  const modelFiles = (await client.listArtifactsAt(model.info.artifact_uri)).map((f) => f.path);
  assert.ok(modelFiles.some((f) => f.endsWith('model.json')), `the LoggedModel holds the tfjs model: ${modelFiles.join(', ')}`);

  assert.equal(JSON.parse(readFileSync(join(training.runDir, 'tracking.json'), 'utf8')).runId, runId);
}
