import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, requireCxrDev, runCommand, tempDir } from '../helpers/project';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');

function experimentFile(body: string): string {
  const path = join(tempDir('cli'), 'experiment.yaml');
  writeFileSync(path, body);
  return path;
}

test('cxrlab train runs an experiment on cxr-dev, prints backend, throughput and result, and writes the run folder', () => {
  const dir = tempDir('cli-run');
  const path = experimentFile(
    `name: cli-smoke\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 64\naugment:\n  rotationRange: 15\n  zoomRange: 0.1\n  horizontalFlip: true\ntrain:\n  epochs: 3\n  batchSize: 16\n`,
  );
  const res = runCommand(process.execPath, [BIN, 'train', path, '--set', 'train.epochs=1', '--set', `output.dir=${join(dir, 'runs')}`]);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /backend=tensorflow tensorflow=2\.21\.\d+ tfjs-node=4\.22\.0 onednn=1/);
  assert.match(res.stdout, /data: 219 files found, 219 used, 0 skipped/);
  assert.match(res.stdout, /all +70 +79 +70 +219/);
  assert.match(res.stdout, /train +56 +63 +56 +175\n.*val +14 +16 +14 +44/);
  assert.match(res.stdout, /overlap: 0 patient\(s\) and 0 content hash\(es\) shared between splits/);
  assert.match(res.stdout, /epoch 1\/1 [\d.]+s loss \d+\.\d+ accuracy \d\.\d+ val_loss \d+\.\d+ val_accuracy/);
  const runDir = /run folder (\S+)/.exec(res.stdout)?.[1];
  assert.ok(runDir && runDir.startsWith(join(dir, 'runs', 'cli-smoke')), res.stdout);
  for (const f of ['config.json', 'data.json', 'split.json', 'history.json', 'report.json', 'model-card.md', 'roc.html', 'reliability.html', 'model/model.json', 'checkpoints/best/model.json']) {
    assert.ok(existsSync(join(runDir, f)), `${f} is written`);
  }
  const card = readFileSync(join(runDir, 'model-card.md'), 'utf8');
  assert.match(card, /^# Model card: cli-smoke/);
  assert.match(card, /\*\*Not a diagnostic device\.\*\*/);
  assert.match(card, /\*\*Overlap proof\*\*: 0 patient\(s\) and 0 file content\(s\) shared between splits/);
  assert.match(card, /\| accuracy \| \d\.\d{3} \| \d\.\d{3} – \d\.\d{3} \|/);
  assert.match(card, /No external test set/);
  const result = /result val_accuracy=(\d\.\d+) throughput=(\d+\.\d) img\/s/.exec(res.stdout);
  assert.ok(result, res.stdout);
  assert.ok(Number(result[2]) > 0);
  const matrix = res.stdout.split('\n').filter((l) => /^cxrlab: {3}(covid|pneumonia|normal) +\d/.test(l));
  const total = matrix.flatMap((l) => l.trim().split(/ +/).slice(2).map(Number)).reduce((a, b) => a + b, 0);
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

test('the streamed pipeline trains exactly like the in-memory one (same batches, same losses), through the decoded-image cache', () => {
  const dir = tempDir('pipeline');
  const path = experimentFile(
    `name: pipeline\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 32\n  cacheDir: ${join(dir, 'cache')}\naugment:\n  rotationRange: 10\n  horizontalFlip: true\n` +
      `train:\n  epochs: 2\n  batchSize: 16\nevaluation:\n  gradcamPerClass: 0\n  shortcutAudit: false\noutput:\n  dir: ${join(dir, 'runs')}\n`,
  );
  const history = (pipeline: string): { loss: number; val_loss: number }[] => {
    const res = runCommand(process.execPath, [BIN, 'train', path, '--set', `data.pipeline=${pipeline}`]);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, pipeline === 'stream' ? /pipeline: streaming 175 training images/ : /pipeline: training images decoded into memory/);
    const runDir = /run folder (\S+)/.exec(res.stdout)?.[1] as string;
    return JSON.parse(readFileSync(join(runDir, 'history.json'), 'utf8')) as { loss: number; val_loss: number }[];
  };
  const memory = history('memory');
  const stream = history('stream');
  assert.equal(stream.length, 2);
  assert.deepEqual(stream.map((h) => [h.loss, h.val_loss]), memory.map((h) => [h.loss, h.val_loss]));
  const again = runCommand(process.execPath, [BIN, 'train', path, '--set', 'data.pipeline=memory', '--set', 'train.epochs=1']);
  assert.match(again.stdout, /decoded-image cache: 219 hits, 0 decoded/, 'a later run decodes nothing');
});
