// Image decoding with sharp: any format sharp reads → centre-square crop → size×size → 1 or 3 channels,
// as float32 in [0, 1] (Keras' rescale=1/255). Pure I/O + pixels; tensors are made by the caller.
import sharp from 'sharp';
import { DataError } from '../errors';

export interface DecodeOptions {
  /** Output width and height in pixels. */
  size: number;
  /** 1 (grey) or 3 (grey replicated / RGB). */
  channels: 1 | 3;
}

/**
 * Decodes one image (a file path, or the bytes of an upload) to `size*size*channels` float32 values
 * in [0, 1], row-major HWC. `name` labels bytes in error messages.
 */
export async function decodeImage(source: string | Buffer, options: DecodeOptions & { name?: string }): Promise<Float32Array> {
  const path = typeof source === 'string' ? source : (options.name ?? 'upload');
  let pipeline = sharp(source, { failOn: 'error' })
    .rotate() // honour EXIF orientation
    .resize(options.size, options.size, { fit: 'cover', position: 'centre' })
    .removeAlpha();
  pipeline = options.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true }).catch((cause: unknown) => {
    throw new DataError(path, `cannot decode image (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  });
  if (info.channels !== options.channels) {
    throw new DataError(path, `decoded to ${info.channels} channels, expected ${options.channels}`);
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) / 255;
  return out;
}
