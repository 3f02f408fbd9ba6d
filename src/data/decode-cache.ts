// The decoded-image cache on disk: one file per (content sha256, size, channels, crop, decoder version,
// libvips version), holding the integer pixels at the source's precision (uint8 or uint16) behind a
// 16-byte header with a CRC; grey replicated to 3 channels is stored once. Writes are atomic (temp file +
// rename), so concurrent processes never see a partial file; a short, corrupt or mismatched file is a
// miss and is rewritten. A hit reads no image.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { DECODE_VERSION, type DecodeOptions, type DecodedPixels, decodePixels, readImageFile, writeUnitRange } from './decode';
import { DEFAULT_CROP } from './image-types';

export interface DecodeCacheOptions {
  /** Folder of the cache files (created when missing). */
  dir: string;
}

/** What a cached decode did, for logs and tests. */
export interface DecodeCacheStats {
  hits: number;
  /** Decoded and written (or tried to). */
  misses: number;
  /** Writes that failed (full disk, read-only folder); the pixels were still returned. */
  writeFailures: number;
  /** The first write failure's message. */
  firstWriteFailure: string | null;
}

/** Decodes a file's bytes; decodePixels unless a test counts calls. */
export type PixelDecoder = (source: Buffer, options: DecodeOptions & { name: string }) => Promise<DecodedPixels>;

export interface CachedDecodeOptions extends DecodeOptions {
  cache: DecodeCacheOptions;
  /** Counts into these stats when given. */
  stats?: DecodeCacheStats;
  decoder?: PixelDecoder;
}

// Header: magic (4) · file version u16 · bits u8 · channels u8 · size u16 · stored planes u8 · 0 u8 · CRC-32 of the payload u32.
const MAGIC = 'CXRP';
const FILE_VERSION = 1;
const HEADER_BYTES = 16;
const LITTLE_ENDIAN = endianness() === 'LE';

export function emptyCacheStats(): DecodeCacheStats {
  return { hits: 0, misses: 0, writeFailures: 0, firstWriteFailure: null };
}

/** The cache key: sha256 over the content hash and everything that shapes the decoded pixels. */
export function cacheKey(sha256: string, options: DecodeOptions): string {
  const parts = { sha256, size: options.size, channels: options.channels, crop: options.crop ?? DEFAULT_CROP, decoder: DECODE_VERSION, vips: sharp.versions.vips, file: FILE_VERSION };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** `<dir>/<first two hex digits>/<key>.px`: at most 256 entries in the top folder. */
export function cachePath(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}.px`);
}

/**
 * Decodes `file.path` through the cache. With `file.sha256` (the index's content hash) a hit reads only
 * the cache file; without it the file is read and hashed first. A miss decodes and writes the entry.
 */
export async function decodeCached(file: { path: string; sha256?: string | null }, options: CachedDecodeOptions): Promise<DecodedPixels> {
  const stats = options.stats ?? emptyCacheStats();
  const decode: DecodeOptions = { size: options.size, channels: options.channels, ...(options.crop ? { crop: options.crop } : {}) };
  let bytes: Buffer | null = null;
  let sha256 = file.sha256 ?? null;
  if (!sha256) {
    bytes = await readImageFile(file.path);
    sha256 = createHash('sha256').update(bytes).digest('hex');
  }
  const path = cachePath(options.cache.dir, cacheKey(sha256, decode));
  const cached = await readEntry(path, decode);
  if (cached) {
    stats.hits++;
    return cached;
  }
  stats.misses++;
  bytes ??= await readImageFile(file.path);
  const pixels = await (options.decoder ?? decodePixels)(bytes, { ...decode, name: file.path });
  await writeEntry(path, pixels, decode).catch((err: unknown) => {
    stats.writeFailures++;
    stats.firstWriteFailure ??= `${path}: ${err instanceof Error ? err.message : String(err)}`;
  });
  return pixels;
}

/** A `load` for the streaming batches: decodeCached scaled to [0, 1] exactly as decodeImage scales. */
export function cachedLoader(cache: DecodeCacheOptions, stats?: DecodeCacheStats): (file: { path: string; sha256?: string | null }, decode: DecodeOptions) => Promise<Float32Array> {
  return async (file, decode) => {
    const pixels = await decodeCached(file, { ...decode, cache, ...(stats ? { stats } : {}) });
    const out = new Float32Array(pixels.data.length);
    writeUnitRange(pixels, out, 0);
    return out;
  };
}

/** The cached pixels, or null when the file is missing, short, corrupt or for other options. */
export async function readEntry(path: string, options: DecodeOptions): Promise<DecodedPixels | null> {
  const buf = await readFile(path).catch(() => null);
  if (!buf || buf.length < HEADER_BYTES || buf.toString('latin1', 0, 4) !== MAGIC || buf.readUInt16LE(4) !== FILE_VERSION) return null;
  const bits = buf[6];
  const planes = buf[10];
  if ((bits !== 8 && bits !== 16) || buf[7] !== options.channels || buf.readUInt16LE(8) !== options.size) return null;
  if (planes !== options.channels && planes !== 1) return null;
  const pixels = options.size * options.size;
  const payload = buf.subarray(HEADER_BYTES);
  if (payload.length !== pixels * planes * (bits / 8) || crc32(payload) >>> 0 !== buf.readUInt32LE(12)) return null;
  let stored: Uint8Array | Uint16Array;
  if (bits === 8) stored = new Uint8Array(payload.buffer, payload.byteOffset, payload.length);
  else {
    stored = new Uint16Array(pixels * planes);
    const bytes = Buffer.from(stored.buffer);
    payload.copy(bytes);
    if (!LITTLE_ENDIAN) bytes.swap16();
  }
  const data = planes === options.channels ? stored : replicate(stored, options.channels);
  return bits === 8 ? { bits, data: data as Uint8Array } : { bits, data: data as Uint16Array };
}

/** Whether every pixel of HWC data has equal channels (grey stored as RGB). */
function isReplicatedGrey(data: Uint8Array | Uint16Array, channels: number): boolean {
  if (channels === 1) return false;
  for (let i = 0; i < data.length; i += channels) {
    for (let c = 1; c < channels; c++) if (data[i + c] !== data[i]) return false;
  }
  return true;
}

/** One plane of grey to `channels` equal channels, HWC. */
function replicate(grey: Uint8Array | Uint16Array, channels: number): Uint8Array | Uint16Array {
  const out = grey instanceof Uint8Array ? new Uint8Array(grey.length * channels) : new Uint16Array(grey.length * channels);
  for (let i = 0, o = 0; i < grey.length; i++) {
    const v = grey[i] as number;
    for (let c = 0; c < channels; c++) out[o++] = v;
  }
  return out;
}

/** Every `channels`-th sample: the first channel of HWC data. */
function firstChannel(data: Uint8Array | Uint16Array, channels: number): Uint8Array | Uint16Array {
  const out = data instanceof Uint8Array ? new Uint8Array(data.length / channels) : new Uint16Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels] as number;
  return out;
}

/** Writes the entry atomically: a unique temp file beside it, then rename over the final name. */
export async function writeEntry(path: string, pixels: DecodedPixels, options: DecodeOptions): Promise<void> {
  const samples = options.size * options.size * options.channels;
  if (pixels.data.length !== samples) throw new RangeError(`${samples} samples expected for ${options.size}×${options.size}×${options.channels}, received ${pixels.data.length}`);
  const grey = isReplicatedGrey(pixels.data, options.channels);
  const data = grey ? firstChannel(pixels.data, options.channels) : pixels.data;
  const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const stored = pixels.bits === 16 && !LITTLE_ENDIAN ? Buffer.from(payload).swap16() : payload;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt16LE(FILE_VERSION, 4);
  header[6] = pixels.bits;
  header[7] = options.channels;
  header.writeUInt16LE(options.size, 8);
  header[10] = grey ? 1 : options.channels;
  header.writeUInt32LE(crc32(stored) >>> 0, 12);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, Buffer.concat([header, stored]), { flag: 'wx' });
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}
