// mlflow-client: a small typed client for MLflow's REST API (3.x), self-contained (no imports from the
// rest of cxrlab) so it can be published on its own.
export { createMlflowClient, artifactProxyPath, type MlflowClient, type MlflowClientOptions, type Run, type RunInfo, type RunStatus, type Experiment, type Dataset, type ArtifactFile } from './client';
export { MlflowError, isMlflowError } from './errors';
export { settingsFromEnv, type EnvSettings } from './env';
export { chunkBatch, keyProblem, truncate, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH, MAX_ENTITIES_PER_BATCH, type Batch, type Metric, type KeyValue } from './limits';
