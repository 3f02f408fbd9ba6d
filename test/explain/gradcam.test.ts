import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import sharp from 'sharp';
import { ConfigError, buildModel, gradcam, tf, writeGradcams } from '../../src';
import { tempDir } from '../helpers/project';

test('Grad-CAM maps the last spatial layer, one [0, 1] map per image, explaining the predicted class', () => {
  const model = buildModel('seed-004', { inputSize: 64, seed: 1 });
  const images = tf.randomUniform([3, 64, 64, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const result = gradcam(model, images);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  assert.equal(result.layer, 'relu3');
  assert.equal(result.maps.length, 3);
  assert.deepEqual([result.height, result.width], [6, 6]);
  for (const map of result.maps) {
    assert.equal(map.length, 36);
    assert.ok(map.every((v) => v >= 0 && v <= 1 + 1e-6));
  }
  const predicted = tf.tidy(() => (model.predict(images) as tf.Tensor).argMax(-1).dataSync());
  assert.deepEqual([...result.classes], [...predicted]);
  const forced = gradcam(model, images, { classIndex: 2 });
  assert.deepEqual([...forced.classes], [2, 2, 2]);
  tf.dispose(images);
  model.dispose();
});

test('Grad-CAM works through residual blocks and refuses a layer whose head is not a chain', () => {
  const model = buildModel('resnet-small', { inputSize: 64, seed: 1 });
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  assert.equal(gradcam(model, images).layer, 's3b2_out');
  assert.throws(() => gradcam(model, images, { layerName: 's3b1_out' }), (err: unknown) => err instanceof ConfigError && /not a simple chain/.test(err.message));
  assert.throws(() => gradcam(model, images, { layerName: 'nope' }), /'nope' is not a layer/);
  tf.dispose(images);
  model.dispose();
});

test('the gallery writes right and wrong examples per class as PNG overlays', async () => {
  const model = buildModel('seed-004', { inputSize: 48, seed: 2 });
  const xs = tf.randomUniform([9, 48, 48, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  const dir = tempDir('gradcam');
  const written = await writeGradcams(model, { xs, labels }, { dir, perClass: 1, names: [...labels.keys()].map((i) => `/x/img${i}.png`) });
  assert.ok(written.length >= 3 && written.length <= 6, `${written.length} files`);
  for (const path of written) {
    assert.ok(existsSync(path));
    const meta = await sharp(path).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 48, 48, 3]);
    assert.match(path, /\/(covid|pneumonia|normal)\/(right|wrong)-img\d-as-(covid|pneumonia|normal)\.png$/);
  }
  assert.ok(readdirSync(dir).length >= 1);
  tf.dispose(xs);
  model.dispose();
});
