import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, buildModel, buildTransferModel, fit, gradcam, memoryBatches, parseExperiment, setTrainableBackbone, tf } from '../../src';
import { tempDir } from '../helpers/project';

/** A backbone the test trains and saves itself. */
async function savedBackbone(): Promise<string> {
  const dir = join(tempDir('backbone'), 'model');
  const model = buildModel('seed-004', { inputSize: 32, seed: 7 });
  await model.save(`file://${dir}`);
  model.dispose();
  return dir;
}

function data() {
  const xs = tf.randomUniform([12, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32'), 3).toFloat() as tf.Tensor2D;
  return { xs, ys };
}

const snapshot = (layers: tf.layers.Layer[]) => layers.flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));

test('transfer learning: a frozen backbone keeps its weights while the new head learns; fine-tuning then moves it', async () => {
  const transfer = await buildTransferModel({ backbone: await savedBackbone(), freeze: 'all', seed: 1 });
  assert.deepEqual(transfer.inputShape, [null, 32, 32, 3]);
  assert.ok(transfer.backboneLayers.length >= 6);
  const head = transfer.model.getLayer('head_logits');
  const { xs, ys } = data();
  const backboneBefore = snapshot(transfer.backboneLayers);
  const headBefore = snapshot([head]);
  await fit(transfer.model, { train: memoryBatches(xs, ys, { seed: 1 }) }, { epochs: 2, batchSize: 4, optimizer: { name: 'adam', learningRate: 0.01 } });
  assert.deepEqual(snapshot(transfer.backboneLayers), backboneBefore, 'frozen layers do not change');
  assert.notDeepEqual(snapshot([head]), headBefore, 'the head trains');

  setTrainableBackbone(transfer, 'none');
  await fit(transfer.model, { train: memoryBatches(xs, ys, { seed: 2 }) }, { epochs: 1, batchSize: 4, optimizer: { name: 'adam', learningRate: 0.01 } });
  assert.notDeepEqual(snapshot(transfer.backboneLayers), backboneBefore, 'fine-tuning updates the backbone');

  const cams = gradcam(transfer.model, xs);
  assert.equal(cams.layer, 'backbone', 'Grad-CAM reads the nested backbone in the transfer graph');
  assert.equal(cams.maps.length, 12);

  setTrainableBackbone(transfer, 2);
  assert.deepEqual(transfer.backboneLayers.map((l) => l.trainable).slice(0, 3), [false, false, true]);
  transfer.model.dispose();
  tf.dispose([xs, ys]);
});

test('a transfer experiment needs a backbone, and fine-tuning needs transfer', () => {
  assert.throws(() => parseExperiment({ data: { dir: '/d' }, model: { name: 'transfer' } }, 'x.yaml'), (e: unknown) => e instanceof ConfigError && /`model\.backbone`: is required/.test(e.message));
  assert.throws(() => parseExperiment({ data: { dir: '/d' }, train: { fineTune: { epochs: 2 } } }, 'x.yaml'), /fine-tuning needs `model\.name: transfer`/);
  const ok = parseExperiment({ data: { dir: '/d' }, model: { name: 'transfer', backbone: 'b/model.json', freeze: 3 } }, '/exp/x.yaml');
  assert.equal(ok.model.backbone, '/exp/b/model.json', 'resolved against the experiment file');
});
