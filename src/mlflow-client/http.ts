// The HTTP layer: base URL, auth header, JSON bodies, retries with exponential backoff on 5xx and
// connection errors (never on 4xx), and errors that carry MLflow's error_code but never credentials.
import { MlflowError } from './errors';

export interface HttpOptions {
  /** e.g. http://127.0.0.1:5000 */
  trackingUri: string;
  username?: string;
  password?: string;
  token?: string;
  /** Retries after the first attempt. Defaults to 5. */
  maxRetries?: number;
  /** First backoff in ms, doubled per retry. Defaults to 500. */
  backoffMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Http {
  json<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  raw(method: 'GET' | 'PUT', path: string, body?: Uint8Array, contentType?: string): Promise<Response>;
  baseUrl: string;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

export function createHttp(options: HttpOptions): Http {
  const baseUrl = options.trackingUri.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const auth: Record<string, string> =
    options.username !== undefined && options.password !== undefined
      ? { Authorization: `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}` }
      : options.token
        ? { Authorization: `Bearer ${options.token}` }
        : {};
  const secrets = [options.password, options.token].filter((s): s is string => Boolean(s));
  const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text);

  async function send(method: string, path: string, init: RequestInit): Promise<Response> {
    const retries = options.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      let cause: unknown;
      try {
        res = await doFetch(`${baseUrl}${path}`, { ...init, method, headers: { ...auth, ...(init.headers as Record<string, string>) } });
      } catch (err) {
        cause = err;
      }
      if (res && !RETRY_STATUS.has(res.status)) return res;
      if (attempt >= retries) {
        if (res) return res;
        const reason = cause instanceof Error ? `${cause.message}${cause.cause instanceof Error ? ` (${cause.cause.message})` : ''}` : String(cause);
        throw new MlflowError(redact(`cannot reach the tracking server at ${baseUrl} after ${attempt + 1} attempts: ${reason}`), { method, path });
      }
      await sleep((options.backoffMs ?? 500) * 2 ** attempt);
    }
  }

  async function fail(method: string, path: string, res: Response): Promise<never> {
    const text = await res.text().catch(() => '');
    let errorCode: string | undefined;
    let message = text.slice(0, 500) || res.statusText;
    try {
      const body = JSON.parse(text) as { error_code?: string; message?: string };
      errorCode = body.error_code;
      message = body.message ?? message;
    } catch {
      /* not JSON: keep the text */
    }
    throw new MlflowError(redact(message), { method, path, status: res.status, ...(errorCode ? { errorCode } : {}) });
  }

  return {
    baseUrl,
    async json<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const init: RequestInit = body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
      const res = await send(method, path, init);
      if (!res.ok) return fail(method, path, res);
      const text = await res.text();
      return (text ? JSON.parse(text) : {}) as T;
    },
    async raw(method: 'GET' | 'PUT', path: string, body?: Uint8Array, contentType = 'application/octet-stream'): Promise<Response> {
      const res = await send(method, path, body ? { body, headers: { 'Content-Type': contentType } } : {});
      if (!res.ok) return fail(method, path, res);
      return res;
    },
  };
}
