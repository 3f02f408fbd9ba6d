// Image decoding with sharp on images made here: every format read (PNG, JPEG, TIFF, WebP), 8- and
// 16-bit precision kept until the final scaling, alpha flattened onto black, CMYK to sRGB, EXIF
// orientation, the crop policies, the [0, 1] range, and clear errors for what is not read.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage, decodePixels } from '../../src/data/decode';
import { probeImage } from '../../src/data/probe';
import { ConfigError, DataError } from '../../src/errors';
import { tempDir } from '../helpers/project';

const dir = tempDir('decode');

/** An 8×8 grey gradient, row-major, all 64 values distinct. */
const gradient8 = Uint8Array.from({ length: 64 }, (_, i) => i * 4);

function greyRaw(data: Uint8Array | Uint16Array, width: number, height: number): sharp.Sharp {
  return sharp(data, { raw: { width, height, channels: 1 } });
}

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const scaled = (values: ArrayLike<number>, max: number): number[] => Array.from(values, (v) => Math.fround(v / max));

test('PNG, TIFF and lossless WebP decode exactly to value / 255; JPEG within its loss; from a path or bytes', async () => {
  const lossless: Record<string, Buffer> = {
    'g.png': await greyRaw(gradient8, 8, 8).toColourspace('b-w').png().toBuffer(),
    'g.tif': await greyRaw(gradient8, 8, 8).toColourspace('b-w').tiff({ compression: 'lzw' }).toBuffer(),
    'g.webp': await greyRaw(gradient8, 8, 8).webp({ lossless: true }).toBuffer(),
  };
  for (const [name, bytes] of Object.entries(lossless)) {
    const path = write(name, bytes);
    assert.deepEqual(Array.from(await decodeImage(path, { size: 8, channels: 1 })), scaled(gradient8, 255), name);
    assert.deepEqual(Array.from(await decodeImage(bytes, { size: 8, channels: 1, name })), scaled(gradient8, 255), `${name} as bytes`);
    const rgb = await decodeImage(path, { size: 8, channels: 3 });
    assert.deepEqual(Array.from(rgb), scaled(Array.from(gradient8).flatMap((v) => [v, v, v]), 255), `${name}: grey replicated to 3 channels`);
  }
  const jpeg = write('g.jpg', await greyRaw(gradient8, 8, 8).jpeg({ quality: 100 }).toBuffer());
  const decoded = await decodeImage(jpeg, { size: 8, channels: 1 });
  decoded.forEach((v, i) => assert.ok(Math.abs(v - (gradient8[i] as number) / 255) <= 3 / 255, `jpeg pixel ${i}: ${v * 255} vs ${gradient8[i]}`));
});

test('16-bit grey PNG and TIFF keep their precision: value / 65535, not the 8-bit value sharp gives by default', async () => {
  // Values that differ only below the top 8 bits: an 8-bit path would merge 256…511 and 1000/1001.
  const values = Uint16Array.from([0, 1, 255, 256, 511, 1000, 1001, 65535, 32768, 40000, 12345, 54321, 7, 8, 9, 65534]);
  const png16 = await greyRaw(values, 4, 4).toColourspace('grey16').png().toBuffer();
  const tif16 = await greyRaw(values, 4, 4).toColourspace('grey16').tiff({ compression: 'lzw' }).toBuffer();
  assert.deepEqual([(await sharp(png16).metadata()).depth, (await sharp(tif16).metadata()).depth], ['ushort', 'ushort'], 'the inputs really are 16-bit');
  // What sharp's raw() returns for 16-bit input without a 16-bit colourspace: 8-bit samples (≈ value / 257).
  const plain = await sharp(png16).toColourspace('b-w').raw().toBuffer();
  assert.deepEqual([plain[5], plain[6]], [4, 4], '1000 and 1001 collapse to 4 at 8 bits');
  for (const [name, bytes] of [['png', png16], ['tiff', tif16]] as const) {
    const pixels = await decodePixels(bytes, { size: 4, channels: 1, name });
    assert.equal(pixels.bits, 16, name);
    assert.deepEqual(Array.from(pixels.data), Array.from(values), `${name}: the 16-bit samples, unchanged`);
    const out = await decodeImage(bytes, { size: 4, channels: 1, name });
    assert.deepEqual(Array.from(out), scaled(values, 65535), `${name}: value / 65535`);
    assert.notEqual(out[5], out[6], `${name}: 1000 and 1001 stay apart`);
    const rgb = await decodePixels(bytes, { size: 4, channels: 3, name });
    assert.deepEqual(Array.from(rgb.data), Array.from(values).flatMap((v) => [v, v, v]), `${name}: 16-bit grey replicated to RGB`);
  }
  const rgb16 = await sharp(Uint16Array.from(Array.from(values).flatMap((v) => [v, v, v])), { raw: { width: 4, height: 4, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
  assert.deepEqual(Array.from((await decodePixels(rgb16, { size: 4, channels: 1, name: 'rgb16.png' })).data), Array.from(values), 'neutral 16-bit RGB to grey, exact');
});

test('8-bit output is Keras rescale=1/255; every output lies in [0, 1] with white at exactly 1', async () => {
  const bytes = await greyRaw(Uint8Array.from([0, 255, 128, 255]), 2, 2).png().toBuffer();
  assert.deepEqual(Array.from(await decodeImage(bytes, { size: 2, channels: 1 })), [0, 1, Math.fround(128 / 255), 1]);
  const white16 = await greyRaw(Uint16Array.from([65535, 0, 0, 65535]), 2, 2).toColourspace('grey16').png().toBuffer();
  assert.deepEqual(Array.from(await decodeImage(white16, { size: 2, channels: 1 })), [1, 0, 0, 1]);
});

test('RGBA is flattened onto black by its alpha: transparent is black, opaque keeps its value', async () => {
  const rgba = Buffer.from([200, 200, 200, 0, 200, 200, 200, 255, 200, 200, 200, 128, 10, 20, 30, 255]);
  const png = await sharp(rgba, { raw: { width: 2, height: 2, channels: 4 } }).png().toBuffer();
  const rgb = await decodePixels(png, { size: 2, channels: 3 });
  assert.deepEqual(Array.from(rgb.data.subarray(0, 6)), [0, 0, 0, 200, 200, 200]);
  assert.ok(Math.abs((rgb.data[6] as number) - 100) <= 1, `half-transparent 200 → about 100, got ${rgb.data[6]}`);
  assert.deepEqual(Array.from(rgb.data.subarray(9, 12)), [10, 20, 30], 'colour kept for 3 channels');
  const grey = await decodePixels(png, { size: 2, channels: 1 });
  assert.deepEqual([grey.data[0], grey.data[1]], [0, 200]);
  // 16-bit with alpha: flattened at 16 bits.
  const rgba16 = Uint16Array.from([40000, 40000, 40000, 0, 40000, 40000, 40000, 65535]);
  const png16 = await sharp(rgba16, { raw: { width: 2, height: 1, channels: 4 } }).toColourspace('rgb16').png().toBuffer();
  const out16 = await decodePixels(png16, { size: 2, channels: 1, crop: 'pad' });
  // 2×1 letterboxed into 2×2: one image row, one black row.
  assert.equal(out16.bits, 16);
  assert.deepEqual(Array.from(out16.data).sort((a, b) => a - b), [0, 0, 0, 40000], 'transparent → 0, opaque keeps 40000, the letterbox row is black');
});

test('CMYK is converted to sRGB: no ink is white, full black ink is dark', async () => {
  const cmyk = Buffer.alloc(8 * 8 * 4);
  for (let i = 32; i < 64; i++) cmyk[i * 4 + 3] = 255; // bottom half: K = 100 %
  const jpeg = await sharp(cmyk, { raw: { width: 8, height: 8, channels: 4 } }).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
  assert.equal((await sharp(jpeg).metadata()).space, 'cmyk');
  const out = await decodeImage(jpeg, { size: 8, channels: 3 });
  assert.equal(out.length, 8 * 8 * 3);
  for (let i = 0; i < 16 * 3; i++) assert.equal(out[i], 1, `top rows white at ${i}`);
  for (let i = 40 * 3; i < 64 * 3; i++) assert.ok((out[i] as number) < 0.1, `bottom rows dark at ${i}: ${out[i]}`);
  const grey = await decodeImage(jpeg, { size: 8, channels: 1 });
  assert.deepEqual([grey[0], (grey[63] as number) < 0.1], [1, true]);
});

test('EXIF orientation is applied before cropping (JPEG, PNG, WebP, TIFF)', async () => {
  // Stored 16×8: left half black, right half white. Orientation 6 displays it rotated 90° clockwise
  // (8 wide × 16 high): black on top, white below. The centre square then has 4 black rows over 4 white.
  const stored = new Uint8Array(16 * 8);
  for (let y = 0; y < 8; y++) stored.fill(255, y * 16 + 8, y * 16 + 16);
  const rotated = Array.from({ length: 64 }, (_, i) => (i < 32 ? 0 : 1));
  const unrotated = Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 0 : 1));
  const base = (): sharp.Sharp => greyRaw(stored, 16, 8).withMetadata({ orientation: 6 });
  const files: Record<string, Buffer> = {
    jpeg: await base().jpeg({ quality: 100 }).toBuffer(),
    png: await base().png().toBuffer(),
    webp: await base().webp({ lossless: true }).toBuffer(),
    tiff: await base().tiff({ compression: 'lzw' }).toBuffer(),
  };
  for (const [name, bytes] of Object.entries(files)) {
    assert.equal((await sharp(bytes).metadata()).orientation, 6, `${name} carries orientation 6`);
    const out = Array.from(await decodeImage(bytes, { size: 8, channels: 1, name }), (v) => Math.round(v));
    assert.deepEqual(out, rotated, `${name}: rotated`);
    assert.notDeepEqual(out, unrotated);
  }
});

test("crop: 'centre' cuts the long side, 'pad' letterboxes the whole film onto black", async () => {
  const landscape = await sharp({ create: { width: 16, height: 8, channels: 3, background: '#ffffff' } }).png().toBuffer();
  const portrait = await sharp({ create: { width: 8, height: 16, channels: 3, background: '#ffffff' } }).png().toBuffer();
  assert.deepEqual(Array.from(await decodeImage(landscape, { size: 8, channels: 1 })), new Array(64).fill(1), 'centre is the default');
  assert.deepEqual(Array.from(await decodeImage(landscape, { size: 8, channels: 1, crop: 'centre' })), new Array(64).fill(1));
  // 16×8 → 8×4 placed at rows 2–5; 8×16 → 4×8 placed at columns 2–5.
  const padded = Array.from(await decodeImage(landscape, { size: 8, channels: 1, crop: 'pad' }));
  assert.deepEqual(padded, Array.from({ length: 64 }, (_, i) => (i >= 16 && i < 48 ? 1 : 0)));
  const tall = Array.from(await decodeImage(portrait, { size: 8, channels: 3, crop: 'pad' }));
  assert.deepEqual(tall, Array.from({ length: 192 }, (_, i) => (Math.floor(i / 3) % 8 >= 2 && Math.floor(i / 3) % 8 < 6 ? 1 : 0)));
  // What is kept: a film with a black left quarter and a white rest keeps its black edge only with pad.
  const edge = new Uint8Array(16 * 8).fill(255);
  for (let y = 0; y < 8; y++) edge.fill(0, y * 16, y * 16 + 4);
  const film = await greyRaw(edge, 16, 8).png().toBuffer();
  const centre = await decodeImage(film, { size: 8, channels: 1, crop: 'centre' });
  assert.deepEqual(Array.from(centre), new Array(64).fill(1), 'the centre square misses the black edge');
  const pad = await decodeImage(film, { size: 8, channels: 1, crop: 'pad' });
  assert.deepEqual(Array.from(pad.subarray(16, 24), (v) => Math.round(v)), [0, 0, 1, 1, 1, 1, 1, 1], 'pad keeps it (the edge is resampled)');
});

/** A 2×2 TIFF with 32-bit float samples, written by hand (sharp writes 8-bit TIFFs from float input). */
function floatTiff(): Buffer {
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 2], // ImageWidth
    [257, 3, 1, 2], // ImageLength
    [258, 3, 1, 32], // BitsPerSample
    [259, 3, 1, 1], // Compression: none
    [262, 3, 1, 1], // PhotometricInterpretation: black is zero
    [273, 4, 1, 0], // StripOffsets, set below
    [277, 3, 1, 1], // SamplesPerPixel
    [278, 3, 1, 2], // RowsPerStrip
    [279, 4, 1, 16], // StripByteCounts
    [339, 3, 1, 3], // SampleFormat: IEEE float
  ];
  const ifdBytes = 2 + entries.length * 12 + 4;
  const dataOffset = 8 + ifdBytes;
  const buf = Buffer.alloc(dataOffset + 16);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  buf.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    buf.writeUInt16LE(tag, at);
    buf.writeUInt16LE(type, at + 2);
    buf.writeUInt32LE(count, at + 4);
    if (type === 3) buf.writeUInt16LE(value, at + 8);
    else buf.writeUInt32LE(tag === 273 ? dataOffset : value, at + 8);
  });
  [0, 0.5, 1, 0.25].forEach((v, i) => buf.writeFloatLE(v, dataOffset + 4 * i));
  return buf;
}

test('samples that are not 8- or 16-bit unsigned integers are refused with the file named, and skipped by the index', async () => {
  const path = write('float.tif', floatTiff());
  assert.equal((await sharp(path).metadata()).depth, 'float');
  const probe = await probeImage(path, { verify: 'header', minSize: 1, maxPixels: 100 });
  assert.deepEqual([probe.status, probe.reason, probe.format, probe.bitDepth], ['skipped', 'unsupported-pixels', 'tiff', 32]);
  assert.match(probe.detail ?? '', /samples are float; read are 8- and 16-bit unsigned integers/);
  await assert.rejects(decodeImage(path, { size: 2, channels: 1 }), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.match(err.message, /float\.tif: cannot decode image: samples are float; expected 8- or 16-bit unsigned integers/);
    return true;
  });
});

test('bad input: a non-image, a .dcm without DICM, a missing file, bad options — each a clear error', async () => {
  const text = write('notes.png', Buffer.from('not an image'));
  await assert.rejects(decodeImage(text, { size: 8, channels: 1 }), (err: unknown) => err instanceof DataError && err.path === text && /cannot decode image/.test(err.message));
  const fake = write('scan.dcm', Buffer.from('plain text, no DICOM preamble'));
  await assert.rejects(decodeImage(fake, { size: 8, channels: 1 }), /scan\.dcm: cannot decode image: a \.dcm file is expected to be DICOM Part 10, with 'DICM' at byte 128/);
  await assert.rejects(decodeImage(join(dir, 'gone.png'), { size: 8, channels: 1 }), /gone\.png: cannot read the file \(ENOENT/);
  const png = await greyRaw(gradient8, 8, 8).png().toBuffer();
  await assert.rejects(decodeImage(png, { size: 0, channels: 1 }), (err: unknown) => err instanceof ConfigError && /size: expected a positive integer, received 0/.test(err.message));
  await assert.rejects(decodeImage(png, { size: 8, channels: 2 as 1 }), /channels: expected 1 or 3, received 2/);
  await assert.rejects(decodeImage(png, { size: 8, channels: 1, crop: 'stretch' as 'pad' }), /crop: expected centre or pad, received stretch/);
});
