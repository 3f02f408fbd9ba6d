// `cxrlab serve`: an HTTP prediction service on 127.0.0.1 by default. POST /predict with an image body
// → {class, probabilities, latencyMs[, gradcam]}; GET /healthz; GET / → the upload page. Uploads are
// size-limited, concurrent requests are batched through one queue, and bad input gets a clear 4xx.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { CLASS_NAMES, type ClassName } from '../data/classes';
import { decodeImage } from '../data/decode';
import { gradcam } from '../explain/gradcam';
import { overlayPng } from '../explain/overlay';
import { tf } from '../native/tf';
import type { TrainedModel } from '../predict/load-model';
import { uploadPage } from './page';
import { BatchQueue, QueueFullError } from './queue';

export interface ServeOptions {
  /** Defaults to 127.0.0.1: only this machine can reach the service. */
  host?: string;
  /** 0 picks a free port. Defaults to 8080. */
  port?: number;
  /** Largest accepted upload in bytes. Defaults to 20 MiB. */
  maxUploadBytes?: number;
  /** Images predicted in one model call. Defaults to 16. */
  maxBatch?: number;
  /** Requests allowed to wait; more get 503. Defaults to 256. */
  maxPending?: number;
}

export interface PredictService {
  server: Server;
  url: string;
  close(): Promise<void>;
}

interface Job {
  pixels: Float32Array;
  gradcam: boolean;
}

interface JobResult {
  class: ClassName;
  probabilities: Record<ClassName, number>;
  gradcam?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new HttpError(413, `upload is ${declared} bytes; the limit is ${limit}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `upload exceeds the limit of ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' });
  res.end(text);
}

function runBatch(trained: TrainedModel) {
  return async (jobs: Job[]): Promise<JobResult[]> => {
    const { size, channels } = trained;
    const per = size * size * channels;
    const buffer = new Float32Array(jobs.length * per);
    jobs.forEach((j, i) => buffer.set(j.pixels, i * per));
    const xs = tf.tensor4d(buffer, [jobs.length, size, size, channels]);
    try {
      const wantCam = jobs.some((j) => j.gradcam);
      const cams = wantCam ? gradcam(trained.model, xs) : null;
      const probs = cams ? cams.probs : ((await tf.tidy(() => trained.model.predict(xs) as tf.Tensor).data()) as Float32Array);
      return Promise.all(
        jobs.map(async (job, i) => {
          const row = Array.from(probs.subarray(i * CLASS_NAMES.length, (i + 1) * CLASS_NAMES.length));
          const result: JobResult = {
            class: CLASS_NAMES[row.indexOf(Math.max(...row))] as ClassName,
            probabilities: Object.fromEntries(CLASS_NAMES.map((c, k) => [c, row[k] as number])) as Record<ClassName, number>,
          };
          if (job.gradcam && cams) {
            const png = await overlayPng({ pixels: job.pixels, size, channels }, { values: cams.maps[i] as Float32Array, height: cams.height, width: cams.width });
            result.gradcam = png.toString('base64');
          }
          return result;
        }),
      );
    } finally {
      xs.dispose();
    }
  };
}

export async function servePredictions(trained: TrainedModel, options: ServeOptions = {}): Promise<PredictService> {
  const limit = options.maxUploadBytes ?? 20 * 2 ** 20;
  const queue = new BatchQueue(runBatch(trained), { maxBatch: options.maxBatch ?? 16, maxPending: options.maxPending ?? 256 });
  const page = uploadPage(trained.source.split('/').slice(-3, -1).join('/'));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/') return send(res, 200, page, 'text/html');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      return send(res, 200, { status: 'ok', model: trained.source, input: [trained.size, trained.size, trained.channels], classes: CLASS_NAMES, waiting: queue.size });
    }
    if (url.pathname !== '/predict') throw new HttpError(404, `no route ${req.method} ${url.pathname}; try POST /predict, GET /healthz or GET /`);
    if (req.method !== 'POST') throw new HttpError(405, 'use POST /predict with the image as the request body');
    const type = String(req.headers['content-type'] ?? '');
    if (type && !/^(image\/|application\/octet-stream|application\/dicom)/.test(type)) {
      throw new HttpError(415, `expected an image body (Content-Type image/*); received ${type}`);
    }
    const t0 = performance.now();
    const body = await readBody(req, limit);
    if (body.length === 0) throw new HttpError(400, 'empty upload: send the image bytes as the request body');
    const pixels = await decodeImage(body, { size: trained.size, channels: trained.channels, crop: trained.crop, name: 'upload' }).catch((err: unknown) => {
      throw new HttpError(400, err instanceof Error ? err.message : String(err));
    });
    const result = await queue.push({ pixels, gradcam: url.searchParams.get('gradcam') === '1' });
    send(res, 200, { ...result, latencyMs: performance.now() - t0 });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, { error: err.message });
      else if (err instanceof QueueFullError) send(res, 503, { error: err.message });
      else send(res, 500, { error: `internal error: ${err instanceof Error ? err.message : String(err)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as { address: string; port: number };
  return {
    server,
    url: `http://${address.address}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
