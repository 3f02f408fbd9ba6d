// DICOM transfer syntaxes: each UID's name (PS3.6 annex A), and how the pixel data of the ones that are
// decoded here is laid out. Constants and look-ups only.

/** How a decoded transfer syntax stores its pixel data. */
export type PixelEncoding = 'native-little-endian' | 'native-big-endian' | 'rle';

const DECODED: Readonly<Record<string, PixelEncoding>> = {
  '1.2.840.10008.1.2': 'native-little-endian',
  '1.2.840.10008.1.2.1': 'native-little-endian',
  '1.2.840.10008.1.2.1.99': 'native-little-endian', // the data set is deflated; the parser inflates it
  '1.2.840.10008.1.2.2': 'native-big-endian',
  '1.2.840.10008.1.2.5': 'rle',
};

const NAMES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.98': 'Encapsulated Uncompressed Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Lossy (Near-Lossless)',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile / Level 5.1',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile / Level 5.1',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.111': 'JPEG XL JPEG Recompression',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** The transfer syntax's name, or a phrase saying the UID is not a known one. */
export function transferSyntaxName(uid: string): string {
  return NAMES[uid] ?? 'not a known transfer syntax';
}

/** `1.2.840.10008.1.2.4.70 (JPEG Lossless, …)`: the UID with its name, for messages. */
export function describeTransferSyntax(uid: string): string {
  return `${uid} (${transferSyntaxName(uid)})`;
}

/** How the pixel data is stored, for transfer syntaxes that are decoded; null for the others. */
export function pixelEncoding(uid: string): PixelEncoding | null {
  return DECODED[uid] ?? null;
}

/** The decoded transfer syntaxes, named, for messages. */
export const DECODED_TRANSFER_SYNTAXES: readonly string[] = Object.keys(DECODED).map((uid) => NAMES[uid] as string);
