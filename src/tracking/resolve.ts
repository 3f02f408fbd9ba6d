// Where runs are tracked: CXRLAB_TRACKING=0 turns tracking off; MLFLOW_TRACKING_URI (with the Python
// client's auth variables) names a server; otherwise the embedded local server is started or reused.
// The experiment is MLFLOW_EXPERIMENT_NAME, or `cxrlab`.
import { type MlflowClient, createMlflowClient, settingsFromEnv } from '../mlflow-client';
import { EMBEDDED_MLFLOW_DIR, venvDir } from '../project-paths';
import { ensureEmbeddedServer } from './embedded-server';

export interface TrackingTarget {
  client: MlflowClient;
  experimentName: string;
}

export interface ResolveTrackingOptions {
  /** Folder of the embedded server's store (e.g. <project>/.cxrlab/mlflow). */
  embeddedStateDir: string;
  venv: string;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function resolveTracking(options: ResolveTrackingOptions): Promise<TrackingTarget | null> {
  const env = options.env ?? process.env;
  if (env.CXRLAB_TRACKING === '0' || env.CXRLAB_TRACKING === 'false') return null;
  const settings = settingsFromEnv(env);
  const experimentName = settings.experimentName ?? 'cxrlab';
  if (settings.options) return { client: createMlflowClient(settings.options), experimentName };
  const server = await ensureEmbeddedServer({ stateDir: options.embeddedStateDir, venv: options.venv, ...(options.log ? { log: options.log } : {}) });
  return { client: createMlflowClient({ trackingUri: server.uri }), experimentName };
}

/** The project this library was built in (dist/ or src/ sits in it): where .venv and .cxrlab live. */

/**
 * resolveTracking with the project's own venv and embedded-server folder: what `cxrlab train` uses,
 * for notebooks (`runExperiment(config, { tracking: await defaultTracking() ?? undefined })`).
 */
export function defaultTracking(log?: (message: string) => void): Promise<TrackingTarget | null> {
  return resolveTracking({
    embeddedStateDir: EMBEDDED_MLFLOW_DIR,
    venv: venvDir(),
    ...(log ? { log } : {}),
  });
}
