import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, requireCxrDev, runCommand, tempDir } from '../helpers/project';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');

function experimentFile(body: string): string {
  const path = join(tempDir('cli'), 'experiment.yaml');
  writeFileSync(path, body);
  return path;
}

test('cxrlab train runs an experiment on cxr-dev and prints backend, throughput and result', () => {
  const path = experimentFile(`name: cli-smoke\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 64\ntrain:\n  epochs: 1\n  batchSize: 16\n`);
  const res = runCommand(process.execPath, [BIN, 'train', path]);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /backend=tensorflow tensorflow=2\.21\.\d+ tfjs-node=4\.22\.0 onednn=1/);
  assert.match(res.stdout, /data: 219 images .*\(covid 70, pneumonia 79, normal 70\)/);
  assert.match(res.stdout, /split: 175 train, 44 validation/);
  assert.match(res.stdout, /epoch 1\/1: loss=\d+\.\d+ accuracy=/);
  const result = /result val_accuracy=(\d\.\d+) throughput=(\d+\.\d) img\/s/.exec(res.stdout);
  assert.ok(result, res.stdout);
  assert.ok(Number(result[2]) > 0);
  const matrix = res.stdout.split('\n').filter((l) => /^ {2}(covid|pneumonia|normal) +\d/.test(l));
  const total = matrix.flatMap((l) => l.trim().split(/ +/).slice(1).map(Number)).reduce((a, b) => a + b, 0);
  assert.equal(total, 44, 'the confusion matrix covers the validation set');
});

test('cxrlab train with a broken experiment exits 1 and lists every problem', () => {
  const path = experimentFile('data:\n  dir: /nowhere\n  imageSize: 3\nmodle: {}\n');
  const res = runCommand(process.execPath, [BIN, 'train', path]);
  assert.equal(res.status, 1);
  assert.match(res.stderr, /is invalid:/);
  assert.match(res.stderr, /`data\.imageSize`/);
  assert.match(res.stderr, /modle/);
});

test('cxrlab train on a missing dataset names the folder', () => {
  const path = experimentFile('data:\n  dir: /nowhere/at/all\n');
  const res = runCommand(process.execPath, [BIN, 'train', path]);
  assert.equal(res.status, 1);
  assert.match(res.stderr, /\/nowhere\/at\/all: dataset folder not found/);
});

test('cxrlab without a command prints usage and exits 2', () => {
  const res = runCommand(process.execPath, [BIN]);
  assert.equal(res.status, 2);
  assert.match(res.stdout, /usage: cxrlab <command>/);
});
