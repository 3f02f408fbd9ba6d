// The model registry (MLflow 3.17.2's `registered-models` and `model-versions` endpoints): registered
// models (create, get, get-or-create), model versions (create, get, search, wait until READY), and
// registerLoggedModel — what Python's `mlflow.register_model("models:/<model_id>", name)` sends: create the
// registered model (RESOURCE_ALREADY_EXISTS is fine), create a version with source `models:/<model_id>` and
// `model_id` (the server fills in `run_id` from the LoggedModel's source run and tags the LoggedModel with
// `mlflow.modelVersions`), then wait while the version is PENDING_REGISTRATION.
import { API, type Context } from './context';
import { isMlflowError, MlflowError, pageSize, validationError } from './errors';
import { charLength, keyProblem } from './limits';
import type { KeyValue, ModelVersion, RegisteredModel } from './types';

/** Characters of a registered model name (the `name` column of MLflow's SQL registry tables). */
export const MAX_REGISTERED_MODEL_NAME_LENGTH = 256;
/** Characters of a registered model or model version tag value (MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH). */
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000;
/** How long registerLoggedModel waits for a PENDING_REGISTRATION version by default: Python's five minutes. */
export const DEFAULT_AWAIT_REGISTRATION_MS = 300_000;

/**
 * Why `name` is not a registered model name MLflow 3.17.2 accepts, or null when it is. Its rules
 * (`_validate_model_name`): not blank, no `/` or `:`, unchanged by `posixpath.normpath` (so not `.` and not
 * starting with `..`); and at most 256 characters, the width of the registry's name column.
 */
export function registeredModelNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return `a registered model name must be a string, received ${name === null ? 'null' : typeof name}`;
  if (name.trim() === '') return 'a registered model name must not be empty or blank';
  const shown = JSON.stringify(charLength(name) > 60 ? `${[...name].slice(0, 60).join('')}…` : name);
  if (name.includes('/') || name.includes(':')) return `registered model name ${shown} must not contain / or :`;
  if (name === '.' || name.startsWith('..')) return `registered model name ${shown} must not be . or start with .. (MLflow treats names as paths)`;
  const length = charLength(name);
  if (length > MAX_REGISTERED_MODEL_NAME_LENGTH) return `registered model name ${shown} is ${length} characters long; the limit is ${MAX_REGISTERED_MODEL_NAME_LENGTH}`;
  return null;
}

/** Options of createRegisteredModel and getOrCreateRegisteredModel. */
export interface CreateRegisteredModelOptions {
  description?: string;
  tags?: KeyValue[];
}

/** Options of createModelVersion. */
export interface CreateModelVersionOptions {
  /** Where the files are: `models:/<model_id>` for a LoggedModel (what registerLoggedModel sends), or an artifact URI. */
  source: string;
  /** The LoggedModel being registered (MLflow 3); the server checks that `source` belongs to it. */
  modelId?: string;
  /** The run that produced the model; the server takes the LoggedModel's source run when absent. */
  runId?: string;
  tags?: KeyValue[];
  description?: string;
}

/** Options of searchModelVersions. */
export interface SearchModelVersionsOptions {
  /** e.g. `name = 'cxr'`, `run_id = '<run id>'`, ``tags.`team` = 'cxr'`` (MLflow's search syntax for model versions). */
  filter?: string;
  /** Versions per page, 1–200 000. Defaults to 1000. */
  maxResults?: number;
  /** The `nextPageToken` of the previous page. */
  pageToken?: string;
}

/** One page of searchModelVersions. */
export interface ModelVersionsPage {
  versions: ModelVersion[];
  /** Present when more versions match: pass it as `pageToken` for the next page. */
  nextPageToken?: string;
}

/** Options of awaitModelVersion. */
export interface AwaitModelVersionOptions {
  /** Longest wait while the version is PENDING_REGISTRATION, in ms. Defaults to 300 000 (Python's five minutes). */
  timeoutMs?: number;
  /** Pause between two looks, in ms. Defaults to 1000. */
  intervalMs?: number;
}

/** Options of registerLoggedModel. */
export interface RegisterLoggedModelOptions {
  /** The run that produced the model; defaults (on the server) to the LoggedModel's source run. */
  runId?: string;
  /** Tags of the new version. */
  tags?: KeyValue[];
  description?: string;
  /** Longest wait for a PENDING_REGISTRATION version, in ms (0: do not wait). Defaults to 300 000. */
  awaitReadyMs?: number;
  /** Pause between two looks while waiting, in ms. Defaults to 1000. */
  intervalMs?: number;
}

/** Model registry calls. */
export interface RegistryApi {
  /** Creates a registered model; an existing name is an MlflowError with errorCode RESOURCE_ALREADY_EXISTS. */
  createRegisteredModel(name: string, options?: CreateRegisteredModelOptions): Promise<RegisteredModel>;
  /** The registered model with its latest versions; a missing name is an MlflowError with status 404 (RESOURCE_DOES_NOT_EXIST). */
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Creates the registered model, or returns the existing one of that name (also when a parallel call created it first). */
  getOrCreateRegisteredModel(name: string, options?: CreateRegisteredModelOptions): Promise<{ model: RegisteredModel; created: boolean }>;
  /** Creates the next version of a registered model (which must exist). */
  createModelVersion(name: string, options: CreateModelVersionOptions): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  /** One page of the model versions that match the filter. */
  searchModelVersions(options?: SearchModelVersionsOptions): Promise<ModelVersionsPage>;
  /**
   * Looks at the version until it is no longer PENDING_REGISTRATION and returns it (READY). A version that is
   * still pending after `timeoutMs` is returned as it is; FAILED_REGISTRATION is an MlflowError with that errorCode
   * (kind `response`, no HTTP status).
   */
  awaitModelVersion(name: string, version: string, options?: AwaitModelVersionOptions): Promise<ModelVersion>;
  /**
   * Registers a LoggedModel as the next version of `name` (created when missing), as Python's
   * `mlflow.register_model("models:/<model_id>", name)` does, and waits until the version is READY.
   */
  registerLoggedModel(name: string, modelId: string, options?: RegisterLoggedModelOptions): Promise<ModelVersion>;
}

/** The registry calls over one HTTP layer (used by createMlflowClient). */
export function registryApi(ctx: Context): RegistryApi {
  const { http } = ctx;

  function tagProblems(what: string, tags: KeyValue[] | undefined, problems: string[]): void {
    for (const tag of tags ?? []) {
      const p = keyProblem(tag?.key);
      if (p) problems.push(`${what} tag: ${p}`);
      else if (typeof tag.value !== 'string') problems.push(`${what} tag ${JSON.stringify(tag.key)} must have a string value, received ${tag.value === null ? 'null' : typeof tag.value}`);
      else if (charLength(tag.value) > MAX_REGISTRY_TAG_VALUE_LENGTH) problems.push(`${what} tag ${JSON.stringify(tag.key)} has a value of ${charLength(tag.value)} characters; the limit is ${MAX_REGISTRY_TAG_VALUE_LENGTH}`);
    }
  }

  const cleanTags = (tags: KeyValue[] | undefined) => (tags ?? []).map(({ key, value }) => ({ key, value: http.redact(value) }));

  function checkName(method: string, path: string, name: string, extra: string[] = []): void {
    const p = registeredModelNameProblem(name);
    const problems = p ? [p, ...extra] : extra;
    if (problems.length) throw validationError(method, path, problems);
  }

  const failed = (v: ModelVersion, method: string, path: string) =>
    new MlflowError(`version ${v.version} of registered model ${JSON.stringify(v.name)} failed to register (status FAILED_REGISTRATION)${v.status_message ? `: ${http.redact(v.status_message)}` : ''}`, {
      kind: 'response',
      method,
      path,
      errorCode: 'FAILED_REGISTRATION',
    });

  const versionProblem = (version: unknown) =>
    typeof version === 'string' && /^[1-9][0-9]*$/.test(version) ? null : `version must be a positive whole number as text, e.g. "1", received ${JSON.stringify(version)}`;

  const api: RegistryApi = {
    async createRegisteredModel(name, options = {}) {
      const path = `${API}/registered-models/create`;
      const problems: string[] = [];
      tagProblems('registered model', options.tags, problems);
      checkName('POST', path, name, problems);
      const res = await http.json<{ registered_model: RegisteredModel }>({
        method: 'POST',
        path,
        json: { name, tags: cleanTags(options.tags), ...(options.description !== undefined ? { description: options.description } : {}) },
      });
      return res.registered_model;
    },

    async getRegisteredModel(name) {
      const path = `${API}/registered-models/get`;
      checkName('GET', path, name);
      return (await http.json<{ registered_model: RegisteredModel }>({ method: 'GET', path, query: { name } })).registered_model;
    },

    async getOrCreateRegisteredModel(name, options = {}) {
      try {
        return { model: await api.createRegisteredModel(name, options), created: true };
      } catch (err) {
        // Python's register_model accepts both codes (ALREADY_EXISTS is Databricks').
        if (!(isMlflowError(err) && (err.errorCode === 'RESOURCE_ALREADY_EXISTS' || err.errorCode === 'ALREADY_EXISTS'))) throw err;
        return { model: await api.getRegisteredModel(name), created: false };
      }
    },

    async createModelVersion(name, options) {
      const path = `${API}/model-versions/create`;
      const problems: string[] = [];
      if (typeof options?.source !== 'string' || options.source === '') problems.push(`source must be a non-empty URI such as models:/<model_id>, received ${JSON.stringify(options?.source)}`);
      if (options?.modelId !== undefined && !/^[^/\s]+$/.test(options.modelId)) problems.push(`modelId must be a LoggedModel id such as m-0123…, received ${JSON.stringify(options.modelId)}`);
      if (options?.runId !== undefined && !/^[0-9a-zA-Z-]+$/.test(options.runId)) problems.push(`runId must be a run id, received ${JSON.stringify(options.runId)}`);
      tagProblems('model version', options?.tags, problems);
      checkName('POST', path, name, problems);
      const res = await http.json<{ model_version: ModelVersion }>({
        method: 'POST',
        path,
        json: {
          name,
          source: options.source,
          ...(options.modelId !== undefined ? { model_id: options.modelId } : {}),
          ...(options.runId !== undefined ? { run_id: options.runId } : {}),
          tags: cleanTags(options.tags),
          ...(options.description !== undefined ? { description: options.description } : {}),
        },
      });
      return res.model_version;
    },

    async getModelVersion(name, version) {
      const path = `${API}/model-versions/get`;
      const p = versionProblem(version);
      checkName('GET', path, name, p ? [p] : []);
      return (await http.json<{ model_version: ModelVersion }>({ method: 'GET', path, query: { name, version } })).model_version;
    },

    async searchModelVersions(options = {}) {
      const path = `${API}/model-versions/search`;
      const maxResults = pageSize('GET', path, options.maxResults, 1000, 200_000);
      // The 3.17.2 server answers this endpoint on GET only (POST is 405).
      const res = await http.json<{ model_versions?: ModelVersion[]; next_page_token?: string }>({
        method: 'GET',
        path,
        query: { max_results: maxResults, filter: options.filter || undefined, page_token: options.pageToken || undefined },
      });
      return { versions: res.model_versions ?? [], ...(res.next_page_token ? { nextPageToken: res.next_page_token } : {}) };
    },

    async awaitModelVersion(name, version, options = {}) {
      const timeoutMs = options.timeoutMs ?? DEFAULT_AWAIT_REGISTRATION_MS;
      const intervalMs = options.intervalMs ?? 1000;
      const path = `${API}/model-versions/get`;
      const problems = [
        ...(Number.isFinite(timeoutMs) && timeoutMs >= 0 ? [] : [`timeoutMs must be a number of ms ≥ 0, received ${timeoutMs}`]),
        ...(Number.isFinite(intervalMs) && intervalMs >= 0 ? [] : [`intervalMs must be a number of ms ≥ 0, received ${intervalMs}`]),
      ];
      if (problems.length) throw validationError('GET', path, problems);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await api.getModelVersion(name, version);
        if (current.status === 'FAILED_REGISTRATION') throw failed(current, 'GET', path);
        if (current.status !== 'PENDING_REGISTRATION') return current;
        if (Date.now() >= deadline) {
          http.log(`mlflow-client: version ${version} of registered model ${JSON.stringify(name)} is still PENDING_REGISTRATION after ${timeoutMs} ms; not waiting longer`);
          return current;
        }
        await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
      }
    },

    async registerLoggedModel(name, modelId, options = {}) {
      const path = `${API}/model-versions/create`;
      const awaitMs = options.awaitReadyMs ?? DEFAULT_AWAIT_REGISTRATION_MS;
      const problems: string[] = [];
      if (typeof modelId !== 'string' || !/^[^/\s]+$/.test(modelId)) problems.push(`modelId must be a LoggedModel id such as m-0123…, received ${JSON.stringify(modelId)}`);
      if (!(Number.isFinite(awaitMs) && awaitMs >= 0)) problems.push(`awaitReadyMs must be a number of ms ≥ 0, received ${awaitMs}`);
      tagProblems('model version', options.tags, problems);
      checkName('POST', path, name, problems);
      await api.getOrCreateRegisteredModel(name);
      const created = await api.createModelVersion(name, {
        source: `models:/${modelId}`,
        modelId,
        ...(options.runId !== undefined ? { runId: options.runId } : {}),
        ...(options.tags !== undefined ? { tags: options.tags } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
      });
      if (created.status === 'FAILED_REGISTRATION') throw failed(created, 'POST', path);
      if (created.status !== 'PENDING_REGISTRATION' || awaitMs === 0) return created;
      return api.awaitModelVersion(name, created.version, { timeoutMs: awaitMs, ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}) });
    },
  };
  return api;
}
