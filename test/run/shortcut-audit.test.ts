import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexedImage } from '../../src/data/index-entry';
import { tf } from '../../src/native/tf';
import { shortcutAudit } from '../../src/run/shortcut-audit';
import { entry } from '../data/corpus';

/** A small dense net whose hidden layer sees the raw pixels. */
function tinyModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [4, 4, 1] }));
  model.add(tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

function images(brightnessOf: (source: string, i: number) => number): { xs: tf.Tensor4D; images: IndexedImage[] } {
  const list: IndexedImage[] = [];
  const pixels: number[] = [];
  for (const source of ['site-a', 'site-b']) {
    for (let i = 0; i < 20; i++) {
      list.push(entry('pneumonia', { dataset: source, source, patientId: `${source}-${i}` }) as IndexedImage);
      const level = brightnessOf(source, i);
      for (let p = 0; p < 16; p++) pixels.push(level + 0.01 * ((p * 7 + i) % 5));
    }
  }
  for (let i = 0; i < 12; i++) {
    list.push(entry('covid', { dataset: 'site-a', source: 'site-a', patientId: `c${i}` }) as IndexedImage);
    for (let p = 0; p < 16; p++) pixels.push(0.5);
  }
  return { xs: tf.tensor4d(pixels, [list.length, 4, 4, 1]), images: list };
}

test('the audit warns when the features tell sources apart within a class, and names the layer before dropout', () => {
  const model = tinyModel();
  const part = images((source) => (source === 'site-a' ? 0.9 : 0.1));
  const audit = shortcutAudit(model, [part], { seed: 5, batchSize: 16 });
  assert.equal(audit.layer, model.layers[1]?.name);
  assert.equal(audit.features, 8);
  assert.equal(audit.probes.length, 1, 'covid has one source only: no probe');
  const [probe] = audit.probes;
  assert.deepEqual([probe?.className, probe?.n, probe?.sources], ['pneumonia', 40, ['site-a', 'site-b']]);
  assert.ok((probe?.auc ?? 0) > 0.95 && (probe?.accuracy ?? 0) > 0.9, JSON.stringify(probe));
  assert.equal(audit.warning, true);
  assert.match(audit.summary, /^WARNING: within pneumonia/);
  part.xs.dispose();
  model.dispose();
});

test('no warning when both sources look alike; no probe when no class has two sources', () => {
  const model = tinyModel();
  const alike = images((_, i) => (i % 2 ? 0.3 : 0.7));
  const audit = shortcutAudit(model, [alike], { seed: 5, batchSize: 16 });
  assert.equal(audit.warning, false, audit.summary);
  assert.ok((audit.probes[0]?.auc ?? 1) < 0.8, JSON.stringify(audit.probes));
  const single = { xs: alike.xs.slice([40], [12]) as tf.Tensor4D, images: alike.images.slice(40) };
  const none = shortcutAudit(model, [single], { seed: 5, batchSize: 16 });
  assert.deepEqual(none.probes, []);
  assert.match(none.summary, /No class has at least 5 images from each of two sources/);
  tf.dispose([alike.xs, single.xs]);
  model.dispose();
});
