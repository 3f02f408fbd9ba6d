// The HTTP layer: the tracking server's base URL, the Authorization header, JSON bodies, a per-attempt
// timeout, retries with exponential backoff on 5xx answers and connection errors (never on 4xx), and
// MlflowErrors that carry MLflow's error_code but never a credential.
import { MlflowError } from './errors';
import { type FetchLike, insecureFetch } from './insecure-fetch';
import { type Redact, createRedactor } from './redact';

export type { FetchLike } from './insecure-fetch';

/** How to reach the tracking server: URI, credentials, TLS, retries, timeout; `fetch`, `sleep` and `log` are injectable. */
export interface HttpOptions {
  /** The tracking server, e.g. `http://127.0.0.1:5000` (a path prefix such as `https://host/mlflow` is kept). Credentials in the URL (`http://user:pass@host`) are used for basic auth and removed from it. */
  trackingUri: string;
  /** Basic auth, sent only when `password` is set too (as the Python client does). Also the default `mlflow.user` of new runs. */
  username?: string;
  password?: string;
  /** Bearer token, used when there is no username and password. */
  token?: string;
  /** Accept any server certificate over HTTPS (MLFLOW_TRACKING_INSECURE_TLS), for this client only. Ignored when `fetch` is given. Defaults to false. */
  insecureTls?: boolean;
  /** Retries after the first attempt, on 5xx answers and connection errors. Defaults to 5. */
  maxRetries?: number;
  /** Wait before the first retry, in ms; doubled for each further retry. Defaults to 500. */
  backoffMs?: number;
  /** Longest wait between two attempts, in ms (also caps a server's Retry-After). Defaults to 30 000. */
  maxBackoffMs?: number;
  /** Time limit of one attempt, in ms, until the response headers arrive (a body may take longer). Defaults to 120 000 (the Python client's). */
  timeoutMs?: number;
  /** Defaults to `globalThis.fetch` (Node ≥ 18). */
  fetch?: FetchLike;
  /** Injectable for tests. Defaults to a setTimeout promise. */
  sleep?: (ms: number) => Promise<void>;
  /** Where retries and truncated values are reported, one line each, credentials removed. Defaults to silence. */
  log?: (message: string) => void;
}

/** The HTTP methods MLflow's REST API uses. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request as the API modules describe it. */
export interface RequestSpec {
  method: Method;
  /** Path below the tracking URI, already percent-encoded, without a query, e.g. `/api/2.0/mlflow/runs/get`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** A JSON body (sent with `Content-Type: application/json`). */
  json?: unknown;
  /** A raw body, made afresh for every attempt (a stream cannot be sent twice). */
  body?: () => Uint8Array | ReadableStream<Uint8Array>;
  contentType?: string;
  contentLength?: number;
}

/** The HTTP layer the API modules share. */
export interface Http {
  /** The tracking URI without credentials or trailing slash. */
  readonly baseUrl: string;
  /** The username given (for `mlflow.user`), if any. */
  readonly username: string | undefined;
  readonly redact: Redact;
  readonly log: (message: string) => void;
  /** Sends with retries; resolves with a 2xx response, throws MlflowError otherwise. */
  request(spec: RequestSpec): Promise<Response>;
  /** request() and the parsed JSON body (`{}` for an empty one). */
  json<T>(spec: RequestSpec): Promise<T>;
}

const NOT_TRANSIENT_STATUS = new Set([501, 505]);
const NOT_TRANSIENT_CODES = new Set(['FEATURE_DISABLED', 'NOT_IMPLEMENTED']);
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;

interface ParsedUri {
  baseUrl: string;
  basePath: string;
  username?: string;
  password?: string;
}

/** Splits a tracking URI into its credential-free base and the credentials it carried. */
export function parseTrackingUri(uri: string): ParsedUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new MlflowError(`trackingUri must be an http(s) URL such as http://127.0.0.1:5000, received ${JSON.stringify(uri.replace(/\/\/[^@/]*@/, '//***@'))}`, { kind: 'validation', method: 'CONFIG', path: '-' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MlflowError(`trackingUri must be an http(s) URL such as http://127.0.0.1:5000 (this client talks REST only), received scheme ${JSON.stringify(url.protocol)}`, { kind: 'validation', method: 'CONFIG', path: '-' });
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.username = '';
  url.password = '';
  const basePath = url.pathname.replace(/\/+$/, '');
  return { baseUrl: `${url.origin}${basePath}`, basePath, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function describeCause(err: unknown): { text: string; codes: string[] } {
  const parts: string[] = [];
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') codes.push(code);
      parts.push(typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return { text: parts.join(': '), codes };
}

/** Error codes of a connection the server closed (an idle keep-alive timed out on its side). */
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

function retryAfterMs(res: Response): number | undefined {
  const header = res.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

async function errorBody(res: Response): Promise<{ errorCode?: string; message: string }> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (body && typeof body === 'object') {
      return {
        ...(typeof body.error_code === 'string' ? { errorCode: body.error_code } : {}),
        message: typeof body.message === 'string' ? body.message.slice(0, 2000) : text.slice(0, 500),
      };
    }
  } catch {
    /* not JSON (e.g. an HTML 404 page): report the status and the start of the text */
  }
  const snippet = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  return { message: `HTTP ${res.status} ${res.statusText}${snippet ? ` — ${snippet}` : ''}` };
}

/** The HTTP layer every API module uses. */
export function createHttp(options: HttpOptions): Http {
  const parsed = parseTrackingUri(options.trackingUri);
  const username = options.username ?? parsed.username;
  const password = options.password ?? parsed.password;
  const token = options.token;
  const redact = createRedactor({ username, password, token });
  const logSink = options.log ?? (() => {});
  const log = (message: string) => logSink(redact(message));
  const doFetch: FetchLike = options.fetch ?? (options.insecureTls ? insecureFetch() : (url, init) => globalThis.fetch(url, init));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRetries = Math.max(0, options.maxRetries ?? 5);
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const authorization = username && password ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : token ? `Bearer ${token}` : undefined;

  async function request(spec: RequestSpec): Promise<Response> {
    const errorPath = `${parsed.basePath}${spec.path}`;
    const query = Object.entries(spec.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
    const url = `${parsed.baseUrl}${spec.path}${query.length ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : ''}`;
    const jsonText = spec.json === undefined ? undefined : JSON.stringify(spec.json);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (authorization) headers.Authorization = authorization;
      let body: Uint8Array | ReadableStream<Uint8Array> | string | undefined;
      if (jsonText !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = jsonText;
      } else if (spec.body) {
        headers['Content-Type'] = spec.contentType ?? 'application/octet-stream';
        if (spec.contentLength !== undefined) headers['Content-Length'] = String(spec.contentLength);
        body = spec.body();
      }
      // The limit covers the wait for the response headers only, so a long download is not cut off.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      const init: RequestInit & { duplex?: 'half' } = { method: spec.method, headers, signal: controller.signal };
      if (body !== undefined) init.body = body;
      if (body instanceof ReadableStream) init.duplex = 'half';

      let res: Response | undefined;
      let failure: string;
      let retryable: boolean;
      let cause: unknown;
      let wait: number | undefined;
      /** The server closed a kept-alive connection this request went out on (it idled out while the caller was busy). */
      let staleConnection = false;
      try {
        res = await doFetch(url, init);
      } catch (err) {
        cause = err;
      } finally {
        clearTimeout(timer);
      }
      if (res) {
        if (res.ok) return res;
        const { errorCode, message } = await errorBody(res);
        retryable = res.status >= 500 && !NOT_TRANSIENT_STATUS.has(res.status) && !(errorCode && NOT_TRANSIENT_CODES.has(errorCode));
        if (!retryable || attempt >= maxRetries) {
          const tried = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
          throw new MlflowError(redact(`${message}${tried}`), { kind: 'response', method: spec.method, path: errorPath, status: res.status, attempts: attempt + 1, ...(errorCode ? { errorCode } : {}) });
        }
        failure = `HTTP ${res.status}${errorCode ? ` ${errorCode}` : ''}`;
        wait = retryAfterMs(res);
      } else {
        const timedOut = controller.signal.aborted;
        const { text, codes } = describeCause(cause);
        const tls = !timedOut && codes.some((c) => TLS_ERROR.test(c));
        retryable = !tls;
        staleConnection = !timedOut && codes.some((c) => STALE_CONNECTION.has(c));
        failure = timedOut ? `no answer within ${timeoutMs / 1000} s` : text;
        if (!retryable || attempt >= maxRetries) {
          const hint = tls ? '; the server certificate was refused (MLFLOW_TRACKING_INSECURE_TLS=true skips the check)' : '';
          throw new MlflowError(redact(`cannot reach the tracking server at ${parsed.baseUrl} after ${attempt + 1} attempt${attempt ? 's' : ''}: ${failure}${hint}`), {
            kind: 'connection',
            method: spec.method,
            path: errorPath,
            attempts: attempt + 1,
            cause,
          });
        }
      }
      // A first attempt that met a closed kept-alive connection is sent again at once, on a new connection.
      const delay = attempt === 0 && staleConnection ? 0 : Math.min(maxBackoffMs, Math.max(backoffMs * 2 ** attempt, wait ?? 0));
      log(`mlflow-client: ${spec.method} ${errorPath} failed (${failure}); retry ${attempt + 1} of ${maxRetries} in ${delay} ms`);
      await sleep(delay);
    }
  }

  return {
    baseUrl: parsed.baseUrl,
    username,
    redact,
    log,
    request,
    async json<T>(spec: RequestSpec): Promise<T> {
      const res = await request(spec);
      const text = await res.text();
      if (!text) return {} as T;
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new MlflowError(`expected a JSON answer, received ${JSON.stringify(text.slice(0, 120))}`, { kind: 'response', method: spec.method, path: `${parsed.basePath}${spec.path}`, status: res.status, cause: err });
      }
    },
  };
}
