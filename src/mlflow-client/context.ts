// What every API module shares: the HTTP layer, the REST path roots and the value policy (truncate
// over-long param/tag values as the Python client does, or refuse them).
import type { Http } from './http';
import { charLength, truncate } from './limits';

/** Root of MLflow's tracking REST API. */
export const API = '/api/2.0/mlflow';
/** Root of the tracking server's artifact proxy (`mlflow server --serve-artifacts`, the default). */
export const ARTIFACTS_API = '/api/2.0/mlflow-artifacts/artifacts';

/** The state the API modules share. */
export interface Context {
  http: Http;
  /** Cut over-long param and tag values to MLflow's limits (true) or refuse them (false). */
  truncateLongValues: boolean;
}

/**
 * A param or tag value ready to send: credentials replaced by `***`, then cut to `limit` characters when
 * truncateLongValues is on (reported through the log), or a problem added to `problems` when it is off.
 */
export function fitValue(ctx: Context, what: string, key: string, value: string, limit: number, problems: string[]): string {
  if (typeof value !== 'string') {
    problems.push(`${what} ${JSON.stringify(key)} must have a string value, received ${value === null ? 'null' : typeof value}`);
    return '';
  }
  const clean = ctx.http.redact(value);
  const length = clean.length <= limit ? clean.length : charLength(clean);
  if (length <= limit) return clean;
  if (!ctx.truncateLongValues) {
    problems.push(`${what} ${JSON.stringify(key)} has a value of ${length} characters; the limit is ${limit} (truncateLongValues is off)`);
    return clean;
  }
  ctx.http.log(`mlflow-client: ${what} ${JSON.stringify(key)} (${length} characters) is truncated to ${limit} characters`);
  return truncate(clean, limit);
}
