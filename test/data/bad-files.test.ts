// A corpus of bad and unusual files, made here: every file is accounted for, each with the right status
// and reason, nothing crashes; strict: true fails once, listing them all.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { BadFilesError, buildIndex } from '../../src/data/build-index';
import { decodeImage } from '../../src/data/decode';
import { indexCounts } from '../../src/data/counts';
import type { IndexEntry, SkipReason } from '../../src/data/index-entry';
import { dataSummary, formatDataSummary } from '../../src/data/summary';
import { DataError } from '../../src/errors';
import { tempDir } from '../helpers/project';
import { folders, greyPng, indexOptions, solidPng, writeImage } from './corpus';

interface Expected {
  status: 'ok' | 'skipped';
  reason?: SkipReason;
  /** Checks on the entry beyond status and reason. */
  check?: (e: IndexEntry) => void;
}

let root: string;
const expected = new Map<string, Expected>();

/** A 64×64 grey PNG with a gradient, so its compressed data is not trivially small. */
const gradientPng = (): Promise<Buffer> => {
  const raw = Buffer.alloc(64 * 64);
  for (let i = 0; i < raw.length; i++) raw[i] = ((i % 64) * 7 + Math.floor(i / 64) * 13) & 255;
  return sharp(raw, { raw: { width: 64, height: 64, channels: 1 } }).png({ compressionLevel: 0 }).toBuffer();
};

before(async () => {
  root = tempDir('bad-files');
  const at = (rel: string, e: Expected): string => {
    expected.set(rel, e);
    return join(root, rel);
  };
  const gradient = await gradientPng();
  const jpeg = await sharp(gradient).jpeg().toBuffer();

  await writeImage(at('covid/ok.png', { status: 'ok', check: (e) => assert.deepEqual([e.width, e.height, e.bitDepth, e.note], [40, 40, 8, null]) }), greyPng(10));
  await writeImage(at('covid/zero.png', { status: 'skipped', reason: 'empty', check: (e) => assert.equal(e.bytes, 0) }), Buffer.alloc(0));
  await writeImage(
    at('covid/truncated.png', { status: 'skipped', reason: 'truncated', check: (e) => assert.match(e.detail ?? '', /IEND/) }),
    gradient.subarray(0, Math.floor(gradient.length / 2)),
  );
  await writeImage(at('covid/truncated.jpg', { status: 'skipped', reason: 'truncated', check: (e) => assert.match(e.detail ?? '', /end-of-image/) }), jpeg.subarray(0, jpeg.length - 100));
  await writeImage(at('covid/text.png', { status: 'skipped', reason: 'not-an-image', check: (e) => assert.match(e.detail ?? '', /unsupported image format/) }), Buffer.from('patient notes, not an image\n'));
  await writeImage(at('covid/drawing.png', { status: 'skipped', reason: 'unsupported-format', check: (e) => assert.equal(e.format, 'svg') }), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"/>'));
  const badHeader = Buffer.from(gradient);
  badHeader.fill(0xff, 16, 24); // width and height in IHDR, breaking its CRC
  await writeImage(at('covid/bad-header.png', { status: 'skipped', reason: 'undecodable', check: (e) => assert.equal(e.format, 'png') }), badHeader);
  const badData = Buffer.from(gradient);
  for (let i = 200; i < 400; i++) badData[i] = (i * 31) & 255; // inside IDAT; the header and IEND intact
  await writeImage(at('covid/bad-data.png', { status: 'ok' }), badData); // the header is fine: only verify: decode sees it
  await writeImage(
    at('covid/jpeg-named.png', { status: 'ok', check: (e) => assert.deepEqual([e.format, e.note], ['jpeg', 'extension .png but the content is jpeg']) }),
    jpeg,
  );
  await writeImage(
    at('covid/grey16.png', { status: 'ok', check: (e) => assert.deepEqual([e.bitDepth, e.channels, e.space], [16, 1, 'grey16']) }),
    sharp(gradient).toColourspace('grey16').png().toBuffer(),
  );
  await writeImage(
    at('pneumonia/rgba.png', { status: 'ok', check: (e) => assert.deepEqual([e.channels, e.space], [4, 'srgb']) }),
    sharp({ create: { width: 48, height: 48, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).png().toBuffer(),
  );
  await writeImage(
    at('pneumonia/cmyk.jpg', { status: 'ok', check: (e) => assert.deepEqual([e.format, e.channels, e.space], ['jpeg', 4, 'cmyk']) }),
    sharp(gradient).toColourspace('cmyk').jpeg().toBuffer(),
  );
  await writeImage(
    at('pneumonia/one.png', { status: 'skipped', reason: 'too-small', check: (e) => assert.match(e.detail ?? '', /1×1/) }),
    sharp({ create: { width: 1, height: 1, channels: 3, background: '#777' } }).png().toBuffer(),
  );
  const started = Date.now();
  await writeImage(at('normal/huge.png', { status: 'ok', check: (e) => assert.deepEqual([e.width, e.height], [10000, 10000]) }), solidPng(10000, 10000));
  assert.ok(Date.now() - started < 2000, 'the 10000² image is cheap to make');
  await writeImage(at('normal/ok.png', { status: 'ok' }), greyPng(200));
  await writeImage(at('normal/scan.bmp', { status: 'skipped', reason: 'unsupported-extension', check: (e) => assert.match(e.detail ?? '', /'\.bmp'/) }), Buffer.from('BM....'));
  await writeImage(at('normal/anim.gif', { status: 'skipped', reason: 'unsupported-extension', check: (e) => assert.match(e.detail ?? '', /content is gif/) }), sharp(gradient).gif().toBuffer());
  await writeImage(at('normal/labels.txt', { status: 'skipped', reason: 'unsupported-extension' }), Buffer.from('covid\n'));
  await writeImage(at('normal/.DS_Store', { status: 'skipped', reason: 'unsupported-extension' }), Buffer.from([0, 0, 0, 1]));
  symlinkSync(join(root, 'normal', 'gone.png'), at('normal/broken-link.png', { status: 'skipped', reason: 'unreadable', check: (e) => assert.match(e.detail ?? '', /broken link/) }));
  await writeImage(at('stray.png', { status: 'skipped', reason: 'outside-class-folder', check: (e) => assert.equal(e.label, null) }), greyPng(30));
  writeFileSync(join(root, 'README.md'), 'not part of the dataset\n'); // beside the classes, not an image: not indexed
});

/** Every file on disk below the root, relative, '/'-separated. */
function filesOnDisk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesOnDisk(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
  );
}

test('every file of the bad-file corpus is accounted for with its status and reason', async () => {
  const index = await buildIndex(indexOptions([folders('bad', root)]));
  const byRel = new Map(index.entries.map((e) => [e.relPath, e]));
  assert.deepEqual([...byRel.keys()].sort(), filesOnDisk(root).filter((f) => f !== 'README.md').sort());
  for (const [rel, want] of expected) {
    const e = byRel.get(rel) as IndexEntry;
    assert.equal(e.status, want.status, `${rel}: ${e.reason} ${e.detail}`);
    assert.equal(e.reason, want.reason ?? null, `${rel}: ${e.detail}`);
    if (want.status === 'skipped') assert.ok(e.detail, `${rel} says why`);
    want.check?.(e);
  }
  const counts = indexCounts(index.entries);
  assert.equal(counts.found, expected.size);
  assert.equal(counts.used + counts.skipped, counts.found);
  assert.equal(counts.used, [...expected.values()].filter((e) => e.status === 'ok').length);
  assert.deepEqual(counts.skippedByReason, {
    empty: 1,
    truncated: 2,
    'not-an-image': 1,
    'unsupported-format': 1,
    undecodable: 1,
    'too-small': 1,
    'unsupported-extension': 4,
    unreadable: 1,
    'outside-class-folder': 1,
  });
  // What the index calls ok, the training pipeline decodes (16-bit, RGBA, CMYK, a JPEG named .png, 10000²) —
  // except scrambled image data behind a good header, which only verify: decode finds (next test).
  for (const e of index.entries.filter((x) => x.status === 'ok' && x.relPath !== 'covid/bad-data.png')) {
    for (const channels of [1, 3] as const) assert.equal((await decodeImage(e.path, { size: 8, channels })).length, 64 * channels, e.relPath);
  }
  await assert.rejects(decodeImage(join(root, 'covid/bad-data.png'), { size: 8, channels: 1 }), /cannot decode image/);
  const text = formatDataSummary(dataSummary(index));
  assert.match(text, new RegExp(`^data: ${expected.size} files found, ${counts.used} used, ${counts.skipped} skipped$`, 'm'));
  assert.match(text, /covid\/zero\.png: empty — zero-byte file/);
  assert.match(text, /jpeg-named\.png: extension \.png but the content is jpeg/);
});

test('verify: decode also finds image data that cannot be decoded; maxPixels skips the huge image', async () => {
  const index = await buildIndex(indexOptions([folders('bad', root)], { verify: 'decode', maxPixels: 50_000_000 }));
  const byRel = new Map(index.entries.map((e) => [e.relPath, e]));
  assert.equal(byRel.get('covid/bad-data.png')?.reason, 'undecodable');
  assert.match(byRel.get('covid/bad-data.png')?.detail ?? '', /decoding fails/);
  assert.equal(byRel.get('normal/huge.png')?.reason, 'too-large');
  for (const rel of ['covid/ok.png', 'covid/jpeg-named.png', 'covid/grey16.png', 'pneumonia/rgba.png', 'pneumonia/cmyk.jpg', 'normal/ok.png']) {
    assert.equal(byRel.get(rel)?.status, 'ok', rel);
  }
});

test('strict: true fails once, listing every bad file with its reason', async () => {
  const bad = [...expected].filter(([, e]) => e.status === 'skipped').map(([rel]) => rel);
  await assert.rejects(buildIndex(indexOptions([folders('bad', root)], { strict: true })), (err: unknown) => {
    assert.ok(err instanceof BadFilesError);
    assert.deepEqual(err.entries.map((e) => e.relPath).sort(), bad.sort());
    for (const rel of bad) assert.ok(err.message.includes(join(root, rel)), `${rel} is listed`);
    assert.match(err.message, /strict: 13 bad file\(s\)/);
    assert.match(err.message, /zero\.png: empty \(zero-byte file\)/);
    return true;
  });
});

test('a class with no usable image is an error naming it and what was found', async () => {
  const dir = tempDir('empty-class');
  await writeImage(join(dir, 'covid', 'a.png'), greyPng(1));
  await writeImage(join(dir, 'pneumonia', 'a.png'), greyPng(2));
  await writeImage(join(dir, 'normal', 'zero.png'), Buffer.alloc(0));
  await writeImage(join(dir, 'normal', 'text.jpg'), Buffer.from('text'));
  mkdirSync(join(dir, 'normal', 'empty-sub'));
  await assert.rejects(buildIndex(indexOptions([folders('d', dir)])), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.match(err.message, /no usable images for class 'normal' \(2 found, all skipped: not-an-image 1, empty 1\)/);
    return true;
  });
  // Nothing on disk was changed by indexing.
  assert.equal(readFileSync(join(dir, 'normal', 'text.jpg'), 'utf8'), 'text');
});
