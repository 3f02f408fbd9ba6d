// mlflow-client: a small typed client for MLflow 3.x's REST API — experiments, runs, log-batch within
// MLflow's limits, dataset inputs, artifacts through the server's proxy, LoggedModels, images, the model
// registry. It imports nothing from the rest of cxrlab (only node: built-ins), so it can be published on its own.
export { createMlflowClient, type MlflowClient, type MlflowClientOptions } from './client';
export { settingsFromEnv, type EnvSettings } from './env';
export { MlflowError, isMlflowError, type MlflowErrorKind, type MlflowErrorDetails } from './errors';
export type { HttpOptions, FetchLike } from './http';
export type { ExperimentsApi, CreateExperimentOptions, GetOrCreateExperimentOptions } from './experiments';
export type { RunsApi, CreateRunOptions, UpdateRunOptions, SearchRunsOptions, RunsPage, LogBatchInput } from './runs';
export { artifactProxyPath, artifactPathProblem, contentTypeOf, type ArtifactsApi } from './artifacts';
export type { LoggedModelsApi, CreateLoggedModelOptions, LoggedModelHandle, LogModelOptions, SearchLoggedModelsOptions, LoggedModelsPage } from './logged-models';
export { imageFileStem, type ImagesApi, type LogImageOptions, type LoggedImage } from './images';
export {
  registeredModelNameProblem,
  MAX_REGISTERED_MODEL_NAME_LENGTH,
  MAX_REGISTRY_TAG_VALUE_LENGTH,
  DEFAULT_AWAIT_REGISTRATION_MS,
  type RegistryApi,
  type CreateRegisteredModelOptions,
  type CreateModelVersionOptions,
  type SearchModelVersionsOptions,
  type ModelVersionsPage,
  type AwaitModelVersionOptions,
  type RegisterLoggedModelOptions,
} from './registry';
export { REDACTED } from './redact';
export {
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_ENTITIES_PER_BATCH,
  MAX_BATCH_LOG_REQUEST_SIZE,
  MAX_DATASETS_PER_BATCH,
  MAX_ENTITY_KEY_LENGTH,
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
  MAX_EXPERIMENT_NAME_LENGTH,
  chunkBatch,
  keyProblem,
  metricProblem,
  truncate,
  type Batch,
  type ChunkOptions,
} from './limits';
export type {
  KeyValue,
  Metric,
  MetricInput,
  RunStatus,
  ViewType,
  SourceType,
  Experiment,
  RunInfo,
  Run,
  Dataset,
  DatasetInput,
  FileInfo,
  LoggedModel,
  LoggedModelStatus,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
} from './types';
/** @deprecated Use FileInfo. */
export type { FileInfo as ArtifactFile } from './types';
