// Client options from the environment variables the Python client reads (tracking URI, basic or
// bearer auth, insecure TLS, experiment name, HTTP retry/timeout/truncation knobs), without changing
// any process-wide state.
import type { MlflowClientOptions } from './client';
import { validationError } from './errors';

/** What settingsFromEnv found. */
export interface EnvSettings {
  /** Options for createMlflowClient; null when MLFLOW_TRACKING_URI is unset or empty (the caller picks a default). */
  options: MlflowClientOptions | null;
  /** MLFLOW_EXPERIMENT_NAME, when set. */
  experimentName?: string;
}

type Env = Record<string, string | undefined>;

const problem = (message: string) => validationError('ENV', '-', [message]);

/** Booleans as MLflow parses them: true/false/1/0, any case; anything else is an error. */
function bool(env: Env, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw problem(`${name} must be true, false, 1 or 0. Received: ${JSON.stringify(value)}`);
}

function count(env: Env, name: string, unit: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw problem(`${name} must be a number of ${unit} ≥ 0. Received: ${JSON.stringify(value)}`);
  return n;
}

/**
 * Reads the Python client's variables:
 * - `MLFLOW_TRACKING_URI` → `trackingUri` (http or https; other schemes such as `file:` or `databricks` are refused);
 * - `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD` → basic auth (the username alone only names `mlflow.user`);
 * - `MLFLOW_TRACKING_TOKEN` → bearer auth;
 * - `MLFLOW_TRACKING_INSECURE_TLS` → `insecureTls` (for this client only, not process-wide);
 * - `MLFLOW_HTTP_REQUEST_MAX_RETRIES` → `maxRetries`, `MLFLOW_HTTP_REQUEST_TIMEOUT` (seconds) → `timeoutMs`;
 * - `MLFLOW_TRUNCATE_LONG_VALUES` → `truncateLongValues`;
 * - `MLFLOW_EXPERIMENT_NAME` → `experimentName`.
 * `MLFLOW_WORKSPACE` is ignored: the client never sends `X-MLFLOW-WORKSPACE`.
 * @throws MlflowError (kind `validation`) for a malformed value, naming the variable.
 */
export function settingsFromEnv(env: Env = process.env): EnvSettings {
  const uri = env.MLFLOW_TRACKING_URI?.trim();
  const insecureTls = bool(env, 'MLFLOW_TRACKING_INSECURE_TLS');
  const truncateLongValues = bool(env, 'MLFLOW_TRUNCATE_LONG_VALUES');
  const maxRetries = count(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', 'retries');
  const timeoutSeconds = count(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', 'seconds');
  if (uri && !/^https?:\/\//i.test(uri)) {
    // Only the scheme is echoed: the rest of a database URI may hold a password.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1];
    throw problem(`MLFLOW_TRACKING_URI must be an http(s) URL of a tracking server (this client talks REST only). Received: ${scheme ? `a ${scheme}: URI` : 'a value without a scheme'}`);
  }
  const username = env.MLFLOW_TRACKING_USERNAME || undefined;
  const password = env.MLFLOW_TRACKING_PASSWORD || undefined;
  const token = env.MLFLOW_TRACKING_TOKEN || undefined;
  const options: MlflowClientOptions | null = uri
    ? {
        trackingUri: uri,
        ...(username ? { username } : {}),
        ...(password ? { password } : {}),
        ...(token ? { token } : {}),
        ...(insecureTls ? { insecureTls } : {}),
        ...(maxRetries !== undefined ? { maxRetries: Math.floor(maxRetries) } : {}),
        ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
        ...(truncateLongValues !== undefined ? { truncateLongValues } : {}),
      }
    : null;
  const experimentName = env.MLFLOW_EXPERIMENT_NAME || undefined;
  return { options, ...(experimentName ? { experimentName } : {}) };
}
