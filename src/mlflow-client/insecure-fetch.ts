// A fetch for MLFLOW_TRACKING_INSECURE_TLS: HTTPS through node:https with certificate checks off for
// this client's requests only (Node's fetch has no per-request switch, and NODE_TLS_REJECT_UNAUTHORIZED
// would turn them off for the whole process). Plain http:// goes to the global fetch.
import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

/** The part of fetch the client uses. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** A fetch that accepts any server certificate over HTTPS (self-signed, expired, wrong host). */
export function insecureFetch(): FetchLike {
  const agent = new Agent({ rejectUnauthorized: false });
  return async (url, init = {}) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') return globalThis.fetch(url, init);
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    return new Promise<Response>((resolve, reject) => {
      const req = request(target, { method, headers, agent, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
        const status = res.statusCode ?? 500;
        const out = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) out.append(key, v);
          else if (value !== undefined) out.set(key, value);
        }
        const empty = status === 204 || status === 304 || method === 'HEAD';
        if (empty) res.resume();
        const body = empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
        resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: out }));
      });
      req.on('error', reject);
      const body = init.body;
      if (body === undefined || body === null) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else if (body instanceof ReadableStream) Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>).on('error', reject).pipe(req);
      else {
        req.destroy();
        reject(new TypeError(`insecureFetch: expected a string, Uint8Array or ReadableStream body, received ${Object.prototype.toString.call(body)}`));
      }
    });
  };
}
