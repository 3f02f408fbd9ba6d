import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type EpochLogs,
  type TrainingContext,
  checkpointBest,
  earlyStopping,
  makeOptimizer,
  reduceLrOnPlateau,
  getLearningRate,
  tf,
} from '../../src';
import { tempDir } from '../helpers/project';

const logs = (val_loss: number, val_accuracy = 0): EpochLogs => ({ loss: 1, accuracy: 0, val_loss, val_accuracy, lr: 0.1, images_per_second: 1 });

function context(model: tf.LayersModel, optimizer = makeOptimizer({ name: 'adam', learningRate: 0.1 })) {
  const stops: string[] = [];
  const ctx: TrainingContext = { model, optimizer, epochs: 10, batchesPerEpoch: 1, stopTraining: (r) => void stops.push(r) };
  return { ctx, stops };
}

function tinyModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros' }));
  return m;
}

const setKernel = (m: tf.LayersModel, v: number) => m.layers[0]!.setWeights([tf.tensor2d([[v]]), tf.tensor1d([0])]);
const kernel = (m: tf.LayersModel) => m.getWeights()[0]!.dataSync()[0];

test('early stopping stops after `patience` epochs without improvement and restores the best weights', () => {
  const model = tinyModel();
  const { ctx, stops } = context(model);
  const es = earlyStopping({ patience: 2 });
  const vals = [0.9, 0.5, 0.7, 0.6];
  vals.forEach((v, epoch) => {
    setKernel(model, epoch + 1);
    es.onEpochEnd!(epoch, logs(v), ctx);
  });
  assert.equal(stops.length, 1);
  assert.match(stops[0] as string, /val_loss did not improve for 2 epochs \(best 0\.5000 at epoch 2\)/);
  assert.equal(es.bestEpoch(), 1);
  es.onTrainEnd!([], ctx);
  assert.equal(kernel(model), 2, 'the weights of epoch 2 (index 1) are back');
  model.dispose();
});

test('early stopping on an accuracy metric maximises it; a metric the run does not log is a clear error', () => {
  const model = tinyModel();
  const { ctx, stops } = context(model);
  const es = earlyStopping({ monitor: 'val_accuracy', patience: 1 });
  es.onEpochEnd!(0, logs(1, 0.5), ctx);
  es.onEpochEnd!(1, logs(1, 0.7), ctx);
  assert.equal(stops.length, 0);
  es.onEpochEnd!(2, logs(1, 0.6), ctx);
  assert.equal(stops.length, 1);
  assert.throws(() => earlyStopping({ monitor: 'val_auc' }).onEpochEnd!(0, logs(1), ctx), /`monitor` is 'val_auc'.*Available: loss, accuracy, val_loss/);
  es.onTrainEnd!([], ctx);
  model.dispose();
});

test('ReduceLROnPlateau multiplies the rate after `patience` flat epochs, with cooldown and a floor', () => {
  const model = tinyModel();
  const optimizer = makeOptimizer({ name: 'sgd', learningRate: 0.1, momentum: 0.9 });
  const { ctx } = context(model, optimizer);
  const changes: number[] = [];
  const cb = reduceLrOnPlateau({ patience: 1, factor: 0.5, cooldown: 1, minLr: 0.03, onReduce: (_e, _f, to) => void changes.push(to) });
  [1, 1, 1, 1, 1, 1].forEach((v, e) => cb.onEpochEnd!(e, logs(v), ctx));
  assert.deepEqual(changes, [0.05, 0.03]);
  assert.equal(getLearningRate(optimizer), 0.03);
  model.dispose();
  optimizer.dispose();
});

test('checkpoint-best saves the model only when the metric improves', async () => {
  const model = tinyModel();
  const { ctx } = context(model);
  const dir = join(tempDir('ckpt'), 'best');
  const saved: number[] = [];
  const cb = checkpointBest({ dir, onSave: (e) => void saved.push(e) });
  for (const [e, v] of [0.9, 0.8, 0.85, 0.7].entries()) await cb.onEpochEnd!(e, logs(v), ctx);
  assert.deepEqual(saved, [0, 1, 3]);
  assert.ok(existsSync(join(dir, 'model.json')));
  model.dispose();
});
