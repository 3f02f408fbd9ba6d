// Where the project keeps its own files: the default experiment, the Python venv, and the local state
// (embedded MLflow store, decoded-image cache) under .cxrlab/. Resolved from the installed package.
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..');
export const DEFAULT_EXPERIMENT = resolve(PROJECT_ROOT, 'experiments', 'default.yaml');
/** The embedded MLflow server's sqlite store, artifacts, pid and port. */
export const EMBEDDED_MLFLOW_DIR = resolve(PROJECT_ROOT, '.cxrlab', 'mlflow');
/** Decoded images keyed by content hash and preprocessing. */
export const DECODED_CACHE_DIR = resolve(PROJECT_ROOT, '.cxrlab', 'cache', 'decoded');
/** Models of MLflow runs fetched for prediction, one folder per run id. */
export const MODEL_CACHE_DIR = resolve(PROJECT_ROOT, '.cxrlab', 'cache', 'models');

/** The project's Python venv (MLflow, JupyterLab); CXRLAB_VENV points elsewhere. */
export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(PROJECT_ROOT, env.CXRLAB_VENV ?? '.venv');
}
