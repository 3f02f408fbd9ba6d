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
import { DECODE_VERSION, type DecodeOptions, type DecodedPixels, decodePixels, readImageFile } from './decode';
import { DEFAULT_CROP } from './image-types';
import { type PlanePixels, toChannels, toPlanes } from './planes';

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
 * Decodes `file.path` through the cache, grey as one plane (see planes.ts). With `file.sha256` (the
 * index's content hash) a hit reads only the cache file; without it the file is read and hashed first.
 * A miss decodes and writes the entry.
 */
export async function decodeCachedPlanes(file: { path: string; sha256?: string | null }, options: CachedDecodeOptions): Promise<PlanePixels> {
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
  const pixels = toPlanes(await (options.decoder ?? decodePixels)(bytes, { ...decode, name: file.path }), decode.channels);
  await writeEntry(path, pixels, decode).catch((err: unknown) => {
    stats.writeFailures++;
    stats.firstWriteFailure ??= `${path}: ${err instanceof Error ? err.message : String(err)}`;
  });
  return pixels;
}

/** decodeCachedPlanes with every channel: `size*size*channels` integers, as decodePixels gives them. */
export async function decodeCached(file: { path: string; sha256?: string | null }, options: CachedDecodeOptions): Promise<DecodedPixels> {
  return toChannels(await decodeCachedPlanes(file, options), options.channels);
}

/** A `load` for the streaming batches and loadTensors: decodeCachedPlanes counting into `stats`. */
export function cachedLoader(cache: DecodeCacheOptions, stats?: DecodeCacheStats): (file: { path: string; sha256?: string | null }, decode: DecodeOptions) => Promise<PlanePixels> {
  return (file, decode) => decodeCachedPlanes(file, { ...decode, cache, ...(stats ? { stats } : {}) });
}

/** The cached pixels (grey as one plane), or null when the file is missing, short, corrupt or for other options. */
export async function readEntry(path: string, options: DecodeOptions): Promise<PlanePixels | null> {
  const buf = await readFile(path).catch(() => null);
  if (!buf || buf.length < HEADER_BYTES || buf.toString('latin1', 0, 4) !== MAGIC || buf.readUInt16LE(4) !== FILE_VERSION) return null;
  const bits = buf[6];
  const planes = buf[10] as number;
  if ((bits !== 8 && bits !== 16) || buf[7] !== options.channels || buf.readUInt16LE(8) !== options.size) return null;
  if (planes !== options.channels && planes !== 1) return null;
  const pixels = options.size * options.size;
  const payload = buf.subarray(HEADER_BYTES);
  if (payload.length !== pixels * planes * (bits / 8) || crc32(payload) >>> 0 !== buf.readUInt32LE(12)) return null;
  if (bits === 8) return { bits, data: new Uint8Array(payload.buffer, payload.byteOffset, payload.length), planes };
  const data = new Uint16Array(pixels * planes);
  const bytes = Buffer.from(data.buffer);
  payload.copy(bytes);
  if (!LITTLE_ENDIAN) bytes.swap16();
  return { bits, data, planes };
}

/** Writes the entry atomically: a unique temp file beside it, then rename over the final name. */
export async function writeEntry(path: string, pixels: PlanePixels, options: DecodeOptions): Promise<void> {
  const samples = options.size * options.size * pixels.planes;
  if ((pixels.planes !== 1 && pixels.planes !== options.channels) || pixels.data.length !== samples) {
    throw new RangeError(`${options.size}×${options.size}×(1 or ${options.channels}) samples expected, received ${pixels.data.length} in ${pixels.planes} plane(s)`);
  }
  const { data } = pixels;
  const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const stored = pixels.bits === 16 && !LITTLE_ENDIAN ? Buffer.from(payload).swap16() : payload;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt16LE(FILE_VERSION, 4);
  header[6] = pixels.bits;
  header[7] = options.channels;
  header.writeUInt16LE(options.size, 8);
  header[10] = pixels.planes;
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
