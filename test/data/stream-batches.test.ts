import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLASS_NAMES } from '../../src/data/classes';
import type { ImageEntry } from '../../src/data/index-entry';
import { disposeTensors, loadTensors } from '../../src/data/load-tensors';
import { streamBatches } from '../../src/data/stream-batches';
import { tf } from '../../src/native/tf';
import { memoryBatches } from '../../src/train/memory-batches';
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
  const load = async (e: ImageEntry): Promise<Float32Array> => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    if (failing && e.path.endsWith(join('normal', '7.png'))) throw new Error(`${e.path}: cannot decode image`);
    return new Float32Array(16 * 16).fill(0.5);
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
