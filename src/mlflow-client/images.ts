// Step-indexed images in the layout MLflow 3.17's `log_image(key=…, step=…)` writes and the UI's image
// cards read: `images/<key>+step+<n>+timestamp+<ms>+<uuid>.png` plus a `…+compressed.<png|webp>` thumbnail,
// and the run tag `mlflow.loggedImages` = `True` that makes the UI look for them. The file names are a pure
// function of key, step, timestamp and uuid, so a call repeated with the same ones logs the image once.
import { randomUUID } from 'node:crypto';
import type { ArtifactsApi } from './artifacts';
import { ARTIFACTS_API } from './context';
import { validationError } from './errors';
import type { RunsApi } from './runs';

/** Options of logImage. */
export interface LogImageOptions {
  /** An integer. Defaults to 0. */
  step?: number;
  /** Milliseconds since the epoch. Defaults to now. */
  timestamp?: number;
  /**
   * A smaller PNG or WebP rendering for the image grid (Python writes a WebP of at most 256 px). Defaults to the
   * image itself, stored as `…+compressed.png` — the UI reads png as well as webp thumbnails.
   */
  thumbnail?: Uint8Array;
  /** The run's artifact URI; looked up with runs/get when absent. */
  artifactUri?: string;
  /**
   * The unique part of the file names, a UUID such as `2f1c…-…`. Defaults to a random one. With a fixed uuid and
   * timestamp a repeated call (a retry whose first answer was lost) overwrites the same two files instead of
   * adding the image a second time.
   */
  uuid?: string;
}

/** Where logImage wrote the image and its thumbnail. */
export interface LoggedImage {
  /** The image, relative to the run's artifact root. */
  path: string;
  /** The thumbnail, relative to the run's artifact root. */
  compressedPath: string;
}

/** Image calls. */
export interface ImagesApi {
  /** Logs a PNG image under `key` at a step, where the run's image cards (and the chart view's IMAGE card) show it. */
  logImage(runId: string, key: string, png: Uint8Array, options?: LogImageOptions): Promise<LoggedImage>;
}

/** The key rule of Python's log_image. */
const IMAGE_KEY = /^[a-zA-Z0-9_\-./ ]+$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isPng = (b: Uint8Array) => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isWebp = (b: Uint8Array) => b.length >= 12 && Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP';

/** The file name stem MLflow 3.17 uses: `/` in the key becomes `~`, fields joined by `+`. */
export function imageFileStem(key: string, step: number, timestamp: number, uuid: string): string {
  return `images/${key.replace(/\//g, '~')}+step+${step}+timestamp+${timestamp}+${uuid}`;
}

/** The image calls over the artifact and run calls (used by createMlflowClient). */
export function imagesApi(deps: { artifacts: ArtifactsApi; runs: RunsApi }): ImagesApi {
  return {
    async logImage(runId, key, png, options = {}) {
      const step = options.step ?? 0;
      const timestamp = options.timestamp ?? Date.now();
      const problems: string[] = [];
      if (!IMAGE_KEY.test(key)) problems.push(`image key ${JSON.stringify(key)} may only contain letters, digits, _ - . / and spaces`);
      if (!Number.isSafeInteger(step)) problems.push(`step must be an integer, received ${step}`);
      if (!(Number.isSafeInteger(timestamp) && timestamp >= 0)) problems.push(`timestamp must be whole milliseconds ≥ 0, received ${timestamp}`);
      if (options.uuid !== undefined && !UUID.test(options.uuid)) problems.push(`uuid must be a UUID such as 123e4567-e89b-12d3-a456-426614174000, received ${JSON.stringify(options.uuid)}`);
      if (!isPng(png)) problems.push('expected PNG bytes for the image (the UI reads .png images)');
      const thumb = options.thumbnail ?? png;
      if (options.thumbnail && !isPng(thumb) && !isWebp(thumb)) problems.push('expected PNG or WebP bytes for the thumbnail');
      if (problems.length) throw validationError('PUT', ARTIFACTS_API, problems);

      const artifactUri = options.artifactUri ?? (await deps.runs.getRun(runId)).info.artifact_uri;
      const stem = imageFileStem(key, step, timestamp, options.uuid ?? randomUUID());
      const image = `${stem}.png`;
      const compressed = `${stem}+compressed.${isWebp(thumb) ? 'webp' : 'png'}`;
      await deps.artifacts.uploadArtifactBytes(artifactUri, image, png, 'image/png');
      await deps.artifacts.uploadArtifactBytes(artifactUri, compressed, thumb, isWebp(thumb) ? 'image/webp' : 'image/png');
      await deps.runs.setTag(runId, 'mlflow.loggedImages', 'True');
      return { path: image, compressedPath: compressed };
    },
  };
}
