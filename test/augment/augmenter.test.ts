import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDENTITY_PARAMS, applyParams, makeAugmenter } from '../../src/augment';
import { ConfigError } from '../../src/errors';
import { tf } from '../../src/native/tf';
import { ROOT, runCommand } from '../helpers/project';
import { FIXTURE_OPTIONS, FIXTURE_POSITIONS, augmentFixture, fixtureBatch } from './stream-fixture';

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer.slice(0));

test('no augmentation configured: identity, a clone of the input and identity records', () => {
  const augmenter = makeAugmenter({ fillMode: 'constant', cval: 3 }, 1);
  assert.equal(augmenter.identity, true);
  const x = fixtureBatch();
  const start = tf.memory().numTensors;
  const { images, params } = augmenter.augment(x, { batch: 0 });
  assert.equal(tf.memory().numTensors, start + 1);
  assert.notEqual(images, x);
  assert.ok(bits(images).equals(bits(x)));
  assert.deepEqual(params, [IDENTITY_PARAMS, IDENTITY_PARAMS, IDENTITY_PARAMS, IDENTITY_PARAMS]);
  tf.dispose([images, x]);
  assert.equal(makeAugmenter({ rotationRange: 5 }, 1).identity, false);
});

test('augment applies the records it returns, which are the ones sampleParams draws', () => {
  const augmenter = makeAugmenter(FIXTURE_OPTIONS, 42);
  const x = fixtureBatch();
  const { images, params } = augmenter.augment(x, { epoch: 1, batch: 5 });
  assert.deepEqual(params, augmenter.sampleParams({ epoch: 1, batch: 5 }, 4, { height: 24, width: 24 }));
  assert.equal(new Set(params.map((p) => p.theta)).size, 4, 'each image has its own record');
  const again = applyParams(x, params, { fillMode: 'constant', cval: 0.5 });
  assert.ok(bits(images).equals(bits(again)));
  assert.ok(!bits(images).equals(bits(x)));
  tf.dispose([x, images, again]);
});

test('same seed and position: bit-identical batch, in any order; other positions and seeds differ', () => {
  const a = augmentFixture(42);
  const b = augmentFixture(42);
  assert.deepEqual(a, b);
  assert.equal(new Set(a.sha256).size, FIXTURE_POSITIONS.length, 'each (epoch, batch) has its own draws');
  assert.notDeepEqual(augmentFixture(43).sha256, a.sha256);
  // A batch's draws depend only on its position, not on the batches before it.
  const augmenter = makeAugmenter(FIXTURE_OPTIONS, 42);
  const later = augmenter.sampleParams({ epoch: 2, batch: 0 }, 4, { height: 24, width: 24 });
  assert.deepEqual(later, a.params[2]);
  // epoch defaults to 0
  assert.deepEqual(augmenter.sampleParams({ batch: 1 }, 4, { height: 24, width: 24 }), a.params[1]);
});

test('same seed in a separate Node process: the same parameter stream and the same bits', () => {
  const res = runCommand(process.execPath, ['--import', 'tsx', join('test', 'augment', 'stream-child.ts'), '42'], { cwd: ROOT, timeoutMs: 120_000 });
  assert.equal(res.status, 0, res.stderr);
  const line = res.stdout.trim().split('\n').pop() ?? '';
  const child = JSON.parse(line) as ReturnType<typeof augmentFixture>;
  const here = augmentFixture(42);
  assert.deepEqual(child.params, here.params);
  assert.deepEqual(child.sha256, here.sha256);
});

test('augment leaks no tensor', () => {
  const augmenter = makeAugmenter(FIXTURE_OPTIONS, 7);
  const x = fixtureBatch();
  const start = tf.memory().numTensors;
  for (let batch = 0; batch < 5; batch++) augmenter.augment(x, { batch }).images.dispose();
  assert.equal(tf.memory().numTensors, start);
  x.dispose();
});

test('a bad position or input is a ConfigError naming it', () => {
  const augmenter = makeAugmenter(FIXTURE_OPTIONS, 7);
  const x = fixtureBatch();
  assert.throws(
    () => augmenter.augment(x, { batch: -1, epoch: 0.5 }),
    (e: unknown) => e instanceof ConfigError && e.issues.length === 2 && /`batch` must be an integer ≥ 0\. Received: -1/.test(e.message) && /`epoch`.*Received: 0\.5/.test(e.message),
  );
  const flat = tf.zeros([24, 24, 3]);
  assert.throws(() => augmenter.augment(flat as unknown as tf.Tensor4D, { batch: 0 }), /rank-4 batch/);
  tf.dispose([x, flat]);
});
