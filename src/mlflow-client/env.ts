// Client options from the variables the Python client reads: MLFLOW_TRACKING_URI,
// MLFLOW_TRACKING_USERNAME / _PASSWORD (basic auth), MLFLOW_TRACKING_TOKEN (bearer),
// MLFLOW_EXPERIMENT_NAME. MLFLOW_TRACKING_INSECURE_TLS is honoured through Node's own TLS setting.
import type { MlflowClientOptions } from './client';

export interface EnvSettings {
  /** Null when MLFLOW_TRACKING_URI is unset (the caller decides on a default). */
  options: MlflowClientOptions | null;
  experimentName?: string;
}

function bool(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`${name} must be true, false, 1 or 0. Received: ${value}`);
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const uri = env.MLFLOW_TRACKING_URI;
  if (bool('MLFLOW_TRACKING_INSECURE_TLS', env.MLFLOW_TRACKING_INSECURE_TLS)) {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // what the variable asks for; process-wide in Node
  }
  const options: MlflowClientOptions | null = uri
    ? {
        trackingUri: uri,
        ...(env.MLFLOW_TRACKING_USERNAME !== undefined && env.MLFLOW_TRACKING_PASSWORD !== undefined
          ? { username: env.MLFLOW_TRACKING_USERNAME, password: env.MLFLOW_TRACKING_PASSWORD }
          : {}),
        ...(env.MLFLOW_TRACKING_TOKEN ? { token: env.MLFLOW_TRACKING_TOKEN } : {}),
      }
    : null;
  return { options, ...(env.MLFLOW_EXPERIMENT_NAME ? { experimentName: env.MLFLOW_EXPERIMENT_NAME } : {}) };
}
