// Test data for the dataset index: small images made with sharp, a large PNG written by hand (cheap),
// index options with the schema's defaults, and IndexEntry records for the pure split tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { type ClassName } from '../../src/data/classes';
import { dataSchema } from '../../src/data/config';
import type { IndexOptions } from '../../src/data/build-index';
import type { IndexEntry, SplitName } from '../../src/data/index-entry';

/** A `size`×`size` grey PNG whose content is unique per `shade` (0–255) and `size`. */
export function greyPng(shade: number, size = 40): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

export async function writeImage(path: string, data: Buffer | Promise<Buffer>): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await data);
  return path;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A solid black 8-bit greyscale PNG of any size, written directly (10000² takes ~0.1 s, ~0.4 MB). */
export function solidPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height); // filter byte 0 + zero pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 1 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Index options for `sources`, with every other option at the schema's default. */
export function indexOptions(sources: unknown[], extra: Record<string, unknown> = {}): IndexOptions {
  return dataSchema.parse({ sources, ...extra });
}

/** The folders source of `dir` with the schema's defaults. */
export function folders(name: string, dir: string, extra: Record<string, unknown> = {}): unknown {
  return { kind: 'folders', name, dir, ...extra };
}

let counter = 0;
/** A used index entry for the pure split tests; the content hash is unique unless given. */
export function entry(label: ClassName, fields: Partial<IndexEntry> & { fixedSplit?: SplitName | null } = {}): IndexEntry {
  const n = counter++;
  const dataset = fields.dataset ?? 'd';
  const relPath = fields.relPath ?? `${label}/${String(n).padStart(5, '0')}.png`;
  return {
    path: join('/data', dataset, relPath),
    relPath,
    dataset,
    source: dataset,
    label,
    rawLabel: label,
    patientId: null,
    view: null,
    fixedSplit: null,
    status: 'ok',
    reason: null,
    detail: null,
    format: 'png',
    width: 64,
    height: 64,
    channels: 1,
    bitDepth: 8,
    space: 'b-w',
    bytes: 100,
    sha256: `hash-${n}`,
    note: null,
    ...fields,
  };
}
