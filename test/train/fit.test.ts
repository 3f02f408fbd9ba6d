import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EpochLogs, type TrainingCallback, buildModel, fit, memoryBatches, tf } from '../../src';

/** Two easy classes plus a third: the mean brightness of the image is the label. */
function syntheticData(n: number, size: number) {
  return tf.tidy(() => {
    const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32');
    const level = labels.toFloat().div(2).reshape([n, 1, 1, 1]);
    const noise = tf.randomUniform([n, size, size, 3], 0, 0.2, 'float32', 7);
    return { xs: level.mul(0.8).add(noise) as tf.Tensor4D, ys: tf.oneHot(labels, 3).toFloat() as tf.Tensor2D };
  });
}

async function train(seed: number, epochs: number, extra: { callbacks?: TrainingCallback[]; signal?: AbortSignal } = {}) {
  const data = syntheticData(48, 32);
  const model = buildModel('seed-004', { inputSize: 32, dropout: 0, seed });
  try {
    return await fit(
      model,
      { train: memoryBatches(data.xs, data.ys, { seed }), val: { xs: data.xs, ys: data.ys } },
      { epochs, batchSize: 16, optimizer: { name: 'adam', learningRate: 0.003 }, ...extra },
    );
  } finally {
    model.dispose();
    tf.dispose([data.xs, data.ys]);
  }
}

test('a tiny CNN trained for a few steps on the native backend lowers its loss, with Keras metric names', async () => {
  const before = tf.memory().numTensors;
  const { history } = await train(1, 6);
  assert.equal(history.length, 6);
  const first = history[0] as EpochLogs;
  const last = history.at(-1) as EpochLogs;
  assert.ok(last.loss < first.loss * 0.8, `loss went ${first.loss} → ${last.loss}`);
  assert.deepEqual(Object.keys(first).sort(), ['accuracy', 'images_per_second', 'input_wait_fraction', 'loss', 'lr', 'val_accuracy', 'val_loss']);
  assert.equal(first.lr, 0.003);
  assert.ok(last.images_per_second > 0);
  assert.ok((last.input_wait_fraction ?? -1) >= 0 && (last.input_wait_fraction ?? 2) < 1);
  assert.equal(tf.memory().numTensors, before, 'training leaked tensors');
});

test('the same seed gives the same training trajectory', async () => {
  const a = await train(5, 2);
  const b = await train(5, 2);
  assert.deepEqual(a.history.map((h) => h.loss.toFixed(5)), b.history.map((h) => h.loss.toFixed(5)));
});

test('an aborted signal stops training between batches and reports why', async () => {
  const abort = new AbortController();
  const seen: number[] = [];
  const stopper: TrainingCallback = {
    onBatchEnd(epoch, logs) {
      seen.push(logs.batch);
      if (epoch === 1 && logs.batch === 0) abort.abort('test stop');
    },
  };
  const result = await train(2, 5, { callbacks: [stopper], signal: abort.signal });
  assert.equal(result.history.length, 1, 'only the completed epoch is in the history');
  assert.equal(result.stopReason, 'stopped: test stop');
  assert.deepEqual(seen, [0, 1, 2, 0]);
});

test('callbacks see every epoch and onTrainEnd runs once', async () => {
  const events: string[] = [];
  const spy: TrainingCallback = {
    onTrainBegin: () => void events.push('begin'),
    onEpochEnd: (e) => void events.push(`epoch${e}`),
    onTrainEnd: (h) => void events.push(`end${h.length}`),
  };
  await train(3, 2, { callbacks: [spy] });
  assert.deepEqual(events, ['begin', 'epoch0', 'epoch1', 'end2']);
});
