// Delivering journal operations to MLflow: each operation as the REST calls that carry it, safe to repeat
// when a `done` marker is missing (see spool.ts).
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CxrlabError } from '../errors';
import { DEFAULT_AWAIT_REGISTRATION_MS, type Metric, type MlflowClient, type ModelVersionStatus } from '../mlflow-client';
import { MODEL_KEY_TAG, REGISTER_KEY_TAG, type RunRef, type Spool, type SpoolOp, type SpoolRecord } from './spool';
import type { Deliver } from './spool-replay';

/** A model version made (or found made by an earlier attempt) by a register operation. */
export interface Registration {
  /** The registered model. */
  name: string;
  /** The version number as MLflow gives it: `"1"`, `"2"`, … */
  version: string;
  /** The LoggedModel registered. */
  modelId: string;
  runId: string;
  /** READY, or PENDING_REGISTRATION when the registry was still busy after `awaitRegistrationMs`. */
  status: ModelVersionStatus;
}

/** Options of mlflowDelivery. */
export interface DeliveryOptions {
  /** Called (and awaited) once a register operation is delivered; an error it throws fails that delivery. */
  onRegistered?: (registration: Registration) => void | Promise<void>;
  /** Longest wait for a version the registry reports PENDING_REGISTRATION, in ms. Defaults to 300 000. */
  awaitRegistrationMs?: number;
}
const pointId = (m: Pick<Metric, 'key' | 'step' | 'timestamp' | 'value'>) => `${m.key}\u0000${m.step}\u0000${m.timestamp}\u0000${m.value}`;

async function runOf(client: MlflowClient, spool: Spool): Promise<RunRef> {
  const known = spool.run;
  if (known) return known;
  const runId = spool.runId;
  if (!runId) throw new CxrlabError(`${spool.path ?? 'the tracking journal'}: the run has not been created yet, so nothing can be logged to it`);
  const info = (await client.getRun(runId)).info;
  const ref = { runId, experimentId: info.experiment_id, artifactUri: info.artifact_uri };
  spool.recordRun(ref);
  return ref;
}

async function createRun(client: MlflowClient, spool: Spool, op: Extract<SpoolOp, { op: 'create-run' }>): Promise<void> {
  const experimentId = await client.getOrCreateExperiment(op.experimentName);
  // A create whose answer was lost made the run already: find it by its start time and name.
  const { runs } = await client.searchRuns([experimentId], { filter: `attributes.start_time = ${op.startTime}`, runViewType: 'ALL', maxResults: 100 });
  const info = runs.find((r) => r.info.run_name === op.runName)?.info ?? (await client.createRun(experimentId, { runName: op.runName, startTime: op.startTime, tags: op.tags }));
  spool.recordRun({ runId: info.run_id, experimentId: info.experiment_id, artifactUri: info.artifact_uri });
}

async function sendMetrics(client: MlflowClient, spool: Spool, runId: string, records: SpoolRecord[]): Promise<void> {
  const metrics = records.flatMap((r) => (r.op.op === 'metrics' ? r.op.metrics : []));
  const uncertain = records.flatMap((r) => (r.op.op === 'metrics' && spool.maybeDelivered(r.id) ? r.op.metrics : []));
  const onServer = new Set<string>();
  for (const key of new Set(uncertain.map((m) => m.key))) {
    for (const m of await client.getMetricHistory(runId, key)) onServer.add(pointId(m));
  }
  const fresh = onServer.size ? metrics.filter((m) => !onServer.has(pointId(m))) : metrics;
  if (fresh.length) await client.logBatch(runId, { metrics: fresh });
}

async function sendModel(client: MlflowClient, spool: Spool, record: SpoolRecord & { op: Extract<SpoolOp, { op: 'model' }> }): Promise<void> {
  const { op } = record;
  const run = await runOf(client, spool);
  let model = spool.modelOf(record.id);
  if (!model) {
    // A create whose answer was lost made the model already: it carries this operation's key.
    const { models } = await client.searchLoggedModels([run.experimentId], { filter: `source_run_id = '${run.runId}'`, maxResults: 1000 });
    const found = models.find((m) => m.info.tags?.some((t) => t.key === MODEL_KEY_TAG && t.value === op.key));
    if (found) model = { modelId: found.info.model_id, artifactUri: found.info.artifact_uri };
    else {
      const created = await client.createLoggedModel(run.experimentId, { name: op.name, sourceRunId: run.runId, modelType: op.modelType, tags: [{ key: MODEL_KEY_TAG, value: op.key }] });
      model = { modelId: created.modelId, artifactUri: created.artifactUri };
    }
    spool.recordModel(record.id, model);
  }
  const outputs = (await client.getRun(run.runId)).outputs?.model_outputs ?? [];
  if (!outputs.some((o) => o.model_id === model.modelId)) await client.logOutputs(run.runId, [{ modelId: model.modelId }]);
  await client.uploadArtifacts(model.artifactUri, spool.locate(op.path));
  await client.finalizeLoggedModel(model.modelId, 'LOGGED_MODEL_READY');
}

async function sendImage(client: MlflowClient, spool: Spool, op: Extract<SpoolOp, { op: 'image' }>): Promise<void> {
  const run = await runOf(client, spool);
  const png = await readFile(spool.locate(op.path));
  // The recorded timestamp and uuid fix the file names: a repeat overwrites the same two files.
  await client.logImage(run.runId, op.key, png, { step: op.step, timestamp: op.timestamp, uuid: op.uuid, artifactUri: run.artifactUri });
}

async function register(client: MlflowClient, spool: Spool, op: Extract<SpoolOp, { op: 'register' }>, options: DeliveryOptions): Promise<void> {
  const run = await runOf(client, spool);
  const what = `the model of run ${run.runId} cannot be registered as ${JSON.stringify(op.name)}`;
  const { models } = await client.searchLoggedModels([run.experimentId], { filter: `source_run_id = '${run.runId}'`, maxResults: 1000 });
  const model = models.find((m) => m.info.tags?.some((t) => t.key === MODEL_KEY_TAG && t.value === op.modelKey));
  if (!model) throw new CxrlabError(`${what}: expected a LoggedModel of the run tagged ${MODEL_KEY_TAG}=${op.modelKey}, found none (its model record was refused or is not delivered)`);
  if (model.info.status !== 'LOGGED_MODEL_READY') throw new CxrlabError(`${what}: expected its LoggedModel ${model.info.model_id} to be LOGGED_MODEL_READY, it is ${model.info.status}`);
  const awaitMs = options.awaitRegistrationMs ?? DEFAULT_AWAIT_REGISTRATION_MS;
  // A registration whose answer was lost made the version already: it carries this operation's key.
  const { versions } = await client.searchModelVersions({ filter: `run_id = '${run.runId}'` });
  const found = versions.find((v) => v.name === op.name && v.tags?.some((t) => t.key === REGISTER_KEY_TAG && t.value === op.key));
  const version = found
    ? found.status === 'PENDING_REGISTRATION'
      ? await client.awaitModelVersion(found.name, found.version, { timeoutMs: awaitMs })
      : found
    : await client.registerLoggedModel(op.name, model.info.model_id, { runId: run.runId, tags: [{ key: REGISTER_KEY_TAG, value: op.key }], awaitReadyMs: awaitMs });
  if (version.status === 'FAILED_REGISTRATION') throw new CxrlabError(`${what}: version ${version.version} failed to register${version.status_message ? `: ${version.status_message}` : ''}`);
  await options.onRegistered?.({ name: version.name, version: version.version, modelId: model.info.model_id, runId: run.runId, status: version.status });
}

/** The Deliver that sends operations to MLflow through `client`. */
export function mlflowDelivery(client: MlflowClient, options: DeliveryOptions = {}): Deliver {
  return async (records, spool) => {
    const first = records[0];
    if (!first) return;
    const { op } = first;
    switch (op.op) {
      case 'create-run':
        return createRun(client, spool, op);
      case 'metrics':
        return sendMetrics(client, spool, (await runOf(client, spool)).runId, records);
      case 'params':
        return client.logBatch((await runOf(client, spool)).runId, { params: op.params });
      case 'tags':
        return client.logBatch((await runOf(client, spool)).runId, { tags: op.tags });
      case 'inputs':
        return client.logInputs((await runOf(client, spool)).runId, op.datasets);
      case 'artifacts': {
        const { artifactUri } = await runOf(client, spool);
        const local = spool.locate(op.path);
        if (statSync(local).isDirectory()) await client.uploadArtifacts(artifactUri, local, op.artifactPath);
        else await client.uploadArtifact(artifactUri, local, op.artifactPath);
        return;
      }
      case 'model':
        return sendModel(client, spool, { id: first.id, op });
      case 'image':
        return sendImage(client, spool, op);
      case 'register':
        return register(client, spool, op, options);
      case 'status': {
        const runId = spool.runId;
        if (!runId) throw new CxrlabError(`${spool.path ?? 'the tracking journal'}: the run has not been created yet, so its status cannot be set`);
        const info = await client.updateRun(runId, { status: op.status, ...(op.endTime !== undefined ? { endTime: op.endTime } : {}) });
        if (!spool.run && info.experiment_id && info.artifact_uri) spool.recordRun({ runId, experimentId: info.experiment_id, artifactUri: info.artifact_uri });
        return;
      }
    }
  };
}
