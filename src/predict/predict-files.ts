// Predicts the class of image files: each file is decoded like training data, predicted in batches,
// and reported with its probabilities and latency; a file that cannot be read gets an error entry
// and the others are still predicted.
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { CLASS_NAMES, type ClassName } from '../data/classes';
import { decodeImage } from '../data/decode';
import { IMAGE_EXTENSIONS } from '../data/image-types';
import { tf } from '../native/tf';
import type { TrainedModel } from './load-model';

export type Prediction =
  | { path: string; label: ClassName; probabilities: Record<ClassName, number>; latencyMs: number }
  | { path: string; error: string };

export interface PredictOptions {
  /** Images predicted together. Defaults to 16. */
  batchSize?: number;
}

/** Expands folders (recursively) into their image files; files are kept as given, whatever their extension. */
export async function listInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info?.isDirectory()) {
      for (const entry of (await readdir(input, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = join(input, entry.name);
        if (entry.isDirectory()) out.push(...(await listInputs([p])));
        else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(p);
      }
    } else out.push(input);
  }
  return out;
}

export async function predictFiles(trained: TrainedModel, paths: readonly string[], options: PredictOptions = {}): Promise<Prediction[]> {
  const batchSize = options.batchSize ?? 16;
  const results: Prediction[] = [];
  for (let start = 0; start < paths.length; start += batchSize) {
    const chunk = paths.slice(start, start + batchSize);
    const t0 = performance.now();
    const decoded = await Promise.all(
      chunk.map((path) =>
        decodeImage(path, { size: trained.size, channels: trained.channels, crop: trained.crop }).then(
          (pixels) => ({ path, pixels }),
          (err: unknown) => ({ path, error: err instanceof Error ? err.message : String(err) }),
        ),
      ),
    );
    const ok = decoded.filter((d): d is { path: string; pixels: Float32Array } => 'pixels' in d);
    let probs: Float32Array<ArrayBufferLike> = new Float32Array(0);
    if (ok.length) {
      const pixels = trained.size * trained.size * trained.channels;
      const buffer = new Float32Array(ok.length * pixels);
      ok.forEach((d, i) => buffer.set(d.pixels, i * pixels));
      const out = tf.tidy(() => trained.model.predict(tf.tensor4d(buffer, [ok.length, trained.size, trained.size, trained.channels])) as tf.Tensor);
      probs = (await out.data()) as Float32Array;
      out.dispose();
    }
    const latencyMs = (performance.now() - t0) / chunk.length;
    let k = 0;
    for (const d of decoded) {
      if (!('pixels' in d)) {
        results.push(d);
        continue;
      }
      const row = Array.from(probs.subarray(k * CLASS_NAMES.length, (k + 1) * CLASS_NAMES.length));
      k++;
      const best = row.indexOf(Math.max(...row));
      results.push({
        path: d.path,
        label: CLASS_NAMES[best] as ClassName,
        probabilities: Object.fromEntries(CLASS_NAMES.map((c, i) => [c, row[i] as number])) as Record<ClassName, number>,
        latencyMs,
      });
    }
  }
  return results;
}
