// The REST shapes the client sends and reads, with MLflow's own snake_case field names (MLflow 3.x,
// checked against the protos of 3.17.2). Times are milliseconds since the Unix epoch.

/** A param, run tag, input tag or experiment tag. */
export interface KeyValue {
  key: string;
  value: string;
}

/** A metric value as MLflow stores it. */
export interface Metric {
  key: string;
  /** NaN and ±Infinity are allowed (MLflow stores ±Infinity as ±1.7976931348623157e308). */
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** An integer; 0 when not given. */
  step: number;
}

/** A metric to log; `timestamp` defaults to now and `step` to 0. */
export interface MetricInput {
  key: string;
  value: number;
  timestamp?: number;
  step?: number;
}

/** A run's status; a run is created RUNNING and ends FINISHED, FAILED or KILLED. */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
/** Every RunStatus, in MLflow's order. */
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

/** Which runs a search sees (lifecycle stage). Defaults to ACTIVE_ONLY. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** Where a run was started from (`mlflow.source.type`). */
export type SourceType = 'NOTEBOOK' | 'JOB' | 'PROJECT' | 'LOCAL' | 'UNKNOWN';

/** An experiment as the server returns it. */
export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  /** `active` or `deleted`. */
  lifecycle_stage: string;
  creation_time?: number;
  last_update_time?: number;
  tags?: KeyValue[];
}

/** A run's identity and state. */
export interface RunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  user_id?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  /** e.g. `mlflow-artifacts:/1/<run_id>/artifacts` when the server proxies artifacts. */
  artifact_uri: string;
  lifecycle_stage?: string;
}

/** A dataset as `runs/log-inputs` takes it; `source` is usually JSON text such as `{"uri": "…"}`. */
export interface Dataset {
  /** At most 500 characters. */
  name: string;
  /** At most 36 characters. */
  digest: string;
  /** e.g. `local`, `http`, `s3`, `code`. */
  source_type: string;
  /** At most 65 535 characters. */
  source: string;
  /** At most 1 048 575 characters (JSON text). */
  schema?: string;
  /** At most 16 777 215 characters (JSON text). */
  profile?: string;
}

/** A dataset and its input tags (e.g. `mlflow.data.context` = `train`). */
export interface DatasetInput {
  dataset: Dataset;
  /** Keys at most 255, values at most 500 characters. */
  tags?: KeyValue[];
}

/** A run as runs/get returns it: info, the latest metric values, params and tags, inputs and outputs (MLflow 3). */
export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs?: { dataset_inputs?: DatasetInput[]; model_inputs?: { model_id: string }[] };
  outputs?: { model_outputs?: { model_id: string; step: number }[] };
}

/** One entry of an artifact listing; `path` is relative to the listed root. */
export interface FileInfo {
  path: string;
  is_dir?: boolean;
  /** Bytes; absent for folders. */
  file_size?: number;
}

/** A LoggedModel is PENDING until finalized READY (or UPLOAD_FAILED). */
export type LoggedModelStatus = 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';

/** An MLflow 3 LoggedModel (`logged-models` endpoints). */
export interface LoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    /** e.g. `mlflow-artifacts:/1/models/<model_id>/artifacts`. */
    artifact_uri: string;
    status: LoggedModelStatus;
    model_type?: string;
    source_run_id?: string;
    creation_timestamp_ms?: number;
    last_updated_timestamp_ms?: number;
    status_message?: string;
    tags?: KeyValue[];
  };
  data?: { params?: KeyValue[]; metrics?: Metric[] };
}

/** A model version is PENDING_REGISTRATION until the registry has its files (at once on an OSS server), then READY or FAILED_REGISTRATION. */
export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

/** A version of a registered model (`model-versions` endpoints). */
export interface ModelVersion {
  name: string;
  /** A decimal number as text: `"1"`, `"2"`, … */
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  /** The legacy stage (`None`, `Staging`, …); aliases replace stages in MLflow 3. */
  current_stage?: string;
  description?: string;
  /** Where the files come from: `models:/<model_id>` for a LoggedModel, or an artifact URI. */
  source: string;
  /** The run that produced the model (filled in from the LoggedModel's source run when not given). */
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: KeyValue[];
  run_link?: string;
  aliases?: string[];
  /** Not returned by the 3.17.2 server (its proto conversion leaves it out); the LoggedModel's `mlflow.modelVersions` tag records the link instead. */
  model_id?: string;
}

/** A registered model (`registered-models` endpoints). */
export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  /** The newest version (per legacy stage), as registered-models/get returns it. */
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
  aliases?: { alias: string; version: string }[];
}
