// Renders a Grad-CAM map over its image as a PNG: the map upsampled to the image size, coloured with
// a jet-like ramp and blended over the grey image. Pure pixels plus sharp's PNG encoder.
import sharp from 'sharp';

export interface OverlayOptions {
  /** Opacity of the heat map, in [0, 1]. Defaults to 0.45. */
  alpha?: number;
}

/** Jet-like colour ramp: blue → cyan → yellow → red, for v in [0, 1]. */
function ramp(v: number): [number, number, number] {
  const c = (x: number) => Math.max(0, Math.min(1, x));
  return [c(1.5 - Math.abs(4 * v - 3)), c(1.5 - Math.abs(4 * v - 2)), c(1.5 - Math.abs(4 * v - 1))];
}

/** Bilinear sample of a row-major h×w map at fractional coordinates. */
function sample(map: Float32Array, h: number, w: number, y: number, x: number): number {
  const y0 = Math.max(0, Math.min(h - 1, Math.floor(y)));
  const x0 = Math.max(0, Math.min(w - 1, Math.floor(x)));
  const y1 = Math.min(h - 1, y0 + 1);
  const x1 = Math.min(w - 1, x0 + 1);
  const fy = Math.max(0, Math.min(1, y - y0));
  const fx = Math.max(0, Math.min(1, x - x0));
  const at = (yy: number, xx: number) => map[yy * w + xx] as number;
  return (at(y0, x0) * (1 - fx) + at(y0, x1) * fx) * (1 - fy) + (at(y1, x0) * (1 - fx) + at(y1, x1) * fx) * fy;
}

export interface OverlayImage {
  /** size×size×channels values in [0, 1] (as decoded for the model). */
  pixels: Float32Array;
  size: number;
  channels: number;
}

export interface OverlayMap {
  /** The Grad-CAM map, height×width values in [0, 1]. */
  values: Float32Array;
  height: number;
  width: number;
}

export async function writeOverlayPng(path: string, image: OverlayImage, map: OverlayMap, options: OverlayOptions = {}): Promise<void> {
  await sharp(await overlayPng(image, map, options)).toFile(path);
}

/** The overlay as PNG bytes. */
export async function overlayPng(image: OverlayImage, map: OverlayMap, options: OverlayOptions = {}): Promise<Buffer> {
  const alpha = options.alpha ?? 0.45;
  const { size, channels, pixels } = image;
  const rgb = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const grey = channels === 1 ? (pixels[i] as number) : ((pixels[i * 3] as number) + (pixels[i * 3 + 1] as number) + (pixels[i * 3 + 2] as number)) / 3;
      const heat = ramp(sample(map.values, map.height, map.width, ((y + 0.5) * map.height) / size - 0.5, ((x + 0.5) * map.width) / size - 0.5));
      for (let k = 0; k < 3; k++) rgb[i * 3 + k] = Math.round(255 * ((1 - alpha) * grey + alpha * heat[k]!));
    }
  }
  return sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}
