// The MLflow server of the suites that test `cxrlab sync` (the server goes away and comes back): started
// before the file's tests and closed after them, with a reader client. Sync must use the URI a run
// folder recorded, so MLFLOW_TRACKING_URI is unset meanwhile. Starts (and the suites' restarts) can take
// minutes when the machine is busy: /health is waited for generously.
import { after, before } from 'node:test';
import { type MlflowClient, createMlflowClient } from '../../src/mlflow-client';
import { type MlflowTestServer, startMlflowServer } from './mlflow-server';

export interface SyncServer {
  server: MlflowTestServer;
  reader: MlflowClient;
}

/** Registers the file's before/after hooks; the returned fields are set once `before` has run. */
export function useSyncServer(): SyncServer {
  const ctx = {} as SyncServer;
  const savedUri = process.env.MLFLOW_TRACKING_URI;
  before(async () => {
    delete process.env.MLFLOW_TRACKING_URI;
    ctx.server = await startMlflowServer({ startTimeoutMs: 540_000 });
    ctx.reader = createMlflowClient({ trackingUri: ctx.server.uri, maxRetries: 2, backoffMs: 200 });
  }, { timeout: 600_000 });
  after(async () => {
    await ctx.server?.close();
    if (savedUri !== undefined) process.env.MLFLOW_TRACKING_URI = savedUri;
  });
  return ctx;
}
