// DICOM greyscale pixel pipeline (PS3.3 C.7.6.3, C.11.1, C.11.2): stored samples → bits stored
// (masked, sign-extended) → modality values (rescale slope/intercept) → VOI window, or min–max of the
// values when there is none → MONOCHROME1 inverted → 16-bit grey, 0 = black. Pure numbers.

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface VoiWindow {
  center: number;
  width: number;
  fn: VoiFunction;
}

/** The Image Pixel and VOI facts the conversion needs (greyscale, one sample per pixel). */
export interface GreyPixelModule {
  bitsAllocated: 8 | 16;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  slope: number;
  intercept: number;
  /** The first Window Center/Width pair; null: scale the frame's own min–max. */
  window: VoiWindow | null;
}

/** The largest output value: the grey is 16-bit. */
export const GREY_MAX = 65535;

/** Each sample's stored value: BitsStored bits ending at HighBit, sign-extended when signed. */
export function storedValues(bytes: Uint8Array, samples: number, m: GreyPixelModule, littleEndian: boolean): Int32Array {
  const out = new Int32Array(samples);
  const shift = m.highBit + 1 - m.bitsStored;
  const mask = (1 << m.bitsStored) - 1; // bitsStored ≤ 16
  const sign = m.pixelRepresentation === 1 ? 1 << (m.bitsStored - 1) : 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < samples; i++) {
    const raw = m.bitsAllocated === 8 ? (bytes[i] as number) : view.getUint16(2 * i, littleEndian);
    const v = (raw >>> shift) & mask;
    out[i] = sign !== 0 && (v & sign) !== 0 ? v - 2 * sign : v;
  }
  return out;
}

/** Stored values to 16-bit grey: rescale, then the window (or min–max), then MONOCHROME1's inversion. */
export function toGrey16(stored: Int32Array, m: GreyPixelModule): Uint16Array {
  const modality = (v: number): number => v * m.slope + m.intercept;
  const voi = m.window ? windowFunction(m.window) : minMaxFunction(stored, modality);
  const out = new Uint16Array(stored.length);
  const invert = m.photometric === 'MONOCHROME1';
  for (let i = 0; i < stored.length; i++) {
    const y = Math.round(Math.min(GREY_MAX, Math.max(0, voi(modality(stored[i] as number)))));
    out[i] = invert ? GREY_MAX - y : y;
  }
  return out;
}

/** The VOI LUT function of PS3.3 C.11.2.1.2 (LINEAR, LINEAR_EXACT) and C.11.2.1.3 (SIGMOID), onto 0…GREY_MAX. */
export function windowFunction(w: VoiWindow): (x: number) => number {
  const { center: c, width } = w;
  if (w.fn === 'SIGMOID') return (x) => GREY_MAX / (1 + Math.exp((-4 * (x - c)) / width));
  if (w.fn === 'LINEAR_EXACT') {
    return (x) => (x <= c - width / 2 ? 0 : x > c + width / 2 ? GREY_MAX : ((x - c) / width + 0.5) * GREY_MAX);
  }
  const low = c - 0.5 - (width - 1) / 2;
  const high = c - 0.5 + (width - 1) / 2;
  return (x) => (x <= low ? 0 : x > high ? GREY_MAX : ((x - (c - 0.5)) / (width - 1) + 0.5) * GREY_MAX);
}

/** Scales the smallest modality value to 0 and the largest to GREY_MAX; a constant frame is all 0. The
 * rescale is linear, so the extremes are those of the stored values (swapped for a negative slope). */
function minMaxFunction(stored: Int32Array, modality: (v: number) => number): (x: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of stored) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const [a, b] = [modality(lo), modality(hi)];
  const [low, range] = [Math.min(a, b), Math.abs(b - a)];
  return range > 0 ? (x) => ((x - low) / range) * GREY_MAX : () => 0;
}
