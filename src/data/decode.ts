// Image decoding: PNG, JPEG, TIFF, WebP through sharp (EXIF orientation, alpha flattened onto black, CMYK
// to sRGB) and DICOM through dicom.ts, then square (centre crop or black letterbox), size×size, 1 or 3
// channels. 8-bit sources stay 8-bit and 16-bit ones 16-bit until the one final scaling to float32 in
// [0, 1]: value / 255 (Keras' rescale=1/255) or value / 65535. Pure I/O + pixels; tensors are made by the caller.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp from 'sharp';
import { ConfigError, DataError } from '../errors';
import { type DicomGrey, decodeDicom, hasDicomMagic } from './dicom';
import { CROP_POLICIES, type CropPolicy, DEFAULT_CROP } from './image-types';

export { CROP_POLICIES, type CropPolicy, DEFAULT_CROP } from './image-types';

export interface DecodeOptions {
  /** Output width and height in pixels. */
  size: number;
  /** 1 (grey) or 3 (grey replicated / RGB). */
  channels: 1 | 3;
  /** How a non-square image becomes square: `centre` or `pad` (see CROP_POLICIES); default DEFAULT_CROP. */
  crop?: CropPolicy;
}

/** Decoded pixels before scaling: row-major HWC integers at the source's precision. */
export type DecodedPixels = { bits: 8; data: Uint8Array } | { bits: 16; data: Uint16Array };

/** Changes whenever the same file and options would decode to different pixels (part of the cache key). */
export const DECODE_VERSION = 1;

/** The largest value of a sample: 255 or 65535. Output = value / this, so always within [0, 1]. */
export function maxValue(bits: 8 | 16): number {
  return bits === 8 ? 255 : 65535;
}

/** Checks decode options (a programming or config error, not a file's). */
export function checkDecodeOptions(options: DecodeOptions): void {
  const issues: string[] = [];
  if (!Number.isInteger(options.size) || options.size < 1) issues.push(`size: expected a positive integer, received ${options.size}`);
  if (options.channels !== 1 && options.channels !== 3) issues.push(`channels: expected 1 or 3, received ${String(options.channels)}`);
  if (options.crop !== undefined && !CROP_POLICIES.includes(options.crop)) issues.push(`crop: expected ${CROP_POLICIES.join(' or ')}, received ${String(options.crop)}`);
  if (issues.length > 0) throw new ConfigError('decode options', issues);
}

/**
 * Decodes one image (a file path, or the bytes of an upload) to `size*size*channels` float32 values
 * in [0, 1], row-major HWC. `name` labels bytes in error messages.
 */
export async function decodeImage(source: string | Buffer, options: DecodeOptions & { name?: string }): Promise<Float32Array> {
  const pixels = await decodePixels(source, options);
  const out = new Float32Array(pixels.data.length);
  writeUnitRange(pixels, out, 0);
  return out;
}

/** Writes `pixels` scaled to [0, 1] into `out` from `offset` (value / 255 or value / 65535). */
export function writeUnitRange(pixels: DecodedPixels, out: Float32Array, offset: number): void {
  const scale = maxValue(pixels.bits);
  const { data } = pixels;
  for (let i = 0; i < data.length; i++) out[offset + i] = (data[i] as number) / scale;
}

/** Decodes one image to integer pixels at its source's precision (8- or 16-bit), `size*size*channels` of them. */
export async function decodePixels(source: string | Buffer, options: DecodeOptions & { name?: string }): Promise<DecodedPixels> {
  checkDecodeOptions(options);
  const name = typeof source === 'string' ? source : (options.name ?? 'upload');
  const bytes = typeof source === 'string' ? await readImageFile(source) : source;
  if (hasDicomMagic(bytes)) return squarePixels(greyInput(decodeDicom(bytes, name)), true, options, name);
  if (extname(name).toLowerCase() === '.dcm') {
    throw new DataError(name, `cannot decode image: a .dcm file is expected to be DICOM Part 10, with 'DICM' at byte 128; the file has ${bytes.length} bytes without it`);
  }
  const depth = await sharp(bytes)
    .metadata()
    .then((m) => m.depth)
    .catch((cause: unknown) => {
      throw new DataError(name, `cannot decode image (${message(cause)})`, { cause });
    });
  if (depth !== 'uchar' && depth !== 'ushort') {
    throw new DataError(name, `cannot decode image: samples are ${depth ?? 'of unknown type'}; expected 8- or 16-bit unsigned integers (uchar, ushort)`);
  }
  return squarePixels(sharp(bytes, { failOn: 'error' }).rotate(), depth === 'ushort', options, name);
}

/** The file's bytes; a DataError naming it when it cannot be read. */
export async function readImageFile(path: string): Promise<Buffer> {
  return readFile(path).catch((cause: unknown) => {
    throw new DataError(path, `cannot read the file (${message(cause)})`, { cause });
  });
}

function greyInput(grey: DicomGrey): sharp.Sharp {
  return sharp(grey.data, { raw: { width: grey.width, height: grey.height, channels: 1 } });
}

/** Flatten, square, resize, convert to the channels, then raw samples at 8 or 16 bits. */
async function squarePixels(input: sharp.Sharp, sixteen: boolean, options: DecodeOptions, name: string): Promise<DecodedPixels> {
  const { size, channels } = options;
  const black = { r: 0, g: 0, b: 0, alpha: 1 };
  const space = channels === 1 ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  const { data, info } = await input
    .flatten({ background: black })
    .resize(size, size, (options.crop ?? DEFAULT_CROP) === 'pad' ? { fit: 'contain', position: 'centre', background: black } : { fit: 'cover', position: 'centre' })
    .removeAlpha()
    .toColourspace(space)
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((cause: unknown) => {
      throw new DataError(name, `cannot decode image (${message(cause)})`, { cause });
    });
  if (info.channels !== channels) throw new DataError(name, `decoded to ${info.channels} channels, expected ${channels}`);
  const samples = size * size * channels;
  const expected = samples * (sixteen ? 2 : 1);
  if (data.length !== expected) throw new DataError(name, `decoded to ${data.length} bytes, expected ${expected} (${size}×${size}×${channels} at ${sixteen ? 16 : 8} bits)`);
  if (!sixteen) return { bits: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  // sharp writes samples in the machine's byte order; copy to get an aligned Uint16Array.
  const aligned = new Uint16Array(samples);
  new Uint8Array(aligned.buffer).set(data);
  return { bits: 16, data: aligned };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).trim().replace(/:$/, '');
