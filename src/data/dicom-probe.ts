// What the dataset index records of a DICOM file without decoding its pixels: size, bits stored and
// photometric interpretation from the header, a note on several frames, and why it cannot be used.
import { DicomError, type DicomFile, decodeProblem, parseDicomFile } from './dicom-header';

export interface DicomProbe {
  width: number | null;
  height: number | null;
  /** Samples per pixel. */
  channels: number | null;
  /** Bits Stored (0028,0101). */
  bitDepth: number | null;
  /** Photometric Interpretation (0028,0004), e.g. MONOCHROME1. */
  space: string | null;
  note: string | null;
  /** Why the pixels cannot be decoded; null when they can. */
  problem: DicomError | null;
}

/** Reads the header of a DICOM file's bytes. Never throws: a problem is returned. */
export function probeDicomBytes(bytes: Uint8Array, path: string): DicomProbe {
  let file: DicomFile;
  try {
    file = parseDicomFile(bytes, path);
  } catch (err) {
    const problem = err instanceof DicomError ? err : new DicomError(path, 'undecodable', `the DICOM header cannot be read (${String(err)})`, { cause: err });
    return { width: null, height: null, channels: null, bitDepth: null, space: null, note: null, problem };
  }
  const h = file.header;
  return {
    width: h.columns || null,
    height: h.rows || null,
    channels: h.samplesPerPixel,
    bitDepth: h.bitsStored || null,
    space: h.photometric || null,
    note: h.frames > 1 ? `${h.frames} frames; the first is read` : null,
    problem: decodeProblem(file, path),
  };
}
