// PNG images laid out in rows on white (e.g. Grad-CAM overlays: cases × runs), each scaled to a square tile.
import sharp from 'sharp';

export interface PngGridOptions {
  /** Side of each tile in pixels. */
  tile: number;
  /** White pixels between tiles. Default 4. */
  gap?: number;
}

/** One array of PNGs per row; rows may differ in length. */
export async function pngGrid(rows: readonly (readonly Uint8Array[])[], options: PngGridOptions): Promise<Buffer> {
  const { tile } = options;
  const gap = options.gap ?? 4;
  const columns = Math.max(1, ...rows.map((row) => row.length));
  const parts: { input: Buffer; left: number; top: number }[] = [];
  for (const [y, row] of rows.entries()) {
    for (const [x, png] of row.entries()) parts.push({ input: await sharp(png).resize(tile, tile).toBuffer(), left: x * (tile + gap), top: y * (tile + gap) });
  }
  const width = columns * (tile + gap) - gap;
  const height = Math.max(1, rows.length * (tile + gap) - gap);
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(parts).png().toBuffer();
}
