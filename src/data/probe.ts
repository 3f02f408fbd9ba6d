// Reading one file for the index without decoding it: size, sha256 of the bytes (streamed), format by
// content, sharp's header metadata (or the DICOM header), end-of-file checks for truncation; a full
// decode only with verify: decode.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp from 'sharp';
import { DicomError, decodeDicom } from './dicom';
import { probeDicomBytes } from './dicom-probe';
import { IMAGE_EXTENSIONS } from './image-types';
import type { Probe, SkipReason } from './index-entry';

export type { Probe } from './index-entry';

export interface ProbeOptions {
  /** `header`: metadata and end-of-file checks; `decode`: also decode the whole image. */
  verify: 'header' | 'decode';
  /** Shortest side accepted, in pixels. */
  minSize: number;
  /** Most pixels (width × height) accepted. */
  maxPixels: number;
}


/** Formats read by the training pipeline, by sharp's name. */
const READ_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'tiff', 'webp']);
/** Extension → the content format it promises. */
const EXTENSION_FORMAT: Readonly<Record<string, string>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.tif': 'tiff', '.tiff': 'tiff', '.webp': 'webp', '.dcm': 'dicom' };
/** Sample formats decoded (sharp's depth names): 8- and 16-bit unsigned. */
const READ_DEPTHS: ReadonlySet<string> = new Set(['uchar', 'ushort']);
const HEAD_BYTES = 132;
const TAIL_BYTES = 16 * 1024;

export interface FileBytes {
  bytes: number;
  sha256: string;
  /** The first bytes (magic numbers; DICOM's sits at 128). */
  head: Buffer;
  /** The last bytes (end markers). */
  tail: Buffer;
}

/** sha256 of a file's bytes, streamed, with its first and last bytes. */
export async function hashFile(path: string): Promise<FileBytes> {
  const hash = createHash('sha256');
  let head: Buffer = Buffer.alloc(0);
  // The stream's chunks (64 KiB) are longer than the tail; only the last one may be short.
  let previous: Buffer = Buffer.alloc(0);
  let last: Buffer = Buffer.alloc(0);
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
    [previous, last] = [last, chunk];
  }
  const tail = Buffer.concat([previous, last]);
  return { bytes, sha256: hash.digest('hex'), head, tail: tail.subarray(Math.max(0, tail.length - TAIL_BYTES)) };
}

/** The image format its first bytes announce, or null. */
export function sniffFormat(head: Buffer): string | null {
  const starts = (sig: readonly number[], at = 0): boolean => sig.every((b, i) => head[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a]) || starts([0x49, 0x49, 0x2b, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  if (head.subarray(0, 2).toString('latin1') === 'BM') return 'bmp';
  if (head.subarray(128, 132).toString('latin1') === 'DICM') return 'dicom';
  return null;
}

/** Why the file ends too early for its format, or null when its end looks complete (or cannot be checked). */
export function truncation(format: string, file: FileBytes): string | null {
  if (format === 'png') {
    const end = file.tail.lastIndexOf(Buffer.from('IEND', 'latin1'));
    return end < 0 || end + 8 > file.tail.length ? `PNG without its IEND chunk: the file ends early (${file.bytes} bytes)` : null;
  }
  if (format === 'jpeg') {
    return file.tail.lastIndexOf(Buffer.from([0xff, 0xd9])) < 0 ? `JPEG without its end-of-image marker: the file ends early (${file.bytes} bytes)` : null;
  }
  if (format === 'webp' && file.head.length >= 8) {
    const size = file.head.readUInt32LE(4) + 8;
    return file.bytes < size ? `WebP declares ${size} bytes, the file has ${file.bytes}` : null;
  }
  return null;
}

const BIT_DEPTH: Readonly<Record<string, number>> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, complex: 64, double: 64, dpcomplex: 128 };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).trim().replace(/:$/, '');

/** Reads one file for the index. Never throws for a bad file: the reason is in the result. */
export async function probeImage(path: string, options: ProbeOptions): Promise<Probe> {
  const probe: Probe = {
    status: 'skipped',
    reason: null,
    detail: null,
    format: null,
    width: null,
    height: null,
    channels: null,
    bitDepth: null,
    space: null,
    bytes: null,
    sha256: null,
    note: null,
  };
  const skip = (reason: SkipReason, detail: string): Probe => Object.assign(probe, { reason, detail });
  let file: FileBytes;
  try {
    const info = await stat(path);
    if (!info.isFile()) return skip('unreadable', 'not a regular file');
    file = await hashFile(path);
  } catch (err) {
    return skip('unreadable', message(err));
  }
  probe.bytes = file.bytes;
  probe.sha256 = file.sha256;
  if (file.bytes === 0) return skip('empty', 'zero-byte file');
  const ext = extname(path).toLowerCase();
  const sniffed = sniffFormat(file.head);
  if (sniffed === 'dicom') return probeDicom(path, ext, probe, options); // DICOM is read whatever the file's name
  if (!IMAGE_EXTENSIONS.has(ext)) {
    probe.format = sniffed;
    return skip('unsupported-extension', `'${ext || '(none)'}' is not one of ${[...IMAGE_EXTENSIONS].join(', ')}${sniffed ? ` (the content is ${sniffed})` : ''}`);
  }
  if (ext === '.dcm' && sniffed === null) {
    return skip('not-an-image', `a .dcm file without 'DICM' at byte 128: not a DICOM Part 10 file`);
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    probe.format = sniffed;
    const cut = sniffed ? truncation(sniffed, file) : null;
    if (cut) return skip('truncated', `${cut}; sharp: ${message(err)}`);
    return sniffed ? skip('undecodable', `${sniffed} that sharp cannot read: ${message(err)}`) : skip('not-an-image', `sharp: ${message(err)}`);
  }
  const format = meta.format as string;
  Object.assign(probe, {
    format,
    width: meta.width ?? null,
    height: meta.height ?? null,
    channels: meta.channels ?? null,
    bitDepth: meta.bitsPerSample ?? (meta.depth ? (BIT_DEPTH[meta.depth] ?? null) : null),
    space: meta.space ?? null,
  });
  if (!READ_FORMATS.has(format)) return skip('unsupported-format', `the content is ${format}; read are ${[...READ_FORMATS].join(', ')}, dicom`);
  const cut = truncation(format, file);
  if (cut) return skip('truncated', cut);
  if (!meta.depth || !READ_DEPTHS.has(meta.depth)) {
    return skip('unsupported-pixels', `samples are ${meta.depth ?? 'of unknown type'}; read are 8- and 16-bit unsigned integers (uchar, ushort)`);
  }
  const { width, height } = probe;
  if (!width || !height) return skip('undecodable', 'sharp found no width and height');
  const size = sizeProblem(width, height, options);
  if (size) return skip(size.reason, size.detail);
  if (options.verify === 'decode') {
    try {
      await sharp(path, { failOn: 'error', limitInputPixels: options.maxPixels }).resize(16, 16, { fit: 'fill' }).raw().toBuffer();
    } catch (err) {
      return skip('undecodable', `decoding fails: ${message(err)}`);
    }
  }
  const promised = EXTENSION_FORMAT[ext];
  if (promised !== format) probe.note = `extension ${ext} but the content is ${format}`;
  return Object.assign(probe, { status: 'ok' as const });
}

/** too-small or too-large, or null when the size is accepted. */
function sizeProblem(width: number, height: number, options: ProbeOptions): { reason: SkipReason; detail: string } | null {
  if (Math.min(width, height) < options.minSize) return { reason: 'too-small', detail: `${width}×${height}: a side is shorter than minSize ${options.minSize}` };
  if (width * height > options.maxPixels) return { reason: 'too-large', detail: `${width}×${height} = ${width * height} pixels, more than maxPixels ${options.maxPixels}` };
  return null;
}

/** The DICOM branch of probeImage: header facts, decodability, size, and with verify: decode the pixels. */
async function probeDicom(path: string, ext: string, probe: Probe, options: ProbeOptions): Promise<Probe> {
  const skip = (reason: SkipReason, detail: string): Probe => Object.assign(probe, { reason, detail });
  probe.format = 'dicom';
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return skip('unreadable', message(err));
  }
  const dicom = probeDicomBytes(bytes, path);
  const named = ext === '.dcm' ? null : `extension ${ext || '(none)'} but the content is dicom`;
  Object.assign(probe, {
    width: dicom.width,
    height: dicom.height,
    channels: dicom.channels,
    bitDepth: dicom.bitDepth,
    space: dicom.space,
    note: [named, dicom.note].filter((n) => n !== null).join('; ') || null,
  });
  if (dicom.problem) return skip(dicom.problem.reason, dicom.problem.detail);
  const size = sizeProblem(dicom.width as number, dicom.height as number, options);
  if (size) return skip(size.reason, size.detail);
  if (options.verify === 'decode') {
    try {
      decodeDicom(bytes, path);
    } catch (err) {
      return skip('undecodable', `decoding fails: ${err instanceof DicomError ? err.detail : message(err)}`);
    }
  }
  return Object.assign(probe, { status: 'ok' as const });
}
