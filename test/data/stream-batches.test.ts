import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { augmentedBatches } from '../../src/augment/augmented-batches';
import { makeAugmenter } from '../../src/augment/augmenter';
import { CLASS_NAMES } from '../../src/data/classes';
import { cachedLoader } from '../../src/data/decode-cache';
import type { ImageEntry } from '../../src/data/index-entry';
import { disposeTensors, loadTensors } from '../../src/data/load-tensors';
import type { PlanePixels } from '../../src/data/planes';
import { streamBatches } from '../../src/data/stream-batches';
import { tf } from '../../src/native/tf';
import { expandPlanes, memoryBatches } from '../../src/train/memory-batches';
import { tempDir } from '../helpers/project';
import { greyPng, writeImage } from './corpus';

const decode = { size: 16, channels: 1 } as const;

async function corpus(perClass: number): Promise<ImageEntry[]> {
  const root = tempDir('stream');
  const entries: ImageEntry[] = [];
  for (const [c, label] of CLASS_NAMES.entries()) {
    for (let i = 0; i < perClass; i++) entries.push({ path: await writeImage(join(root, label, `${i}.png`), greyPng(c * 60 + i * 5, 20)), label });
  }
  return entries;
}

test('streamed batches equal the in-memory batches of the same seed and epoch', async () => {
  const entries = await corpus(5);
  const memory = await loadTensors(entries, decode);
  const fromMemory = memoryBatches(memory.xs, memory.ys, { seed: 9 });
  const streamed = streamBatches(entries, { decode, seed: 9, prefetch: 1 });
  assert.equal(streamed.size, 15);
  for (const epoch of [0, 3]) {
    const a: number[][] = [];
    const b: number[][] = [];
    for await (const { xs, ys } of fromMemory.batches(epoch, 4)) a.push([...xs.dataSync(), ...ys.dataSync()]);
    for await (const { xs, ys } of streamed.batches(epoch, 4)) b.push([...xs.dataSync(), ...ys.dataSync()]);
    assert.equal(b.length, 4);
    assert.deepEqual(b, a);
  }
  disposeTensors(memory);
});

test('reads stay within prefetch + 1 batches, a stopped epoch leaks no tensor, and a failed read names the file', async () => {
  const entries = await corpus(8);
  let inFlight = 0;
  let most = 0;
  let failing = false;
  const load = async (e: ImageEntry): Promise<PlanePixels> => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    if (failing && e.path.endsWith(join('normal', '7.png'))) throw new Error(`${e.path}: cannot decode image`);
    return { bits: 8, data: new Uint8Array(16 * 16).fill(128), planes: 1 };
  };
  const source = streamBatches(entries, { decode, seed: 1, prefetch: 1, concurrency: 8, load });
  const before = tf.memory().numTensors;
  let seen = 0;
  for await (const batch of source.batches(0, 3)) {
    assert.deepEqual(batch.xs.shape, [3, 16, 16, 1]);
    if (++seen === 2) break;
  }
  assert.equal(tf.memory().numTensors, before, 'the batches of a stopped epoch are disposed');
  assert.ok(most <= 6, `at most (prefetch + 1) × batch size = 6 reads at once, saw ${most}`);
  failing = true;
  await assert.rejects(
    (async () => {
      for await (const _ of source.batches(0, 3)) void _;
    })(),
    /normal\/7\.png: cannot decode image/,
  );
  assert.equal(tf.memory().numTensors, before);
});

/** A textured PNG: grey (one channel, or `bits` 16) or, with `colour`, RGB whose channels differ. */
function texturedPng(seed: number, size: number, options: { colour?: boolean; bits?: 8 | 16 } = {}): Promise<Buffer> {
  const channels = options.colour ? 3 : 1;
  const max = options.bits === 16 ? 65535 : 255;
  const values = Array.from({ length: size * size * channels }, (_, i) => ((i * 37 + seed * 101 + ((i * i) % 17) * 13) % 97) / 96);
  const raw = options.bits === 16 ? Buffer.from(Uint16Array.from(values, (v) => Math.round(v * max)).buffer) : Buffer.from(Uint8Array.from(values, (v) => Math.round(v * max)));
  return sharp(raw, { raw: { width: size, height: size, channels, ...(options.bits === 16 ? { premultiplied: false } : {}) } })
    .toColourspace(options.bits === 16 ? (channels === 1 ? 'grey16' : 'rgb16') : channels === 1 ? 'b-w' : 'srgb')
    .png()
    .toBuffer();
}

test("grey batches as one plane: the same augmented, replicated pixels as three channels; colour and mixed 8/16-bit batches too", async () => {
  const root = tempDir('planes');
  const entries: ImageEntry[] = [];
  for (let i = 0; i < 9; i++) {
    const label = CLASS_NAMES[i % 3] as string;
    const options = i === 7 ? { colour: true } : i === 4 ? { bits: 16 as const } : {};
    entries.push({ path: await writeImage(join(root, label, `${i}.png`), texturedPng(i, 24, options)), label } as ImageEntry);
  }
  const rgb = { size: 20, channels: 3 } as const;
  const augmenter = makeAugmenter({ rotationRange: 30, zoomRange: 0.2, shearRange: 10, horizontalFlip: true, fillMode: 'reflect' }, 5);
  const cache = { dir: join(root, '.cache') };
  const channels = augmentedBatches(streamBatches(entries, { decode: rgb, seed: 3 }), augmenter);
  const planes = augmentedBatches(streamBatches(entries, { decode: rgb, seed: 3, grey: 'planes', load: cachedLoader(cache) }), augmenter);
  for (const epoch of [0, 1]) {
    const expected: number[][] = [];
    const shapes: number[] = [];
    for await (const { xs } of channels.batches(epoch, 3)) expected.push([...xs.dataSync()]);
    const got: number[][] = [];
    for await (const { xs } of planes.batches(epoch, 3)) {
      shapes.push(xs.shape[3]);
      const wide = expandPlanes(xs, 3);
      got.push([...wide.dataSync()]);
      if (wide !== xs) wide.dispose();
    }
    assert.deepEqual(got, expected, `epoch ${epoch}: bit-identical after replication`);
    assert.deepEqual(shapes.sort(), [1, 1, 3], 'two all-grey batches as one plane, the batch with the colour image as three');
  }
  // loadTensors holds an all-grey set as one plane, and a set with colour as three.
  const grey = entries.filter((_, i) => i !== 7);
  const one = await loadTensors(grey, { ...rgb, grey: 'planes' });
  const three = await loadTensors(grey, rgb);
  assert.deepEqual(one.xs.shape, [8, 20, 20, 1]);
  const wide = expandPlanes(one.xs, 3);
  assert.deepEqual([...wide.dataSync()], [...three.xs.dataSync()]);
  wide.dispose();
  const mixed = await loadTensors(entries, { ...rgb, grey: 'planes' });
  assert.deepEqual(mixed.xs.shape, [9, 20, 20, 3]);
  for (const t of [one, three, mixed]) disposeTensors(t);
});
