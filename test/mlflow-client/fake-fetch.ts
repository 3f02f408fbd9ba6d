// A fake fetch for the client's unit tests: records every request (method, path, query, headers, body)
// and answers from a handler, so tests can assert exactly what the client sent.
import type { FetchLike } from '../../src/mlflow-client';

export interface Recorded {
  method: string;
  url: string;
  /** Decoded path, e.g. `/api/2.0/mlflow/runs/get`. */
  path: string;
  /** The path as sent (percent-encoded). */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The body as bytes (empty when none). */
  bytes: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  json: any;
}

export type Answer = Response | Error;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export const mlflowError = (status: number, errorCode: string, message: string) => jsonResponse(status, { error_code: errorCode, message });

export function refused(): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
}

export function reset(): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
}

export const noSleep = async (): Promise<void> => {};

/** A fetch that records requests and answers with `handler(request, index)`; an Error answer is thrown. */
export function fakeFetch(handler: (req: Recorded, index: number) => Answer | Promise<Answer>): { fetch: FetchLike; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fetch: FetchLike = async (url, init = {}) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const bytes = init.body === undefined || init.body === null ? Buffer.alloc(0) : Buffer.from(await new Response(init.body).arrayBuffer());
    let json: unknown;
    if (headers['content-type'] === 'application/json') json = JSON.parse(bytes.toString('utf8'));
    const req: Recorded = { method: init.method ?? 'GET', url, path: decodeURIComponent(u.pathname), rawPath: u.pathname, query: u.searchParams, headers, bytes, json };
    requests.push(req);
    const answer = await handler(req, requests.length - 1);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch, requests };
}
