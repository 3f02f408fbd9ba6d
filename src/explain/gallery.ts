// A Grad-CAM gallery for a labelled image set: up to N images per true class where the model was
// right and N where it was wrong, each written as <dir>/<class>/<right|wrong>-<name>-as-<predicted>.png.
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { CLASS_NAMES } from '../data/classes';
import { tf } from '../native/tf';
import { gradcam } from './gradcam';
import { writeOverlayPng } from './overlay';

export interface GalleryOptions {
  dir: string;
  /** Images per class and outcome (right / wrong). */
  perClass: number;
  /** A name (e.g. the source path) per image, used in the file names. */
  names: readonly string[];
}

/** Returns the paths written. `data.labels` are class indices in CLASS_NAMES order. */
export async function writeGradcams(
  model: tf.LayersModel,
  data: { xs: tf.Tensor4D; labels: Int32Array },
  options: GalleryOptions,
): Promise<string[]> {
  const predicted = tf.tidy(() => (model.predict(data.xs) as tf.Tensor).argMax(-1).dataSync() as Int32Array);
  const chosen: number[] = [];
  CLASS_NAMES.forEach((_, c) => {
    for (const right of [true, false]) {
      const pool = [...data.labels.keys()].filter((i) => data.labels[i] === c && (predicted[i] === c) === right);
      chosen.push(...pool.slice(0, options.perClass));
    }
  });
  if (chosen.length === 0) return [];
  const [size, channels] = [data.xs.shape[1], data.xs.shape[3]];
  const images = tf.tidy(() => tf.gather(data.xs, tf.tensor1d(chosen, 'int32')) as tf.Tensor4D);
  const cams = gradcam(model, images, {});
  const pixels = images.dataSync() as Float32Array;
  images.dispose();
  const written: string[] = [];
  for (const [k, i] of chosen.entries()) {
    const truth = CLASS_NAMES[data.labels[i] as number] as string;
    const guess = CLASS_NAMES[cams.classes[k] as number] as string;
    const dir = join(options.dir, truth);
    await mkdir(dir, { recursive: true });
    const name = basename(options.names[i] ?? `image-${i}`, extname(options.names[i] ?? ''));
    const path = join(dir, `${truth === guess ? 'right' : 'wrong'}-${name}-as-${guess}.png`);
    const per = size * size * channels;
    await writeOverlayPng(path, { pixels: pixels.subarray(k * per, (k + 1) * per), size, channels }, { values: cams.maps[k] as Float32Array, height: cams.height, width: cams.width });
    written.push(path);
  }
  return written;
}
