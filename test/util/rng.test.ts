import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng, deriveSeed } from '../../src';

test('derived seeds differ for every seed and every name', () => {
  const seen = new Set<number>();
  for (let seed = 0; seed < 2000; seed++) for (const name of ['split', 'shuffle', 'init', 'augment']) seen.add(deriveSeed(seed, name));
  assert.equal(seen.size, 8000);
});

test('the same seed gives the same stream; shuffles are permutations', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  assert.deepEqual(Array.from({ length: 5 }, () => a.next()), Array.from({ length: 5 }, () => b.next()));
  const items = [...Array(50).keys()];
  const shuffled = new Rng(3).shuffle(items);
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual([...shuffled].sort((x, y) => x - y), items);
});
