// DICOM on files written here (test/helpers/dicom-writer): exact grey values through bits stored,
// sign, rescale, window and MONOCHROME1; every decoded transfer syntax giving the same pixels; compressed
// ones refused with their UID and name; the decode → resize path; the index's probe of DICOM files.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildIndex } from '../../src/data/build-index';
import { decodeImage, decodePixels } from '../../src/data/decode';
import { DicomError, decodeDicom } from '../../src/data/dicom';
import { BAD_FILE_REASONS, SKIP_REASONS } from '../../src/data/index-entry';
import { IMAGE_EXTENSIONS } from '../../src/data/image-types';
import { type ProbeOptions, probeImage } from '../../src/data/probe';
import { DataError } from '../../src/errors';
import { type DicomSpec, TS, dicomFile, packBits } from '../helpers/dicom-writer';
import { tempDir } from '../helpers/project';
import { folders, indexOptions } from './corpus';

const dir = tempDir('dicom');
const PROBE: ProbeOptions = { verify: 'header', minSize: 2, maxPixels: 1_000_000 };

/** 12 bits stored in 16, with junk in the 4 bits above HighBit (overlay bits a reader must mask). */
const twelveBit: DicomSpec = { rows: 2, columns: 2, values: [0, 1365, 2730, 4095], bitsAllocated: 16, bitsStored: 12, junkHighBits: true };

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

const grey = (spec: DicomSpec): number[] => Array.from(decodeDicom(dicomFile(spec), 'test.dcm').data);

test('12-bit stored in 16 without a window: min–max of the values onto 0…65535, high bits masked', () => {
  assert.deepEqual(grey(twelveBit), [0, 21845, 43690, 65535]);
  assert.deepEqual(grey({ ...twelveBit, photometric: 'MONOCHROME1' }), [65535, 43690, 21845, 0], 'MONOCHROME1 is inverted: 0 is white');
  // The range is the frame's own: 1000…3000 spans the whole output.
  assert.deepEqual(grey({ ...twelveBit, rows: 1, columns: 3, values: [1000, 2000, 3000] }), [0, 32768, 65535]);
  // High Bit 13 with Bits Stored 12: the samples sit two bits up.
  assert.deepEqual(grey({ ...twelveBit, highBit: 13 }), [0, 21845, 43690, 65535]);
  // A negative slope reverses the values before the min–max.
  assert.deepEqual(grey({ ...twelveBit, slope: -1, intercept: 0 }), [65535, 43690, 21845, 0]);
  // A constant frame has no range: all black.
  assert.deepEqual(grey({ ...twelveBit, values: [7, 7, 7, 7] }), [0, 0, 0, 0]);
});

test('8-bit and signed pixels', () => {
  assert.deepEqual(grey({ rows: 2, columns: 2, values: [0, 51, 102, 255], bitsAllocated: 8 }), [0, 13107, 26214, 65535]);
  assert.deepEqual(grey({ rows: 1, columns: 3, values: [-2048, 0, 2047], bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, junkHighBits: true }), [0, 32776, 65535]);
  assert.deepEqual(grey({ rows: 1, columns: 3, values: [-128, 0, 127], bitsAllocated: 8, pixelRepresentation: 1 }), [0, 32896, 65535]);
});

test('rescale slope/intercept then the window (first of several pairs); LINEAR, LINEAR_EXACT and SIGMOID', () => {
  // Modality = 2 × stored − 1000; window centre 1000.5, width 2001 (LINEAR): 0 → 0, 1000 → 32768, 1500 → 49151, ≥ 2000 → 65535.
  const spec: DicomSpec = {
    rows: 3,
    columns: 3,
    values: [-100, 250, 500, 1000, 1250, 1500, 1750, 0, 0],
    bitsAllocated: 16,
    pixelRepresentation: 1,
    slope: 2,
    intercept: -1000,
    window: { center: 1000.5, width: 2001, extra: { center: 0, width: 10 } },
  };
  assert.deepEqual(grey(spec), [0, 0, 0, 32768, 49151, 65535, 65535, 0, 0]);
  assert.deepEqual(grey({ ...spec, photometric: 'MONOCHROME1' }), [65535, 65535, 65535, 32767, 16384, 0, 0, 65535, 65535]);
  const ramp: DicomSpec = { rows: 1, columns: 6, values: [0, 500, 1000, 1500, 2000, 2500], bitsAllocated: 16 };
  assert.deepEqual(grey({ ...ramp, window: { center: 1000, width: 2000 } }), [0, 16392, 32784, 49176, 65535, 65535], 'LINEAR (PS3.3 C.11.2.1.2.1)');
  assert.deepEqual(grey({ ...ramp, window: { center: 1000, width: 2000, fn: 'LINEAR_EXACT' } }), [0, 16384, 32768, 49151, 65535, 65535]);
  const sigmoid = grey({ ...ramp, window: { center: 1000, width: 100, fn: 'SIGMOID' } });
  assert.deepEqual([sigmoid[0], sigmoid[2], sigmoid[5]], [0, 32768, 65535]);
  // A width below 1 is not a LINEAR window: min–max instead.
  assert.deepEqual(grey({ ...ramp, window: { center: 1000, width: 0.5 } }), [0, 13107, 26214, 39321, 52428, 65535]);
});

test('every decoded transfer syntax gives the same pixels: implicit, explicit, deflated, big endian, RLE Lossless', () => {
  const specs: DicomSpec[] = [
    twelveBit,
    { rows: 2, columns: 3, values: [0, 51, 102, 153, 204, 255], bitsAllocated: 8, photometric: 'MONOCHROME1' },
    // 8×8: four constant rows (replicate runs) over a ramp (literal runs), 12-bit MONOCHROME1 with a window.
    {
      rows: 8,
      columns: 8,
      values: Array.from({ length: 64 }, (_, i) => (i < 32 ? 100 : 64 * (i - 32))),
      bitsAllocated: 16,
      bitsStored: 12,
      photometric: 'MONOCHROME1',
      window: { center: 1024, width: 2048 },
      junkHighBits: true,
    },
  ];
  for (const spec of specs) {
    const expected = grey(spec);
    for (const ts of [TS.implicit, TS.deflated, TS.bigEndian, TS.rle]) {
      assert.deepEqual(grey({ ...spec, transferSyntax: ts }), expected, `${ts}, ${spec.rows}×${spec.columns}`);
    }
  }
  const plane = Uint8Array.from(specs[2]!.values.map((v) => v & 0xff));
  const packed = packBits(plane);
  assert.deepEqual([packed[0], packed[1], packed[2]], [257 - 32, 100, 31], 'the RLE test data has a 32-byte replicate run, then a 32-byte literal run');
  // The ramp exactly: MONOCHROME1, window 1024 ± 1024 over stored 0…1984.
  assert.deepEqual(grey(specs[2]!).slice(32, 35), [65535, 65535 - Math.round(((64 - 1023.5) / 2047 + 0.5) * 65535), 65535 - Math.round(((128 - 1023.5) / 2047 + 0.5) * 65535)]);
  // Several frames: the first is read.
  assert.deepEqual(grey({ ...twelveBit, frames: 3 }), [0, 21845, 43690, 65535]);
  assert.deepEqual(grey({ ...twelveBit, frames: 3, transferSyntax: TS.rle }), [0, 21845, 43690, 65535]);
});

test('compressed transfer syntaxes that are not decoded: a DicomError naming the file, the UID and its name', async () => {
  const cases: [string, RegExp][] = [
    [TS.jpegBaseline, /1\.2\.840\.10008\.1\.2\.4\.50 \(JPEG Baseline \(Process 1\)\)/],
    [TS.jpegLossless, /1\.2\.840\.10008\.1\.2\.4\.70 \(JPEG Lossless, Non-Hierarchical, First-Order Prediction/],
    [TS.jpeg2000, /1\.2\.840\.10008\.1\.2\.4\.90 \(JPEG 2000 \(Lossless Only\)\)/],
    ['1.2.3.4.5.6', /1\.2\.3\.4\.5\.6 \(not a known transfer syntax\)/],
  ];
  for (const [ts, uid] of cases) {
    const path = write(`compressed-${ts}.dcm`, dicomFile({ ...twelveBit, transferSyntax: ts, encapsulated: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]) }));
    await assert.rejects(decodeImage(path, { size: 4, channels: 1 }), (err: unknown) => {
      assert.ok(err instanceof DicomError && err instanceof DataError, String(err));
      assert.equal(err.path, path);
      assert.equal(err.reason, 'unsupported-compression');
      assert.match(err.message, uid);
      assert.match(err.message, /cannot be decoded; decoded are Implicit VR Little Endian, .*RLE Lossless/);
      return true;
    });
    const probe = await probeImage(path, PROBE);
    assert.deepEqual([probe.status, probe.reason, probe.format, probe.width, probe.height, probe.bitDepth, probe.space], ['skipped', 'unsupported-compression', 'dicom', 2, 2, 12, 'MONOCHROME2']);
    assert.match(probe.detail ?? '', uid);
  }
  assert.ok(BAD_FILE_REASONS.has('unsupported-compression') && BAD_FILE_REASONS.has('unsupported-pixels'));
  assert.match(SKIP_REASONS['unsupported-compression'], /JPEG 2000/);
});

test('decodeImage: DICOM goes through the same resize, crop and channels as other images, from a path or bytes', async () => {
  const spec: DicomSpec = { rows: 4, columns: 4, values: Array.from({ length: 16 }, (_, i) => i * 273), bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME1' };
  const expected = decodeDicom(dicomFile(spec), 'x.dcm').data;
  assert.deepEqual(Array.from(expected), Array.from({ length: 16 }, (_, i) => 65535 - i * 4369), 'min–max of 0…4095 in steps of 273, inverted');
  const path = write('square.dcm', dicomFile(spec));
  const pixels = await decodePixels(path, { size: 4, channels: 1 });
  assert.deepEqual([pixels.bits, Array.from(pixels.data)], [16, Array.from(expected)], 'at its own size the grey passes unchanged, at 16 bits');
  assert.deepEqual(Array.from(await decodeImage(path, { size: 4, channels: 1 })), Array.from(expected, (v) => Math.fround(v / 65535)));
  const upload = await decodeImage(dicomFile(spec), { size: 4, channels: 3, name: 'upload.dcm' });
  assert.deepEqual(Array.from(upload), Array.from(expected).flatMap((v) => [v, v, v].map((x) => Math.fround(x / 65535))), 'bytes (an upload), grey replicated');
  // A non-DICOM name is fine: the content decides.
  assert.equal((await decodeImage(write('IM0001', dicomFile(spec)), { size: 2, channels: 1 })).length, 4);
  // 8 wide × 4 high, all white, letterboxed: rows 0–1 and 6–7 black.
  const wide = write('wide.dcm', dicomFile({ rows: 4, columns: 8, values: new Array(32).fill(255), bitsAllocated: 8, window: { center: 127.5, width: 256 } }));
  const padded = Array.from(await decodeImage(wide, { size: 8, channels: 1, crop: 'pad' }));
  assert.deepEqual(padded, Array.from({ length: 64 }, (_, i) => (i >= 16 && i < 48 ? 1 : 0)));
  assert.deepEqual(Array.from(await decodeImage(wide, { size: 4, channels: 1, crop: 'centre' })), new Array(16).fill(1));
});

test('probe: DICOM header facts; bad DICOM files skipped with the right reason', async () => {
  const ok = await probeImage(write('p/ok.dcm', dicomFile({ ...twelveBit, photometric: 'MONOCHROME1' })), { ...PROBE, verify: 'decode' });
  assert.deepEqual(
    [ok.status, ok.reason, ok.format, ok.width, ok.height, ok.channels, ok.bitDepth, ok.space, ok.note],
    ['ok', null, 'dicom', 2, 2, 1, 12, 'MONOCHROME1', null],
  );
  assert.match(ok.sha256 ?? '', /^[0-9a-f]{64}$/);
  const wide = await probeImage(write('p/wide.dcm', dicomFile({ ...twelveBit, rows: 2, columns: 3, values: [0, 1, 2, 3, 4, 5], frames: 2 })), PROBE);
  assert.deepEqual([wide.status, wide.width, wide.height, wide.note], ['ok', 3, 2, '2 frames; the first is read']);
  const unnamed = await probeImage(write('p/IM0001', dicomFile(twelveBit)), PROBE);
  assert.deepEqual([unnamed.status, unnamed.format, unnamed.note], ['ok', 'dicom', 'extension (none) but the content is dicom']);

  const full = dicomFile(twelveBit);
  const skipped: [string, Buffer, string, RegExp, Partial<ProbeOptions>?][] = [
    ['truncated.dcm', full.subarray(0, full.length - 3), 'truncated', /buffer overrun/],
    ['text.dcm', Buffer.from('not dicom at all'), 'not-an-image', /without 'DICM' at byte 128/],
    ['rgb.dcm', dicomFile({ rows: 2, columns: 2, values: new Array(12).fill(0), bitsAllocated: 8, samplesPerPixel: 3, photometric: 'RGB' }), 'unsupported-pixels', /photometric interpretation RGB with 3 sample\(s\)/],
    ['no-pixels.dcm', dicomFile({ ...twelveBit, noPixelData: true }), 'not-an-image', /without Pixel Data \(7FE0,0010\)/],
    ['small.dcm', dicomFile(twelveBit), 'too-small', /2×2: a side is shorter than minSize 4/, { minSize: 4 }],
    ['bits.dcm', dicomFile({ ...twelveBit, bitsStored: 17 }), 'undecodable', /Bits Stored 17 with High Bit 16 does not fit in Bits Allocated 16/],
  ];
  for (const [name, bytes, reason, detail, extra] of skipped) {
    const p = await probeImage(write(`p/${name}`, bytes), { ...PROBE, ...extra });
    assert.deepEqual([p.status, p.reason], ['skipped', reason], `${name}: ${p.detail}`);
    assert.match(p.detail ?? '', detail, name);
  }
  // RLE data that breaks only when decoded: verify: header accepts it, verify: decode does not.
  const rle = dicomFile({ ...twelveBit, transferSyntax: TS.rle });
  const header = rle.indexOf(Buffer.from([2, 0, 0, 0, 64, 0, 0, 0])); // the RLE header: 2 segments, the first at 64
  assert.ok(header > 0);
  rle.writeUInt32LE(60_000, header + 8); // the second segment starts past the frame's end: the first runs over it
  const bad = write('p/bad-rle.dcm', rle);
  assert.equal((await probeImage(bad, PROBE)).status, 'ok');
  const decoded = await probeImage(bad, { ...PROBE, verify: 'decode' });
  assert.deepEqual([decoded.status, decoded.reason], ['skipped', 'undecodable']);
  assert.match(decoded.detail ?? '', /^decoding fails: RLE Lossless pixel data: segment 1 spans bytes 64–60000 of a 76-byte frame$/);
  await assert.rejects(decodeImage(bad, { size: 2, channels: 1 }), /bad-rle\.dcm: RLE Lossless pixel data: segment 1 spans/);
});

test('the index reads .dcm files in class folders like any other image', async () => {
  const root = join(dir, 'dataset');
  write('dataset/covid/a.dcm', dicomFile(twelveBit));
  write('dataset/pneumonia/b.dcm', dicomFile({ ...twelveBit, transferSyntax: TS.rle }));
  write('dataset/normal/IM0001', dicomFile({ ...twelveBit, transferSyntax: TS.implicit }));
  write('dataset/normal/c.dcm', dicomFile({ ...twelveBit, transferSyntax: TS.jpeg2000, encapsulated: Buffer.from([1, 2, 3, 4]) }));
  assert.ok(IMAGE_EXTENSIONS.has('.dcm'));
  const index = await buildIndex(indexOptions([folders('d', root)], { minSize: 2 }));
  const byRel = Object.fromEntries(index.entries.map((e) => [e.relPath, e]));
  assert.deepEqual([byRel['covid/a.dcm']?.status, byRel['covid/a.dcm']?.label, byRel['covid/a.dcm']?.format], ['ok', 'covid', 'dicom']);
  assert.equal(byRel['pneumonia/b.dcm']?.status, 'ok');
  assert.deepEqual([byRel['normal/IM0001']?.status, byRel['normal/IM0001']?.format], ['ok', 'dicom'], 'DICOM without an extension, by its content');
  assert.deepEqual([byRel['normal/c.dcm']?.status, byRel['normal/c.dcm']?.reason], ['skipped', 'unsupported-compression']);
});
