// DICOM RLE Lossless (PS3.5 annex G): one frame's segments, PackBits-coded byte planes, decoded back to
// little-endian samples. Pure bytes in, bytes out.
import { DicomError } from './dicom-header';

const HEADER_BYTES = 64;
const MAX_SEGMENTS = 15;

export interface RleFrameOptions {
  /** Samples in the frame (rows × columns for greyscale). */
  samples: number;
  /** 1 for 8-bit samples, 2 for 16-bit ones: one segment per byte of a sample. */
  bytesPerSample: 1 | 2;
  /** Names the file in error messages. */
  name: string;
}

/**
 * Decodes one RLE frame to `samples × bytesPerSample` bytes, little-endian per sample. Segment 0 holds
 * the most significant bytes, the last segment the least significant ones.
 */
export function decodeRleFrame(frame: Uint8Array, options: RleFrameOptions): Uint8Array {
  const { samples, bytesPerSample, name } = options;
  const fail = (what: string): never => {
    throw new DicomError(name, 'undecodable', `RLE Lossless pixel data: ${what}`);
  };
  if (frame.length < HEADER_BYTES) fail(`the frame has ${frame.length} bytes, fewer than its ${HEADER_BYTES}-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const count = view.getUint32(0, true);
  if (count !== bytesPerSample) fail(`expected ${bytesPerSample} segment(s) for one ${8 * bytesPerSample}-bit sample per pixel, the header lists ${count}`);
  if (count > MAX_SEGMENTS) fail(`the header lists ${count} segments, at most ${MAX_SEGMENTS} are allowed`);
  const offsets = Array.from({ length: count }, (_, i) => view.getUint32(4 + 4 * i, true));
  const out = new Uint8Array(samples * bytesPerSample);
  for (let s = 0; s < count; s++) {
    const start = offsets[s] as number;
    const end = s + 1 < count ? (offsets[s + 1] as number) : frame.length;
    if (start < HEADER_BYTES || end > frame.length || start > end) fail(`segment ${s + 1} spans bytes ${start}–${end} of a ${frame.length}-byte frame`);
    // Segment s holds byte (bytesPerSample - 1 - s) of each little-endian sample.
    const written = unpackBits(frame, start, end, out, bytesPerSample - 1 - s, bytesPerSample, samples);
    if (written < samples) fail(`segment ${s + 1} decodes to ${written} bytes, expected ${samples}`);
  }
  return out;
}

/** PackBits: writes up to `count` bytes to `out[first + i*stride]`; returns how many were written. */
function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array, first: number, stride: number, count: number): number {
  let n = 0;
  let i = start;
  while (i < end && n < count) {
    const header = src[i++] as number;
    if (header < 128) {
      const run = Math.min(header + 1, end - i, count - n); // literal run of header + 1 bytes
      for (let k = 0; k < run; k++) out[first + (n + k) * stride] = src[i + k] as number;
      n += run;
      i += header + 1;
    } else if (header > 128) {
      if (i >= end) break;
      const value = src[i++] as number; // repeat run: 257 - header copies of the next byte
      const run = Math.min(257 - header, count - n);
      for (let k = 0; k < run; k++) out[first + (n + k) * stride] = value;
      n += run;
    } // 128 is a no-op
  }
  return n;
}
