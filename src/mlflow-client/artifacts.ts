// Artifacts through the tracking server's artifact proxy: `mlflow-artifacts:/…` URIs (a run's or a
// LoggedModel's artifact_uri) mapped to `/api/2.0/mlflow-artifacts/artifacts/…`; upload a file, bytes or a
// folder (PUT, body streamed), list, and download to memory or to a file.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { API, ARTIFACTS_API, type Context } from './context';
import { validationError } from './errors';
import type { FileInfo } from './types';

/** Artifact calls; `artifactUri` is a run's or a LoggedModel's `mlflow-artifacts:/…` URI, paths are `/`-separated and relative. */
export interface ArtifactsApi {
  /** Uploads one file as `<artifactPath>/<file name>` under the artifact URI; returns that relative path. */
  uploadArtifact(artifactUri: string, localPath: string, artifactPath?: string): Promise<string>;
  /** Uploads bytes as the file `filePath` (relative, e.g. `plots/curves.html`) under the artifact URI. */
  uploadArtifactBytes(artifactUri: string, filePath: string, data: Uint8Array, contentType?: string): Promise<void>;
  /** Uploads a folder recursively (files in name order, symlinks followed); returns the relative paths written. */
  uploadArtifacts(artifactUri: string, localDir: string, artifactPath?: string): Promise<string[]>;
  /** A run's artifacts in one folder (`path` relative to the run's root; paths returned are relative to that root too). */
  listArtifacts(runId: string, path?: string): Promise<FileInfo[]>;
  /** The same for any proxied artifact URI (e.g. a LoggedModel's); paths returned are relative to `artifactUri`. */
  listArtifactsAt(artifactUri: string, path?: string): Promise<FileInfo[]>;
  /** One artifact file's bytes. */
  downloadArtifact(artifactUri: string, path: string): Promise<Buffer>;
  /** Streams one artifact file to `localFile` (folders created; written to a temp name, then renamed); returns its size in bytes. */
  downloadArtifactToFile(artifactUri: string, path: string, localFile: string): Promise<number>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.csv': 'text/csv',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
};

/** The Content-Type the Python client would guess from a file name; `application/octet-stream` when unknown. */
export function contentTypeOf(fileName: string): string {
  return CONTENT_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Why `path` cannot be an artifact path, or null. The server refuses `#`, backslashes, `..` and absolute
 * paths (validate_path_is_safe) and decodes `%` sequences again, so `%` is refused too.
 */
export function artifactPathProblem(path: string): string | null {
  if (path === '') return null;
  if (/[#%\\\u0000-\u001f\u007f]/.test(path)) return `artifact path ${JSON.stringify(path)} must not contain #, %, \\ or control characters`;
  if (path.startsWith('/')) return `artifact path ${JSON.stringify(path)} must be relative (no leading /)`;
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) return `artifact path ${JSON.stringify(path)} must not have empty, . or .. segments`;
  return null;
}

const joinPath = (...parts: (string | undefined)[]) => parts.filter((p): p is string => Boolean(p)).join('/');

/** The artifact URI's path below the proxy root and the host it names (if any). */
function proxiedRoot(artifactUri: string): { root: string; host?: string } {
  const m = /^mlflow-artifacts:(?:\/\/([^/]*))?\/*(.*)$/.exec(artifactUri);
  if (m) return { root: (m[2] ?? '').replace(/\/+$/, ''), ...(m[1] ? { host: m[1] } : {}) };
  const h = /^https?:\/\/([^/]+)(?:\/[^?#]*)?\/api\/2\.0\/mlflow-artifacts\/artifacts\/?([^?#]*)$/.exec(artifactUri);
  if (h) return { root: decodeURIComponent(h[2] ?? '').replace(/\/+$/, ''), ...(h[1] ? { host: h[1] } : {}) };
  throw validationError('PUT', ARTIFACTS_API, [
    `artifact URI ${JSON.stringify(artifactUri)} is not served by the tracking server's artifact proxy (expected mlflow-artifacts:/… ; start the server with --serve-artifacts, the default, and without --default-artifact-root pointing elsewhere)`,
  ]);
}

/**
 * The proxy path for `path` below `artifactUri`, percent-encoded segment by segment:
 * `mlflow-artifacts:/1/<run>/artifacts` + `images/a b.png` → `/api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts/images/a%20b.png`.
 */
export function artifactProxyPath(artifactUri: string, path = ''): string {
  const problem = artifactPathProblem(path);
  if (problem) throw validationError('PUT', ARTIFACTS_API, [problem]);
  const full = joinPath(proxiedRoot(artifactUri).root, path);
  return full ? `${ARTIFACTS_API}/${full.split('/').map(encodeURIComponent).join('/')}` : ARTIFACTS_API;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir)).sort();
  for (const name of entries) {
    const p = join(dir, name);
    const s = await stat(p);
    if (s.isDirectory()) out.push(...(await walk(p)));
    else if (s.isFile()) out.push(p);
  }
  return out;
}

/** The artifact calls over one HTTP layer (used by createMlflowClient). */
export function artifactsApi(ctx: Context): ArtifactsApi {
  const { http } = ctx;
  const trackingHost = new URL(http.baseUrl).host;

  function target(method: string, artifactUri: string, path: string): string {
    const { host } = proxiedRoot(artifactUri);
    if (host && host !== trackingHost) {
      // Sending this client's credentials to another host is not something to do silently.
      throw validationError(method, ARTIFACTS_API, [`artifact URI ${JSON.stringify(artifactUri)} names host ${host}, but this client talks to ${trackingHost}`]);
    }
    return artifactProxyPath(artifactUri, path);
  }

  async function put(artifactUri: string, filePath: string, body: () => Uint8Array | ReadableStream<Uint8Array>, size: number, contentType: string): Promise<void> {
    const problem = artifactPathProblem(filePath);
    if (problem || !filePath) throw validationError('PUT', ARTIFACTS_API, [problem ?? 'an artifact file path must not be empty']);
    await http.request({ method: 'PUT', path: target('PUT', artifactUri, filePath), body, contentType, contentLength: size });
  }

  const api: ArtifactsApi = {
    async uploadArtifact(artifactUri, localPath, artifactPath = '') {
      const s = await stat(localPath);
      if (!s.isFile()) throw validationError('PUT', ARTIFACTS_API, [`expected a file to upload at ${localPath}, found ${s.isDirectory() ? 'a folder (use uploadArtifacts)' : 'something else'}`]);
      const filePath = joinPath(artifactPath.replace(/^\/+|\/+$/g, ''), basename(localPath));
      await put(artifactUri, filePath, () => Readable.toWeb(createReadStream(localPath)) as unknown as ReadableStream<Uint8Array>, s.size, contentTypeOf(localPath));
      return filePath;
    },

    async uploadArtifactBytes(artifactUri, filePath, data, contentType) {
      await put(artifactUri, filePath, () => data, data.byteLength, contentType ?? contentTypeOf(filePath));
    },

    async uploadArtifacts(artifactUri, localDir, artifactPath = '') {
      const s = await stat(localDir);
      if (!s.isDirectory()) throw validationError('PUT', ARTIFACTS_API, [`expected a folder to upload at ${localDir}, found a file (use uploadArtifact)`]);
      const written: string[] = [];
      for (const file of await walk(localDir)) {
        const rel = relative(localDir, file).split(sep);
        const dir = joinPath(artifactPath.replace(/^\/+|\/+$/g, ''), ...rel.slice(0, -1));
        written.push(await api.uploadArtifact(artifactUri, file, dir));
      }
      return written;
    },

    async listArtifacts(runId, path = '') {
      const problem = artifactPathProblem(path);
      if (problem) throw validationError('GET', `${API}/artifacts/list`, [problem]);
      const files: FileInfo[] = [];
      let pageToken: string | undefined;
      do {
        const res = await http.json<{ files?: FileInfo[]; next_page_token?: string }>({
          method: 'GET',
          path: `${API}/artifacts/list`,
          query: { run_id: runId, ...(path ? { path } : {}), page_token: pageToken },
        });
        files.push(...(res.files ?? []));
        pageToken = res.next_page_token || undefined;
      } while (pageToken);
      return files;
    },

    async listArtifactsAt(artifactUri, path = '') {
      const problem = artifactPathProblem(path);
      if (problem) throw validationError('GET', ARTIFACTS_API, [problem]);
      const { root, host } = proxiedRoot(artifactUri);
      if (host && host !== trackingHost) target('GET', artifactUri, path);
      const res = await http.json<{ files?: FileInfo[] }>({ method: 'GET', path: ARTIFACTS_API, query: { path: joinPath(root, path) } });
      return (res.files ?? []).map((f) => ({ ...f, path: joinPath(path, f.path) }));
    },

    async downloadArtifact(artifactUri, path) {
      const res = await http.request({ method: 'GET', path: target('GET', artifactUri, path) });
      return Buffer.from(await res.arrayBuffer());
    },

    async downloadArtifactToFile(artifactUri, path, localFile) {
      const res = await http.request({ method: 'GET', path: target('GET', artifactUri, path) });
      await mkdir(dirname(localFile), { recursive: true });
      const partial = `${localFile}.partial-${process.pid}`;
      try {
        if (res.body) await pipeline(Readable.fromWeb(res.body as unknown as NodeReadableStream<Uint8Array>), createWriteStream(partial));
        else await pipeline(Readable.from([]), createWriteStream(partial));
        await rename(partial, localFile);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
      return (await stat(localFile)).size;
    },
  };
  return api;
}
