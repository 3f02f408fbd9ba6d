import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededDropout } from '../../src/model/seeded-dropout';
import { buildModel, tf } from '../../src';

const masks = (layer: tf.layers.Layer, calls: number): number[][] =>
  Array.from({ length: calls }, () => tf.tidy(() => Array.from((layer.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync())));

test('a seeded dropout draws a new mask at every training step, the same stream for the same seed', () => {
  const [a1, a2, a3] = masks(seededDropout({ rate: 0.5, seed: 7 }), 3);
  assert.notDeepEqual(a1, a2, 'tfjs Dropout with a seed repeats its mask; this one must not');
  assert.notDeepEqual(a2, a3);
  assert.deepEqual(masks(seededDropout({ rate: 0.5, seed: 7 }), 3), [a1, a2, a3]);
  assert.notDeepEqual(masks(seededDropout({ rate: 0.5, seed: 8 }), 1)[0], a1);
  const kept = (a1 as number[]).filter((v) => v !== 0);
  assert.ok(kept.length > 16 && kept.length < 48 && kept.every((v) => v === 2), 'about half kept, scaled by 1 / (1 − rate)');
  const inference = tf.tidy(() => Array.from((seededDropout({ rate: 0.5, seed: 7 }).apply(tf.ones([1, 8]), { training: false }) as tf.Tensor).dataSync()));
  assert.deepEqual(inference, [1, 1, 1, 1, 1, 1, 1, 1]);
});

test('zoo models save their dropout as a plain Dropout with its seed', () => {
  const model = buildModel('seed-004', { inputSize: 32, seed: 5 });
  const layer = model.getLayer('dropout');
  assert.equal(layer.getClassName(), 'Dropout');
  assert.equal(typeof (layer.getConfig() as { seed?: number }).seed, 'number');
  const json = JSON.stringify(model.toJSON(null, false));
  assert.match(json, /"class_name":"Dropout"/);
  model.dispose();
});
