import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendInfo, tf } from '../../src';
import { ROOT, runCommand } from '../helpers/project';

test('tfjs-node runs on the native TensorFlow 2.21 backend with oneDNN on by default', () => {
  const info = backendInfo();
  assert.equal(info.backend, 'tensorflow');
  assert.match(info.tensorflow, /^2\.21\./);
  assert.equal(info.onednn, process.env.TF_ENABLE_ONEDNN_OPTS);
  const sum = tf.tidy(() => tf.tensor([1, 2, 3]).square().sum().dataSync()[0]);
  assert.equal(sum, 14);
});

test('a plain require of @tensorflow/tfjs-node gets the tensorflow backend', () => {
  const res = runCommand(process.execPath, ['-e', "console.log(require('@tensorflow/tfjs-node').getBackend())"], { cwd: ROOT });
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim().split('\n').pop(), 'tensorflow');
});

test('danfojs-node shares the one tfjs-node copy', () => {
  const res = runCommand(process.execPath, ['-e', "console.log(require('danfojs-node').tensorflow === require('@tensorflow/tfjs-node'))"]);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim().split('\n').pop(), 'true');
});
