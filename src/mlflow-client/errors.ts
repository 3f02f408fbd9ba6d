// Errors of the MLflow client: what failed (method and path, never credentials), the HTTP status and
// MLflow's own error_code when the server sent one.
export class MlflowError extends Error {
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(message: string, details: { method: string; path: string; status?: number; errorCode?: string; cause?: unknown }) {
    super(`${details.method} ${details.path}: ${details.errorCode ? `${details.errorCode}: ` : ''}${message}`, { cause: details.cause });
    this.name = 'MlflowError';
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.method = details.method;
    this.path = details.path;
  }
}

/** True for an MlflowError, also across module copies (checks the name, not the prototype). */
export function isMlflowError(err: unknown): err is MlflowError {
  return err instanceof Error && err.name === 'MlflowError';
}
