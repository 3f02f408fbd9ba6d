// The dataset index's record types: one IndexEntry per file found (used or skipped, with the reason),
// the split names, and the skip reasons with what each means. Types and constants only.
import type { ClassName } from './classes';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** Why a file found in a source is not used, and what that means. */
export const SKIP_REASONS = {
  empty: 'zero-byte file',
  truncated: 'the file ends before its image data does',
  'not-an-image': 'the content is not an image',
  undecodable: 'an image whose header or data cannot be decoded',
  'unsupported-extension': 'the file extension is not one of the image types read',
  'unsupported-format': 'an image format that is not read (only PNG, JPEG, TIFF, WebP, DICOM)',
  'unsupported-compression': 'DICOM pixel data in a compressed transfer syntax that is not decoded (JPEG, JPEG-LS, JPEG 2000, …)',
  'unsupported-pixels': 'pixels that are not read: float or 32-bit samples, colour or palette DICOM, more than 16 bits allocated',
  'too-small': 'smaller than data.minSize on a side',
  'too-large': 'more pixels than data.maxPixels',
  unreadable: 'cannot be read (permissions, a broken link, not a regular file)',
  missing: 'listed in a CSV but not on disk',
  'outside-class-folder': 'an image that is not inside any class folder',
  'duplicate-row': 'listed again in the same CSV',
  'excluded-label': 'its folder or finding maps to `exclude` in the label map',
  'excluded-view': 'its view is not in data views filter',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

/** Skip reasons that mean a bad input file (`strict: true` fails on them); the others are the config's own filters. */
export const BAD_FILE_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'empty',
  'truncated',
  'not-an-image',
  'undecodable',
  'unsupported-extension',
  'unsupported-format',
  'unsupported-compression',
  'unsupported-pixels',
  'too-small',
  'too-large',
  'unreadable',
  'missing',
  'outside-class-folder',
  'duplicate-row',
]);

/** What a source says about one file, before it is read. */
export interface SourceFacts {
  /** Absolute path, inside its source's root. */
  path: string;
  /** Path relative to the source root, '/'-separated: the stable key (manifests, split files). */
  relPath: string;
  /** The config source it came from (`data.sources[].name`). */
  dataset: string;
  /** Source tag for stratification and per-source results: the manifest/CSV source column (renamed by
   * `sourceNames`) where there is one, else the dataset name. */
  source: string;
  /** Its class; null when it has none (excluded, outside class folders). */
  label: ClassName | null;
  /** The folder name or CSV finding the label came from. */
  rawLabel: string | null;
  /** Patient (group) id from a manifest or CSV; null = the image is its own group. */
  patientId: string | null;
  view: string | null;
  /** Split fixed by the data (a train/ val/ test/ folder, a CSV split column, the source's `split`); null = the splitter chooses. */
  fixedSplit: SplitName | null;
}

/** What reading one file found. */
export interface Probe {
  status: 'ok' | 'skipped';
  reason: SkipReason | null;
  /** What exactly is wrong (sharp's message, the sizes, the label), for skipped files. */
  detail: string | null;
  /** Format by content (sharp's name: png, jpeg, tiff, webp, …). */
  format: string | null;
  width: number | null;
  height: number | null;
  channels: number | null;
  /** Bits per sample (8, 16, …). */
  bitDepth: number | null;
  /** sharp's colour space (b-w, srgb, cmyk, grey16, …). */
  space: string | null;
  bytes: number | null;
  /** sha256 of the file's bytes, hex. */
  sha256: string | null;
  /** Something worth knowing about a used file, e.g. `extension .png but the content is jpeg`. */
  note: string | null;
}

/** One file of a source, as found: what the source says about it and what probing found. */
export interface IndexEntry extends SourceFacts, Probe {}

/** What the training code needs of an image: where it is and its class. */
export interface ImageEntry {
  /** Absolute path of the image file. */
  path: string;
  label: ClassName;
}

/** A used entry: it has a class and was read. Assignable to `ImageEntry`. */
export type IndexedImage = IndexEntry & { status: 'ok'; label: ClassName; sha256: string };

export function isUsable(entry: IndexEntry): entry is IndexedImage {
  return entry.status === 'ok' && entry.label !== null && entry.sha256 !== null;
}

/** The index of all sources: every file found, plus notes that are not about one file. */
export interface DatasetIndex {
  entries: IndexEntry[];
  /** E.g. manifest rows that name no file on disk, files without a manifest row. */
  warnings: string[];
}

/** What a source says about one file before it is read; the index builder probes it into an IndexEntry. */
export interface Candidate extends SourceFacts {
  /** Decided without reading the file (excluded, missing, duplicate row, …); the file is still hashed when it exists. */
  skip: { reason: SkipReason; detail: string } | null;
}
