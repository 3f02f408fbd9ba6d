// Experiments: find by name, create, and get-or-create — safe against a parallel create, and with a
// deleted experiment of that name restored (or refused) instead of failing on the name clash.
import { API, type Context } from './context';
import { isMlflowError, validationError } from './errors';
import { MAX_EXPERIMENT_NAME_LENGTH, charLength } from './limits';
import type { Experiment, KeyValue } from './types';

/** Options of createExperiment. */
export interface CreateExperimentOptions {
  /** Where the experiment's artifacts go; defaults to the server's root (`mlflow-artifacts:/<id>` when it proxies artifacts). */
  artifactLocation?: string;
  tags?: KeyValue[];
}

/** Options of getOrCreateExperiment (used when it creates the experiment). */
export interface GetOrCreateExperimentOptions extends CreateExperimentOptions {
  /**
   * What to do when the only experiment of that name is deleted (its name stays taken until it is purged
   * with `mlflow gc`): `restore` it — the server then restores its deleted runs too — or fail with an
   * error that says so. Defaults to `restore`.
   */
  ifDeleted?: 'restore' | 'error';
}

/** Experiment calls. */
export interface ExperimentsApi {
  /** The experiment called `name` — active, or deleted when no active one has the name — or null when none has. */
  getExperimentByName(name: string): Promise<Experiment | null>;
  getExperiment(experimentId: string): Promise<Experiment>;
  /** Creates an experiment; returns its id. Fails with RESOURCE_ALREADY_EXISTS when the name is taken (also by a deleted one). */
  createExperiment(name: string, options?: CreateExperimentOptions): Promise<string>;
  /** The id of the active experiment called `name`, created when missing. */
  getOrCreateExperiment(name: string, options?: GetOrCreateExperimentOptions): Promise<string>;
}

function checkName(name: string, path: string): void {
  if (typeof name !== 'string' || name.trim() === '') throw validationError('POST', path, [`an experiment name must be a non-empty string, received ${JSON.stringify(name)}`]);
  const length = charLength(name);
  if (length > MAX_EXPERIMENT_NAME_LENGTH) throw validationError('POST', path, [`experiment name is ${length} characters long; the limit is ${MAX_EXPERIMENT_NAME_LENGTH}`]);
}

/** The experiment calls over one HTTP layer (used by createMlflowClient). */
export function experimentsApi(ctx: Context): ExperimentsApi {
  const { http } = ctx;
  const api: ExperimentsApi = {
    async getExperimentByName(name) {
      try {
        const res = await http.json<{ experiment: Experiment }>({ method: 'GET', path: `${API}/experiments/get-by-name`, query: { experiment_name: name } });
        return res.experiment;
      } catch (err) {
        if (isMlflowError(err) && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
        throw err;
      }
    },
    async getExperiment(experimentId) {
      return (await http.json<{ experiment: Experiment }>({ method: 'GET', path: `${API}/experiments/get`, query: { experiment_id: experimentId } })).experiment;
    },
    async createExperiment(name, options = {}) {
      const path = `${API}/experiments/create`;
      checkName(name, path);
      const res = await http.json<{ experiment_id: string }>({
        method: 'POST',
        path,
        json: { name, ...(options.artifactLocation ? { artifact_location: options.artifactLocation } : {}), tags: (options.tags ?? []).map((t) => ({ key: t.key, value: http.redact(t.value) })) },
      });
      return res.experiment_id;
    },
    async getOrCreateExperiment(name, options = {}) {
      const resolve = async (found: Experiment): Promise<string> => {
        if (found.lifecycle_stage !== 'deleted') return found.experiment_id;
        if ((options.ifDeleted ?? 'restore') === 'error') {
          throw validationError('POST', `${API}/experiments/create`, [
            `experiment ${JSON.stringify(name)} (id ${found.experiment_id}) is deleted and its name is still taken; restore it (POST experiments/restore) or purge it (mlflow gc) first`,
          ]);
        }
        await http.json({ method: 'POST', path: `${API}/experiments/restore`, json: { experiment_id: found.experiment_id } });
        http.log(`mlflow-client: restored the deleted experiment ${JSON.stringify(name)} (id ${found.experiment_id}) and its runs`);
        return found.experiment_id;
      };
      const found = await api.getExperimentByName(name);
      if (found) return resolve(found);
      try {
        return await api.createExperiment(name, options);
      } catch (err) {
        // Another process created it between our lookup and our create.
        if (!isMlflowError(err) || err.errorCode !== 'RESOURCE_ALREADY_EXISTS') throw err;
        const again = await api.getExperimentByName(name);
        if (!again) throw err;
        return resolve(again);
      }
    },
  };
  return api;
}
