// Image batches as one PNG grid (e.g. originals beside their augmented versions): [n, h, w, c] tensors
// in [0, 1], `columns` images per row, a white 2-pixel margin around each. Disposes what it makes.
import { tf } from '../native/tf';

export interface ImageGridOptions {
  /** Images per row. */
  columns: number;
  /** White pixels around each image. Default 2. */
  margin?: number;
}

export async function imageGridPng(batches: readonly tf.Tensor4D[], options: ImageGridOptions): Promise<Uint8Array> {
  const m = options.margin ?? 2;
  if (!Number.isInteger(options.columns) || options.columns < 1) throw new RangeError(`imageGridPng: columns must be a positive integer, received ${options.columns}`);
  const grid = tf.tidy(() => {
    const images = tf.concat([...batches]);
    const [n, h, w, c] = images.shape;
    const rows = Math.ceil(n / options.columns);
    return images
      .pad([[0, rows * options.columns - n], [m, m], [m, m], [0, 0]], 1)
      .reshape([rows, options.columns, h + 2 * m, w + 2 * m, c])
      .transpose([0, 2, 1, 3, 4])
      .reshape([rows * (h + 2 * m), options.columns * (w + 2 * m), c])
      .clipByValue(0, 1)
      .mul(255)
      .round()
      .toInt() as tf.Tensor3D;
  });
  try {
    return await tf.node.encodePng(grid);
  } finally {
    grid.dispose();
  }
}
