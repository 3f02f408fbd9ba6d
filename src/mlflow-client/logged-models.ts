// MLflow 3 LoggedModels: create one (linked to its source run), link it to the run's outputs
// (`runs/outputs`), upload its files under the model's own artifact URI (`…/models/<model_id>/artifacts`,
// not the run's), and finalize it READY — or UPLOAD_FAILED when the upload breaks.
import type { ArtifactsApi } from './artifacts';
import { API, type Context, fitValue } from './context';
import { pageSize, validationError } from './errors';
import { MAX_PARAMS_TAGS_PER_BATCH, MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH, keyProblem } from './limits';
import type { KeyValue, LoggedModel, LoggedModelStatus } from './types';

/** Options of createLoggedModel. */
export interface CreateLoggedModelOptions {
  /** Shown in the UI; no / : . % " or '. The server picks a random name when absent. */
  name?: string;
  /** The run that produced the model (its page lists the model). */
  sourceRunId?: string;
  /** Free text, e.g. `tfjs-layers`. */
  modelType?: string;
  /** Any number; the first 100 go with the create request, the rest in batches of 100 (as the Python client does). */
  params?: KeyValue[];
  tags?: KeyValue[];
}

/** A created LoggedModel: its id, where its files go, and the server's record. */
export interface LoggedModelHandle {
  modelId: string;
  /** e.g. `mlflow-artifacts:/1/models/m-…/artifacts`: upload the model's files here. */
  artifactUri: string;
  model: LoggedModel;
}

/** Options of logModel: those of createLoggedModel (the source run is the run given), the experiment and the step. */
export interface LogModelOptions extends Omit<CreateLoggedModelOptions, 'sourceRunId'> {
  /** The experiment; defaults to the run's. */
  experimentId?: string;
  /** The step the model belongs to in the run's outputs. Defaults to 0. */
  step?: number;
}

/** Options of searchLoggedModels. */
export interface SearchLoggedModelsOptions {
  /** e.g. `source_run_id = '<run id>'` or `name = 'model'` (MLflow's search syntax for LoggedModels). */
  filter?: string;
  /** Models per page, 1–1000. Defaults to 100. */
  maxResults?: number;
  /** The `nextPageToken` of the previous page. */
  pageToken?: string;
}

/** One page of searchLoggedModels. */
export interface LoggedModelsPage {
  models: LoggedModel[];
  /** Present when more models match: pass it as `pageToken` for the next page. */
  nextPageToken?: string;
}

/** LoggedModel calls (MLflow 3). */
export interface LoggedModelsApi {
  createLoggedModel(experimentId: string, options?: CreateLoggedModelOptions): Promise<LoggedModelHandle>;
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  /** One page of the LoggedModels of the experiments that match the filter. */
  searchLoggedModels(experimentIds: string[], options?: SearchLoggedModelsOptions): Promise<LoggedModelsPage>;
  /** Sets the final status (default LOGGED_MODEL_READY); returns the updated model. */
  finalizeLoggedModel(modelId: string, status?: Exclude<LoggedModelStatus, 'LOGGED_MODEL_PENDING'>): Promise<LoggedModel>;
  setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void>;
  /** Adds params to a model, in batches of 100. */
  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void>;
  /** Links models to a run as its outputs (the run page's "Logged models"). */
  logOutputs(runId: string, models: { modelId: string; step?: number }[]): Promise<void>;
  /**
   * The whole Python `log_model` flow for a local folder: create the model for the run, link it as a run output,
   * upload the folder as the model's artifacts, finalize READY. When the upload fails the model is marked
   * LOGGED_MODEL_UPLOAD_FAILED and the error rethrown.
   */
  logModel(runId: string, localDir: string, options?: LogModelOptions): Promise<LoggedModelHandle>;
}

const BAD_NAME_CHARS = ['/', ':', '.', '%', '"', "'"];

/** The LoggedModel calls over one HTTP layer and the artifact calls (used by createMlflowClient). */
export function loggedModelsApi(ctx: Context, deps: { artifacts: ArtifactsApi; experimentOfRun: (runId: string) => Promise<string> }): LoggedModelsApi {
  const { http } = ctx;
  const modelPath = (modelId: string) => `${API}/logged-models/${encodeURIComponent(modelId)}`;

  function clean(what: 'param' | 'tag', entries: KeyValue[], problems: string[]): KeyValue[] {
    return entries.map(({ key, value }) => {
      const p = keyProblem(key);
      if (p) problems.push(p);
      return { key, value: fitValue(ctx, `model ${what}`, key, value, what === 'param' ? MAX_PARAM_VAL_LENGTH : MAX_TAG_VAL_LENGTH, problems) };
    });
  }

  const api: LoggedModelsApi = {
    async createLoggedModel(experimentId, options = {}) {
      const path = `${API}/logged-models`;
      const problems: string[] = [];
      if (options.name !== undefined && (options.name === '' || BAD_NAME_CHARS.some((c) => options.name?.includes(c)))) {
        problems.push(`model name ${JSON.stringify(options.name)} must be non-empty and free of ${BAD_NAME_CHARS.join(' ')}`);
      }
      const params = clean('param', options.params ?? [], problems);
      const tags = clean('tag', options.tags ?? [], problems);
      if (problems.length) throw validationError('POST', path, problems);
      const res = await http.json<{ model: LoggedModel }>({
        method: 'POST',
        path,
        json: {
          experiment_id: experimentId,
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(options.sourceRunId !== undefined ? { source_run_id: options.sourceRunId } : {}),
          ...(options.modelType !== undefined ? { model_type: options.modelType } : {}),
          params: params.slice(0, MAX_PARAMS_TAGS_PER_BATCH),
          tags,
        },
      });
      const modelId = res.model.info.model_id;
      if (params.length > MAX_PARAMS_TAGS_PER_BATCH) await api.logLoggedModelParams(modelId, params.slice(MAX_PARAMS_TAGS_PER_BATCH));
      return { modelId, artifactUri: res.model.info.artifact_uri, model: res.model };
    },

    async getLoggedModel(modelId) {
      return (await http.json<{ model: LoggedModel }>({ method: 'GET', path: modelPath(modelId) })).model;
    },

    async searchLoggedModels(experimentIds, options = {}) {
      const path = `${API}/logged-models/search`;
      const maxResults = pageSize('POST', path, options.maxResults, 100, 1000);
      const res = await http.json<{ models?: LoggedModel[]; next_page_token?: string }>({
        method: 'POST',
        path,
        json: {
          experiment_ids: experimentIds,
          max_results: maxResults,
          ...(options.filter ? { filter: options.filter } : {}),
          ...(options.pageToken ? { page_token: options.pageToken } : {}),
        },
      });
      return { models: res.models ?? [], ...(res.next_page_token ? { nextPageToken: res.next_page_token } : {}) };
    },

    async finalizeLoggedModel(modelId, status = 'LOGGED_MODEL_READY') {
      const path = modelPath(modelId);
      if (status !== 'LOGGED_MODEL_READY' && status !== 'LOGGED_MODEL_UPLOAD_FAILED') {
        throw validationError('PATCH', path, [`status must be LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED, received ${JSON.stringify(status)}`]);
      }
      return (await http.json<{ model: LoggedModel }>({ method: 'PATCH', path, json: { model_id: modelId, status } })).model;
    },

    async setLoggedModelTags(modelId, tags) {
      const path = `${modelPath(modelId)}/tags`;
      const problems: string[] = [];
      const cleanTags = clean('tag', tags, problems);
      if (problems.length) throw validationError('PATCH', path, problems);
      await http.json({ method: 'PATCH', path, json: { model_id: modelId, tags: cleanTags } });
    },

    async logLoggedModelParams(modelId, params) {
      const path = `${modelPath(modelId)}/params`;
      const problems: string[] = [];
      const cleanParams = clean('param', params, problems);
      if (problems.length) throw validationError('POST', path, problems);
      for (let i = 0; i < cleanParams.length; i += MAX_PARAMS_TAGS_PER_BATCH) {
        await http.json({ method: 'POST', path, json: { model_id: modelId, params: cleanParams.slice(i, i + MAX_PARAMS_TAGS_PER_BATCH) } });
      }
    },

    async logOutputs(runId, models) {
      const path = `${API}/runs/outputs`;
      const bad = models.filter((m) => m.step !== undefined && !Number.isSafeInteger(m.step));
      if (bad.length) throw validationError('POST', path, bad.map((m) => `model ${m.modelId}: step must be an integer, received ${m.step}`));
      await http.json({ method: 'POST', path, json: { run_id: runId, models: models.map((m) => ({ model_id: m.modelId, step: m.step ?? 0 })) } });
    },

    async logModel(runId, localDir, options = {}) {
      const experimentId = options.experimentId ?? (await deps.experimentOfRun(runId));
      const handle = await api.createLoggedModel(experimentId, {
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.modelType !== undefined ? { modelType: options.modelType } : {}),
        ...(options.params !== undefined ? { params: options.params } : {}),
        ...(options.tags !== undefined ? { tags: options.tags } : {}),
        sourceRunId: runId,
      });
      const step = options.step;
      try {
        await api.logOutputs(runId, [{ modelId: handle.modelId, ...(step !== undefined ? { step } : {}) }]);
        await deps.artifacts.uploadArtifacts(handle.artifactUri, localDir);
      } catch (err) {
        await api.finalizeLoggedModel(handle.modelId, 'LOGGED_MODEL_UPLOAD_FAILED').catch(() => undefined);
        throw err;
      }
      const model = await api.finalizeLoggedModel(handle.modelId, 'LOGGED_MODEL_READY');
      return { ...handle, model };
    },
  };
  return api;
}
