// Reading a DICOM Part 10 file's header with dicom-parser: transfer syntax, Image Pixel module, rescale,
// window and where the pixel data lies — and whether this reader can decode it. Every problem is a
// DicomError, a DataError that also says which skip reason it is.
import { type DataSet, type Element, parseDicom } from 'dicom-parser';
import { DataError } from '../errors';
import type { GreyPixelModule, VoiFunction, VoiWindow } from './dicom-pixels';
import { DECODED_TRANSFER_SYNTAXES, describeTransferSyntax, pixelEncoding } from './dicom-transfer-syntax';
import type { SkipReason } from './index-entry';

/** What is wrong with a DICOM file, as the index's skip reason. */
export type DicomProblem = Extract<SkipReason, 'not-an-image' | 'truncated' | 'undecodable' | 'unsupported-compression' | 'unsupported-pixels'>;

/** A DICOM file that cannot be decoded; `reason` classifies it for the index. */
export class DicomError extends DataError {
  readonly reason: DicomProblem;
  /** The message without the path. */
  readonly detail: string;
  constructor(path: string, reason: DicomProblem, detail: string, options?: { cause?: unknown }) {
    super(path, detail, options);
    this.reason = reason;
    this.detail = detail;
  }
}

export interface DicomHeader {
  /** Transfer Syntax UID (0002,0010). */
  transferSyntax: string;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  slope: number;
  intercept: number;
  /** The first Window Center/Width pair when both are present and usable; else null. */
  window: VoiWindow | null;
}

export interface DicomFile {
  header: DicomHeader;
  /** The parsed data set; its byteArray is the (inflated) file. */
  dataSet: DataSet;
  /** Pixel Data (7FE0,0010); null when the file has none. */
  pixelData: Element | null;
}

const MAGIC_AT = 128;

/** Whether the bytes carry DICOM's `DICM` at byte 128 (a Part 10 file). */
export function hasDicomMagic(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC_AT + 4 && Buffer.from(bytes.buffer, bytes.byteOffset + MAGIC_AT, 4).toString('latin1') === 'DICM';
}

/** dicom-parser throws strings, Errors, and `{ exception, dataSet }` objects. */
function parserMessage(err: unknown): string {
  const inner = typeof err === 'object' && err !== null && 'exception' in err ? (err as { exception: unknown }).exception : err;
  return (inner instanceof Error ? inner.message : String(inner)).replace(/^dicomParser[.:]?\s*/, '');
}

/** Parses the file's meta header and data set (pixel data is located, not copied). */
export function parseDicomFile(bytes: Uint8Array, name: string): DicomFile {
  if (!hasDicomMagic(bytes)) {
    throw new DicomError(name, 'not-an-image', `not a DICOM Part 10 file: expected 'DICM' at byte ${MAGIC_AT}, the file has ${bytes.length} bytes without it`);
  }
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let dataSet: DataSet;
  try {
    dataSet = parseDicom(buffer);
  } catch (cause) {
    const detail = parserMessage(cause);
    const reason = /overrun|past end|overread|beyond|end of buffer/i.test(detail) ? 'truncated' : 'undecodable';
    throw new DicomError(name, reason, `the DICOM data set cannot be parsed (${detail})`, { cause });
  }
  const transferSyntax = dataSet.string('x00020010');
  if (!transferSyntax) throw new DicomError(name, 'undecodable', 'the DICOM meta header has no Transfer Syntax UID (0002,0010)');
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const header: DicomHeader = {
    transferSyntax,
    rows: dataSet.uint16('x00280010') ?? 0,
    columns: dataSet.uint16('x00280011') ?? 0,
    frames: dataSet.intString('x00280008') ?? 1,
    samplesPerPixel,
    photometric: (dataSet.string('x00280004') ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : '')).toUpperCase(),
    bitsAllocated,
    bitsStored,
    highBit: dataSet.uint16('x00280102') ?? bitsStored - 1,
    pixelRepresentation: dataSet.uint16('x00280103') ?? 0,
    slope: dataSet.floatString('x00281053') ?? 1,
    intercept: dataSet.floatString('x00281052') ?? 0,
    window: readWindow(dataSet),
  };
  return { header, dataSet, pixelData: dataSet.elements.x7fe00010 ?? null };
}

function readWindow(dataSet: DataSet): VoiWindow | null {
  const center = dataSet.floatString('x00281050', 0);
  const width = dataSet.floatString('x00281051', 0);
  const named = (dataSet.string('x00281056') ?? 'LINEAR').toUpperCase();
  const fn: VoiFunction = named === 'LINEAR_EXACT' || named === 'SIGMOID' ? named : 'LINEAR';
  if (center === undefined || width === undefined || !Number.isFinite(center) || !Number.isFinite(width)) return null;
  if (fn === 'LINEAR' ? width < 1 : width <= 0) return null; // not a valid window: min–max instead
  return { center, width, fn };
}

/** Bytes of one frame of native (uncompressed) pixel data. */
export function frameBytes(h: DicomHeader): number {
  return (h.rows * h.columns * h.samplesPerPixel * h.bitsAllocated) / 8;
}

/** Why this reader cannot decode the file's pixels, or null when it can. */
export function decodeProblem(file: DicomFile, name: string): DicomError | null {
  const h = file.header;
  const problem = (reason: DicomProblem, message: string): DicomError => new DicomError(name, reason, message);
  const pixels = file.pixelData;
  if (!pixels) {
    const floats = file.dataSet.elements.x7fe00008 ?? file.dataSet.elements.x7fe00009;
    if (floats) return problem('unsupported-pixels', 'float pixel data (7FE0,0008/0009) is not read; expected integer Pixel Data (7FE0,0010)');
    return problem('not-an-image', `a DICOM file without Pixel Data (7FE0,0010) (SOP class ${file.dataSet.string('x00080016') ?? file.dataSet.string('x00020002') ?? 'not given'})`);
  }
  const encoding = pixelEncoding(h.transferSyntax);
  if (!encoding) {
    return problem(
      'unsupported-compression',
      `pixel data in transfer syntax ${describeTransferSyntax(h.transferSyntax)} cannot be decoded; decoded are ${DECODED_TRANSFER_SYNTAXES.join(', ')}`,
    );
  }
  if (h.rows < 1 || h.columns < 1) return problem('undecodable', `Rows (0028,0010) × Columns (0028,0011) is ${h.rows}×${h.columns}`);
  if (h.samplesPerPixel !== 1 || (h.photometric !== 'MONOCHROME1' && h.photometric !== 'MONOCHROME2')) {
    return problem('unsupported-pixels', `photometric interpretation ${h.photometric || '(none)'} with ${h.samplesPerPixel} sample(s) per pixel; read are MONOCHROME1 and MONOCHROME2 with 1 sample`);
  }
  if (h.bitsAllocated !== 8 && h.bitsAllocated !== 16) return problem('unsupported-pixels', `Bits Allocated ${h.bitsAllocated}; read are 8 and 16`);
  if (h.bitsStored < 1 || h.bitsStored > h.bitsAllocated || h.highBit < h.bitsStored - 1 || h.highBit >= h.bitsAllocated) {
    return problem('undecodable', `Bits Stored ${h.bitsStored} with High Bit ${h.highBit} does not fit in Bits Allocated ${h.bitsAllocated}`);
  }
  if (h.pixelRepresentation !== 0 && h.pixelRepresentation !== 1) return problem('undecodable', `Pixel Representation ${h.pixelRepresentation}; expected 0 or 1`);
  if (h.frames < 1) return problem('undecodable', `Number of Frames ${h.frames}`);
  const end = file.dataSet.byteArray.length;
  if (encoding === 'rle') {
    const fragments = pixels.fragments ?? [];
    if (!pixels.encapsulatedPixelData || fragments.length === 0) return problem('undecodable', 'RLE Lossless transfer syntax but the pixel data is not encapsulated in fragments');
    const last = fragments[fragments.length - 1] as { position: number; length: number };
    if (last.position + last.length > end) return problem('truncated', `the last pixel data fragment ends at byte ${last.position + last.length}, the file has ${end}`);
    return null;
  }
  if (pixels.encapsulatedPixelData) return problem('undecodable', `transfer syntax ${describeTransferSyntax(h.transferSyntax)} with encapsulated pixel data`);
  const need = frameBytes(h);
  if (pixels.dataOffset + need > end) {
    return problem('truncated', `the pixel data needs ${need} bytes for one ${h.columns}×${h.rows} frame, the file ends ${end - pixels.dataOffset} bytes after its start`);
  }
  if (pixels.length < need) return problem('undecodable', `Pixel Data (7FE0,0010) has ${pixels.length} bytes, one ${h.columns}×${h.rows} frame needs ${need}`);
  return null;
}

/** The greyscale module of a header that `decodeProblem` accepted. */
export function greyModule(h: DicomHeader): GreyPixelModule {
  return {
    bitsAllocated: h.bitsAllocated as 8 | 16,
    bitsStored: h.bitsStored,
    highBit: h.highBit,
    pixelRepresentation: h.pixelRepresentation as 0 | 1,
    photometric: h.photometric as 'MONOCHROME1' | 'MONOCHROME2',
    slope: h.slope,
    intercept: h.intercept,
    window: h.window,
  };
}
