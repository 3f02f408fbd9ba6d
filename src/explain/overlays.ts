// Grad-CAM overlays of image files as PNGs, each explaining the class the model predicts for it: decode
// (as the model was trained), Grad-CAM on the batch, heat map over the image. Disposes what it makes.
import type { CropPolicy } from '../data/image-types';
import type { ImageEntry } from '../data/index-entry';
import { disposeTensors, loadTensors } from '../data/load-tensors';
import type { tf } from '../native/tf';
import { gradcam } from './gradcam';
import { overlayPng } from './overlay';

export interface OverlayModel {
  model: tf.LayersModel;
  size: number;
  channels: 1 | 3;
  /** The crop policy the model was trained with (default centre). */
  crop?: CropPolicy;
}

export async function gradcamOverlays(trained: OverlayModel, entries: readonly ImageEntry[]): Promise<Buffer[]> {
  if (entries.length === 0) return [];
  const batch = await loadTensors(entries, { size: trained.size, channels: trained.channels, ...(trained.crop ? { crop: trained.crop } : {}) });
  try {
    const cams = gradcam(trained.model, batch.xs);
    const pixels = batch.xs.dataSync() as Float32Array;
    const per = trained.size * trained.size * trained.channels;
    return await Promise.all(
      cams.maps.map((values, k) =>
        overlayPng({ pixels: pixels.subarray(k * per, (k + 1) * per), size: trained.size, channels: trained.channels }, { values, height: cams.height, width: cams.width }),
      ),
    );
  } finally {
    disposeTensors(batch);
  }
}
