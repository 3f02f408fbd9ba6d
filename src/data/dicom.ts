// Decoding a DICOM file to a 16-bit grey image: header checks, the first frame's samples (native or RLE
// Lossless), then the greyscale pipeline of dicom-pixels. The caller resizes it like any other image.
import { readEncapsulatedImageFrame, readEncapsulatedPixelDataFromFragments } from 'dicom-parser';
import { type DicomFile, DicomError, decodeProblem, frameBytes, greyModule, parseDicomFile } from './dicom-header';
import { storedValues, toGrey16 } from './dicom-pixels';
import { decodeRleFrame } from './dicom-rle';
import { pixelEncoding } from './dicom-transfer-syntax';

export { DicomError, hasDicomMagic } from './dicom-header';

export interface DicomGrey {
  width: number;
  height: number;
  /** Row-major grey, 0 (black) … 65535 (white), after rescale, window and MONOCHROME1 inversion. */
  data: Uint16Array;
}

/** Decodes a DICOM Part 10 file's first frame. Throws DicomError (a DataError naming `name`) when it cannot. */
export function decodeDicom(bytes: Uint8Array, name: string): DicomGrey {
  const file = parseDicomFile(bytes, name);
  const problem = decodeProblem(file, name);
  if (problem) throw problem;
  const h = file.header;
  const samples = h.rows * h.columns;
  const encoding = pixelEncoding(h.transferSyntax);
  const frame = encoding === 'rle' ? decodeRleFrame(rleFrame(file, name), { samples, bytesPerSample: h.bitsAllocated === 16 ? 2 : 1, name }) : nativeFrame(file);
  const stored = storedValues(frame, samples, greyModule(h), encoding !== 'native-big-endian');
  return { width: h.columns, height: h.rows, data: toGrey16(stored, greyModule(h)) };
}

function nativeFrame(file: DicomFile): Uint8Array {
  const { dataSet, pixelData } = file;
  const offset = (pixelData as { dataOffset: number }).dataOffset;
  return new Uint8Array(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + offset, frameBytes(file.header));
}

/** The first frame's RLE bytes: every fragment for a single frame, else the offset table or one fragment per frame. */
function rleFrame(file: DicomFile, name: string): Uint8Array {
  const { dataSet, header } = file;
  const pixels = file.pixelData as NonNullable<DicomFile['pixelData']>;
  const fragments = pixels.fragments ?? [];
  if (header.frames === 1) return readEncapsulatedPixelDataFromFragments(dataSet, pixels, 0, fragments.length);
  if ((pixels.basicOffsetTable ?? []).length > 0) return readEncapsulatedImageFrame(dataSet, pixels, 0);
  if (fragments.length === header.frames) return readEncapsulatedPixelDataFromFragments(dataSet, pixels, 0, 1);
  throw new DicomError(name, 'undecodable', `${header.frames} RLE frames in ${fragments.length} fragments without a basic offset table: the first frame cannot be found`);
}
