// Writes small DICOM Part 10 files for tests: 128-byte preamble, 'DICM', the file meta group (explicit VR
// little endian), then the data set in the chosen transfer syntax, with native, RLE Lossless or opaque
// encapsulated pixel data. Written from the standard (PS3.5, PS3.10), independent of the reader.
import { deflateRawSync } from 'node:zlib';

export const TS = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  bigEndian: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegLossless: '1.2.840.10008.1.2.4.70',
  jpeg2000: '1.2.840.10008.1.2.4.90',
} as const;

export interface DicomSpec {
  rows: number;
  columns: number;
  /** Stored values, row-major (negative ones for signed pixels); one frame, repeated for `frames`. */
  values: readonly number[];
  bitsAllocated: 8 | 16;
  /** Default: bitsAllocated. */
  bitsStored?: number;
  /** Default: bitsStored - 1. */
  highBit?: number;
  pixelRepresentation?: 0 | 1;
  photometric?: string;
  samplesPerPixel?: number;
  slope?: number;
  intercept?: number;
  /** Window Center/Width; `extra` adds further pairs after the first, as a multi-valued element. */
  window?: { center: number; width: number; fn?: string; extra?: { center: number; width: number } };
  frames?: number;
  /** Default: explicit VR little endian. */
  transferSyntax?: string;
  /** Sets every bit above HighBit (overlay bits a reader must mask off). */
  junkHighBits?: boolean;
  /** Leave Pixel Data out. */
  noPixelData?: boolean;
  /** Encapsulated bytes for a compressed transfer syntax that is not RLE (opaque to the reader). */
  encapsulated?: Buffer;
}

type Vr = 'UL' | 'OB' | 'OW' | 'UI' | 'US' | 'CS' | 'DS' | 'IS';
const LONG_VRS = new Set<Vr>(['OB', 'OW']);

interface Encoding {
  explicit: boolean;
  little: boolean;
}

function u16(v: number, little: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (little) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}

function u32(v: number, little: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (little) b.writeUInt32LE(v);
  else b.writeUInt32BE(v);
  return b;
}

/** A string value padded to even length: UI with NUL, the others with a space. */
function text(value: string, vr: Vr): Buffer {
  const b = Buffer.from(value, 'latin1');
  return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.from(vr === 'UI' ? '\0' : ' ', 'latin1')]);
}

function element(tag: number, vr: Vr, value: Buffer, enc: Encoding, undefinedLength = false): Buffer {
  const group = tag >>> 16;
  const elem = tag & 0xffff;
  const length = undefinedLength ? 0xffffffff : value.length;
  const head = [u16(group, enc.little), u16(elem, enc.little)];
  if (!enc.explicit) head.push(u32(length, enc.little));
  else if (LONG_VRS.has(vr)) head.push(Buffer.from(vr, 'latin1'), Buffer.alloc(2), u32(length, enc.little));
  else head.push(Buffer.from(vr, 'latin1'), u16(length, enc.little));
  return Buffer.concat([...head, value]);
}

/** An item (FFFE,E000) of encapsulated pixel data, padded to even length. */
function item(data: Buffer, little: boolean): Buffer {
  const padded = data.length % 2 === 0 ? data : Buffer.concat([data, Buffer.alloc(1)]);
  return Buffer.concat([u16(0xfffe, little), u16(0xe000, little), u32(padded.length, little), padded]);
}

/** Encapsulated Pixel Data: an empty basic offset table, one item per fragment, the sequence delimiter. */
function encapsulate(fragments: readonly Buffer[], enc: Encoding): Buffer {
  const body = Buffer.concat([item(Buffer.alloc(0), enc.little), ...fragments.map((f) => item(f, enc.little)), u16(0xfffe, enc.little), u16(0xe0dd, enc.little), u32(0, enc.little)]);
  return element(0x7fe00010, 'OB', body, enc, true);
}

/** Each stored value placed at its bits (masked to bitsStored, shifted to end at highBit). */
export function rawSamples(spec: DicomSpec): number[] {
  const stored = spec.bitsStored ?? spec.bitsAllocated;
  const high = spec.highBit ?? stored - 1;
  const shift = high + 1 - stored;
  const mask = 2 ** stored - 1;
  const junk = spec.junkHighBits ? (2 ** spec.bitsAllocated - 1) & ~(2 ** (high + 1) - 1) : 0;
  return spec.values.map((v) => ((((v & mask) >>> 0) * 2 ** shift) | junk) >>> 0);
}

/** Native pixel data bytes of one frame, in the encoding's byte order. */
function nativeFrame(spec: DicomSpec, little: boolean): Buffer {
  const samples = rawSamples(spec);
  if (spec.bitsAllocated === 8) return Buffer.from(samples);
  return Buffer.concat(samples.map((s) => u16(s, little)));
}

/** PackBits of one byte plane: replicate runs for three or more equal bytes, literal runs otherwise (≤ 128 each). */
export function packBits(plane: Uint8Array): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < plane.length) {
    let run = 1;
    while (i + run < plane.length && run < 128 && plane[i + run] === plane[i]) run++;
    if (run >= 3) {
      out.push(257 - run, plane[i] as number);
      i += run;
      continue;
    }
    const start = i;
    while (i < plane.length && i - start < 128) {
      if (i + 2 < plane.length && plane[i] === plane[i + 1] && plane[i] === plane[i + 2]) break;
      i++;
    }
    out.push(i - start - 1, ...plane.subarray(start, i));
  }
  if (out.length % 2 === 1) out.push(0); // segments are even-length
  return Buffer.from(out);
}

/** One RLE Lossless frame: the 64-byte header, then a segment per byte plane, most significant first. */
export function rleFrame(spec: DicomSpec): Buffer {
  const samples = rawSamples(spec);
  const planes = spec.bitsAllocated === 16 ? [samples.map((s) => s >>> 8), samples.map((s) => s & 0xff)] : [samples];
  const segments = planes.map((p) => packBits(Uint8Array.from(p)));
  const header = Buffer.alloc(64);
  header.writeUInt32LE(segments.length, 0);
  let offset = 64;
  segments.forEach((s, i) => {
    header.writeUInt32LE(offset, 4 + 4 * i);
    offset += s.length;
  });
  return Buffer.concat([header, ...segments]);
}

function ds(values: readonly number[]): string {
  return values.map((v) => String(v)).join('\\');
}

/** The data set's elements in ascending tag order. */
function dataSet(spec: DicomSpec, ts: string, enc: Encoding): Buffer {
  const stored = spec.bitsStored ?? spec.bitsAllocated;
  const parts: Buffer[] = [
    element(0x00080016, 'UI', text('1.2.840.10008.5.1.4.1.1.1.1', 'UI'), enc),
    element(0x00080018, 'UI', text('1.2.3.4.5.6.7', 'UI'), enc),
    element(0x00280002, 'US', u16(spec.samplesPerPixel ?? 1, enc.little), enc),
    element(0x00280004, 'CS', text(spec.photometric ?? 'MONOCHROME2', 'CS'), enc),
  ];
  if (spec.frames && spec.frames > 1) parts.push(element(0x00280008, 'IS', text(String(spec.frames), 'IS'), enc));
  parts.push(
    element(0x00280010, 'US', u16(spec.rows, enc.little), enc),
    element(0x00280011, 'US', u16(spec.columns, enc.little), enc),
    element(0x00280100, 'US', u16(spec.bitsAllocated, enc.little), enc),
    element(0x00280101, 'US', u16(stored, enc.little), enc),
    element(0x00280102, 'US', u16(spec.highBit ?? stored - 1, enc.little), enc),
    element(0x00280103, 'US', u16(spec.pixelRepresentation ?? 0, enc.little), enc),
  );
  if (spec.window) {
    const w = spec.window;
    parts.push(
      element(0x00281050, 'DS', text(ds(w.extra ? [w.center, w.extra.center] : [w.center]), 'DS'), enc),
      element(0x00281051, 'DS', text(ds(w.extra ? [w.width, w.extra.width] : [w.width]), 'DS'), enc),
    );
  }
  if (spec.intercept !== undefined) parts.push(element(0x00281052, 'DS', text(ds([spec.intercept]), 'DS'), enc));
  if (spec.slope !== undefined) parts.push(element(0x00281053, 'DS', text(ds([spec.slope]), 'DS'), enc));
  if (spec.window?.fn) parts.push(element(0x00281056, 'CS', text(spec.window.fn, 'CS'), enc));
  if (!spec.noPixelData) {
    const frames = spec.frames ?? 1;
    if (ts === TS.rle) parts.push(encapsulate(Array.from({ length: frames }, () => rleFrame(spec)), enc));
    else if (spec.encapsulated) parts.push(encapsulate([spec.encapsulated], enc));
    else {
      const frame = nativeFrame(spec, enc.little);
      parts.push(element(0x7fe00010, spec.bitsAllocated === 8 ? 'OB' : 'OW', Buffer.concat(Array.from({ length: frames }, () => frame)), enc));
    }
  }
  return Buffer.concat(parts);
}

/** The file meta group (0002,xxxx), always explicit VR little endian, with its group length first. */
function metaGroup(ts: string): Buffer {
  const enc: Encoding = { explicit: true, little: true };
  const rest = Buffer.concat([
    element(0x00020001, 'OB', Buffer.from([0, 1]), enc),
    element(0x00020002, 'UI', text('1.2.840.10008.5.1.4.1.1.1.1', 'UI'), enc),
    element(0x00020003, 'UI', text('1.2.3.4.5.6.7', 'UI'), enc),
    element(0x00020010, 'UI', text(ts, 'UI'), enc),
    element(0x00020012, 'UI', text('1.2.3.4.99', 'UI'), enc),
  ]);
  return Buffer.concat([element(0x00020000, 'UL', u32(rest.length, true), enc), rest]);
}

/** A complete Part 10 file for `spec`. */
export function dicomFile(spec: DicomSpec): Buffer {
  const ts = spec.transferSyntax ?? TS.explicit;
  const enc: Encoding = { explicit: ts !== TS.implicit, little: ts !== TS.bigEndian };
  const body = dataSet(spec, ts, enc);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), metaGroup(ts), ts === TS.deflated ? deflateRawSync(body) : body]);
}
