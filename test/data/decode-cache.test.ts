// The decoded-image cache: a hit gives the decoder's exact pixels without calling it (counted with an
// injected decoder, and shown by deleting the source image), other preprocessing misses, a corrupt or
// short entry is rebuilt, concurrent writers leave one whole file, and loadTensors uses it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { type DecodeOptions, type DecodedPixels, decodeImage, decodePixels } from '../../src/data/decode';
import { type PixelDecoder, cacheKey, cachePath, cachedLoader, decodeCached, emptyCacheStats } from '../../src/data/decode-cache';
import { disposeTensors, loadTensors } from '../../src/data/load-tensors';
import { dicomFile } from '../helpers/dicom-writer';
import { tempDir } from '../helpers/project';

const dir = tempDir('decode-cache');

/** A 24×16 RGB image with a different colour per pixel. */
async function colourPng(seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(24 * 16 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + seed * 31) & 255;
  return sharp(raw, { raw: { width: 24, height: 16, channels: 3 } }).png().toBuffer();
}

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** decodePixels, counting its calls. */
function countingDecoder(): { decoder: PixelDecoder; calls: () => number } {
  let n = 0;
  return {
    decoder: (source, options) => {
      n++;
      return decodePixels(source, options);
    },
    calls: () => n,
  };
}

/** Every cache file below `root`. */
function entries(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(root, f)).isFile());
}

test('a hit returns the decoded pixels exactly, without calling the decoder; other preprocessing misses', async () => {
  const cache = { dir: join(dir, 'c1') };
  const path = write('a.png', await colourPng(1));
  const counter = countingDecoder();
  const stats = emptyCacheStats();
  const options = (o: DecodeOptions) => ({ ...o, cache, stats, decoder: counter.decoder });
  const fresh = await decodePixels(path, { size: 12, channels: 3 });
  const first = await decodeCached({ path }, options({ size: 12, channels: 3 }));
  const second = await decodeCached({ path }, options({ size: 12, channels: 3 }));
  assert.equal(counter.calls(), 1, 'the second call is a hit');
  assert.deepEqual([stats.hits, stats.misses, stats.writeFailures], [1, 1, 0]);
  for (const got of [first, second]) {
    assert.equal(got.bits, 8);
    assert.deepEqual(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(fresh.data.buffer, fresh.data.byteOffset, fresh.data.byteLength));
  }
  for (const other of [{ size: 10, channels: 3 }, { size: 12, channels: 1 }, { size: 12, channels: 3, crop: 'pad' }] as DecodeOptions[]) {
    const before = counter.calls();
    await decodeCached({ path }, options(other));
    assert.equal(counter.calls(), before + 1, `${JSON.stringify(other)} misses`);
  }
  // crop 'centre' is the default: the same entry as no crop.
  await decodeCached({ path }, options({ size: 12, channels: 3, crop: 'centre' }));
  assert.equal(counter.calls(), 4);
  assert.equal(entries(cache.dir).length, 4, 'one file per preprocessing');
  assert.ok(entries(cache.dir).every((f) => f.endsWith('.px')), 'no temp files left');
});

test('16-bit sources are cached at 16 bits: a hit gives the same value / 65535 as decoding', async () => {
  const cache = { dir: join(dir, 'c16') };
  const values = Uint16Array.from({ length: 64 }, (_, i) => i * 1000 + 1);
  const path = write('g16.png', await sharp(values, { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('grey16').png().toBuffer());
  const dcm = write('g.dcm', dicomFile({ rows: 8, columns: 8, values: Array.from({ length: 64 }, (_, i) => i * 64), bitsAllocated: 16, bitsStored: 12 }));
  for (const file of [path, dcm]) {
    const counter = countingDecoder();
    const a = await decodeCached({ path: file }, { size: 8, channels: 1, cache, decoder: counter.decoder });
    const b = await decodeCached({ path: file }, { size: 8, channels: 1, cache, decoder: counter.decoder });
    assert.equal(counter.calls(), 1);
    assert.equal(b.bits, 16);
    assert.deepEqual(Array.from(b.data), Array.from(a.data));
    assert.deepEqual(Array.from(b.data, (v) => Math.fround(v / 65535)), Array.from(await decodeImage(file, { size: 8, channels: 1 })));
  }
  // The streaming pipeline's loader gives the cached integers, as one plane.
  const stats = emptyCacheStats();
  const load = cachedLoader(cache, stats);
  const loaded = await load({ path }, { size: 8, channels: 1 });
  assert.equal(loaded.planes, 1);
  assert.deepEqual(Array.from(loaded.data, (v) => Math.fround(v / 65535)), Array.from(await decodeImage(path, { size: 8, channels: 1 })));
  assert.deepEqual([stats.hits, stats.misses], [1, 0]);
});

test('grey decoded to 3 channels is stored as one plane and comes back as 3 equal channels', async () => {
  const cache = { dir: join(dir, 'cgrey') };
  const grey = Uint8Array.from({ length: 100 }, (_, i) => i * 2);
  const path = write('grey.png', await sharp(grey, { raw: { width: 10, height: 10, channels: 1 } }).png().toBuffer());
  const counter = countingDecoder();
  const options = { size: 10, channels: 3 as const, cache, decoder: counter.decoder };
  const miss = await decodeCached({ path }, options);
  const hit = await decodeCached({ path }, options);
  assert.equal(counter.calls(), 1);
  assert.deepEqual(Array.from(hit.data), Array.from(grey).flatMap((v) => [v, v, v]));
  assert.deepEqual(Array.from(hit.data), Array.from(miss.data));
  const [file] = entries(cache.dir);
  assert.equal(statSync(join(cache.dir, file!)).size, 16 + 100, 'a 16-byte header and one byte per pixel');
  const plane = await cachedLoader(cache)({ path }, options);
  assert.equal(plane.planes, 1, 'the loader keeps grey as one plane');
  assert.deepEqual(Array.from(plane.data), Array.from(grey));
});

test('a corrupt, short or foreign cache file is ignored and rewritten', async () => {
  const cache = { dir: join(dir, 'c2') };
  const path = write('b.png', await colourPng(2));
  const bytes = readFileSync(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const options = { size: 8, channels: 3 } as const;
  const file = cachePath(cache.dir, cacheKey(sha256, options));
  const counter = countingDecoder();
  const good = await decodeCached({ path, sha256 }, { ...options, cache, decoder: counter.decoder });
  const intact = readFileSync(file);
  const damages: [string, (b: Buffer) => Buffer][] = [
    ['a flipped pixel byte', (b) => Buffer.from(b).fill(b[40]! ^ 0xff, 40, 41)],
    ['cut short', (b) => b.subarray(0, b.length - 10)],
    ['empty', () => Buffer.alloc(0)],
    ['another size in its header', (b) => Buffer.from(b).fill(9, 8, 9)],
    ['not a cache file', () => Buffer.from('hello')],
  ];
  for (const [what, damage] of damages) {
    writeFileSync(file, damage(intact));
    const before = counter.calls();
    const again = await decodeCached({ path, sha256 }, { ...options, cache, decoder: counter.decoder });
    assert.equal(counter.calls(), before + 1, `${what}: decoded again`);
    assert.deepEqual(Array.from(again.data), Array.from(good.data), `${what}: right pixels`);
    assert.deepEqual(readFileSync(file), intact, `${what}: the entry is rewritten whole`);
  }
  await decodeCached({ path, sha256 }, { ...options, cache, decoder: counter.decoder });
  assert.equal(counter.calls(), 1 + damages.length, 'and is a hit again');
});

test('concurrent misses of one entry leave one whole file; a cache that cannot be written still decodes', async () => {
  const cache = { dir: join(dir, 'c3') };
  const path = write('c.png', await colourPng(3));
  const results = await Promise.all(Array.from({ length: 12 }, () => decodeCached({ path }, { size: 16, channels: 3, cache })));
  for (const r of results) assert.deepEqual(Array.from(r.data), Array.from(results[0]!.data));
  assert.deepEqual(entries(cache.dir).length, 1, 'one entry, no temp files');
  const blocked = write('not-a-folder', Buffer.from('a file where the cache folder should be'));
  const stats = emptyCacheStats();
  const pixels: DecodedPixels = await decodeCached({ path }, { size: 16, channels: 3, cache: { dir: blocked }, stats });
  assert.deepEqual(Array.from(pixels.data), Array.from(results[0]!.data));
  assert.deepEqual([stats.misses, stats.writeFailures], [1, 1]);
  assert.match(stats.firstWriteFailure ?? '', /not-a-folder/);
});

test('loadTensors: same tensors with and without the cache; with sha256 a hit reads no image at all', async () => {
  const cache = { dir: join(dir, 'c4') };
  const paths = await Promise.all([0, 1, 2, 3, 4].map(async (i) => write(`img-${i}.png`, await colourPng(10 + i))));
  const hash = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
  const labels = ['covid', 'pneumonia', 'normal', 'covid', 'normal'] as const;
  const list = paths.map((path, i) => ({ path, label: labels[i]!, sha256: hash(path) }));
  const options = { size: 20, channels: 3 as const, crop: 'pad' as const };

  const plain = await loadTensors(list, options);
  assert.equal(plain.cache, undefined, 'no cache unless asked');
  const first = await loadTensors(list, { ...options, cache });
  assert.deepEqual(first.cache, { hits: 0, misses: 5, writeFailures: 0, firstWriteFailure: null });
  for (const p of paths) rmSync(p); // a hit must not touch the image files
  const second = await loadTensors(list, { ...options, cache });
  assert.deepEqual(second.cache, { hits: 5, misses: 0, writeFailures: 0, firstWriteFailure: null });
  const expected = await plain.xs.data();
  assert.deepEqual(await first.xs.data(), expected);
  assert.deepEqual(await second.xs.data(), expected);
  assert.deepEqual(Array.from(second.labels), [0, 1, 2, 0, 2]);
  await assert.rejects(loadTensors(list, { ...options, cache, size: 21 }), /img-\d\.png: cannot read the file/, 'a different size misses, and the image is gone');
  for (const t of [plain, first, second]) disposeTensors(t);

  // Without sha256 the file is hashed: a changed file is a different entry.
  const path = write('changing.png', await colourPng(20));
  const unhashed = [{ path, label: 'covid' as const }];
  const a = await loadTensors(unhashed, { ...options, cache });
  const b = await loadTensors(unhashed, { ...options, cache });
  writeFileSync(path, await colourPng(21));
  const c = await loadTensors(unhashed, { ...options, cache });
  assert.deepEqual([a.cache?.misses, b.cache?.hits, c.cache?.misses], [1, 1, 1]);
  assert.notDeepEqual(await c.xs.data(), await a.xs.data());
  for (const t of [a, b, c]) disposeTensors(t);
});
