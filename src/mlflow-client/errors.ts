// The client's one error type: what failed (method and URL path, never a query string or a
// credential), how (a server answer, an unreachable server, or a check before sending), the HTTP
// status and MLflow's own error_code when the server sent one.

/** How a request failed. */
export type MlflowErrorKind =
  /** The server answered with an HTTP error (`status`, usually `errorCode`). */
  | 'response'
  /** The server could not be reached (refused, reset, timed out, TLS) after every retry. */
  | 'connection'
  /** The client refused to send the request: an invalid key, value, path or option. */
  | 'validation';

/** The fields of an MlflowError besides its message. */
export interface MlflowErrorDetails {
  kind: MlflowErrorKind;
  /** HTTP method of the request, e.g. `POST`. */
  method: string;
  /** URL path of the request without its query, e.g. `/api/2.0/mlflow/runs/log-batch`. */
  path: string;
  /** HTTP status of the server's answer (kind `response` only). */
  status?: number;
  /** MLflow's `error_code`, e.g. `RESOURCE_DOES_NOT_EXIST`; `INVALID_PARAMETER_VALUE` for kind `validation`. */
  errorCode?: string;
  /** How many attempts were made (1 = no retry). */
  attempts?: number;
  cause?: unknown;
}

/**
 * A failed MLflow request. The message reads `METHOD /path: [ERROR_CODE: ]what happened`; it never holds a
 * password, a token or an Authorization header.
 */
export class MlflowError extends Error {
  readonly kind: MlflowErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly attempts: number;

  constructor(message: string, details: MlflowErrorDetails) {
    const code = details.errorCode ? `${details.errorCode}: ` : '';
    super(`${details.method} ${details.path}: ${code}${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MlflowError';
    this.kind = details.kind;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.attempts = details.attempts ?? 1;
  }
}

/** True for an MlflowError, also across copies of this module (checks the name and fields, not the prototype). */
export function isMlflowError(err: unknown): err is MlflowError {
  return err instanceof Error && err.name === 'MlflowError' && typeof (err as Partial<MlflowError>).method === 'string';
}

/** A client-side check failed before anything was sent. */
export function validationError(method: string, path: string, problems: readonly string[]): MlflowError {
  const text = problems.length === 1 ? (problems[0] as string) : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  return new MlflowError(text, { kind: 'validation', method, path, errorCode: 'INVALID_PARAMETER_VALUE' });
}

/** A search's page size: `value`, or `fallback` when absent; an integer in 1–`max` (the server's own bound), else a validation error. */
export function pageSize(method: string, path: string, value: number | undefined, fallback: number, max: number): number {
  const size = value ?? fallback;
  if (!(Number.isInteger(size) && size >= 1 && size <= max)) throw validationError(method, path, [`maxResults must be an integer in 1–${max}, received ${size}`]);
  return size;
}
