// createMlflowClient: one stateless client object over the API modules (experiments, runs, artifacts,
// LoggedModels, images, the model registry). Every call names its experiment, run or model; nothing is cached.
import { type ArtifactsApi, artifactsApi } from './artifacts';
import type { Context } from './context';
import { type ExperimentsApi, experimentsApi } from './experiments';
import { type HttpOptions, createHttp } from './http';
import { type ImagesApi, imagesApi } from './images';
import { type LoggedModelsApi, loggedModelsApi } from './logged-models';
import { type RegistryApi, registryApi } from './registry';
import { type RunsApi, runsApi } from './runs';

/** Options of createMlflowClient: the HTTP options (URI, credentials, retries, timeout, fetch) and the value policy. */
export interface MlflowClientOptions extends HttpOptions {
  /**
   * Over-long param and tag values (params > 6000, tags > 8000 characters) are cut to the limit, as the Python
   * client does by default (MLFLOW_TRUNCATE_LONG_VALUES); false refuses them with an error instead. Defaults to true.
   */
  truncateLongValues?: boolean;
}

/** The whole client: see the API interfaces for each method. */
export interface MlflowClient extends ExperimentsApi, RunsApi, ArtifactsApi, LoggedModelsApi, ImagesApi, RegistryApi {
  /** The tracking URI the client talks to, without credentials or trailing slash. */
  readonly trackingUri: string;
}

/**
 * A typed client for an MLflow 3.x tracking server's REST API. It sends no `X-MLFLOW-WORKSPACE` header, retries
 * 5xx answers and connection errors with exponential backoff (never 4xx), and throws {@link MlflowError}s that
 * never contain a credential.
 *
 * @example
 * import { createMlflowClient, settingsFromEnv } from './mlflow-client';
 *
 * const client = createMlflowClient(settingsFromEnv().options ?? { trackingUri: 'http://127.0.0.1:5000' });
 * const experimentId = await client.getOrCreateExperiment('cxr');
 * const run = await client.createRun(experimentId, { runName: 'seed-004' }); // sets mlflow.user, mlflow.source.*
 * await client.logBatch(run.run_id, {
 *   params: [{ key: 'train.learningRate', value: '0.001' }],
 *   metrics: [{ key: 'loss', value: 0.71, step: 0 }], // timestamp defaults to now
 * });
 * await client.uploadArtifact(run.artifact_uri, 'runs/default/report.json');
 * await client.logModel(run.run_id, 'runs/default/model', { name: 'model', modelType: 'tfjs-layers' });
 * await client.endRun(run.run_id, 'FINISHED');
 */
export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const http = createHttp(options);
  const ctx: Context = { http, truncateLongValues: options.truncateLongValues ?? true };
  const experiments = experimentsApi(ctx);
  const runs = runsApi(ctx);
  const artifacts = artifactsApi(ctx);
  const models = loggedModelsApi(ctx, { artifacts, experimentOfRun: async (runId) => (await runs.getRun(runId)).info.experiment_id });
  const images = imagesApi({ artifacts, runs });
  const registry = registryApi(ctx);
  return { trackingUri: http.baseUrl, ...experiments, ...runs, ...artifacts, ...models, ...images, ...registry };
}
