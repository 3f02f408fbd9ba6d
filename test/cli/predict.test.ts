import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, requireCxrDev, runCommand, tempDir } from '../helpers/project';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');

test('cxrlab predict on a folder with one corrupt file predicts the rest and reports the one', () => {
  const dir = tempDir('predict');
  const experiment = join(dir, 'experiment.yaml');
  writeFileSync(experiment, `name: predict\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 48\ntrain:\n  epochs: 1\noutput:\n  dir: ${join(dir, 'runs')}\n`);
  const trained = runCommand(process.execPath, [BIN, 'train', experiment]);
  assert.equal(trained.status, 0, trained.stderr);
  const runDir = /run folder (\S+)/.exec(trained.stdout)?.[1] as string;

  const images = join(dir, 'images');
  mkdirSync(images);
  const covid = join(requireCxrDev(), 'covid');
  for (const f of readdirSync(covid).slice(0, 3)) copyFileSync(join(covid, f), join(images, f));
  writeFileSync(join(images, 'broken.png'), 'not an image at all');

  const res = runCommand(process.execPath, [BIN, 'predict', runDir, images, '--json']);
  assert.equal(res.status, 0, res.stderr);
  const results = JSON.parse(res.stdout) as { path: string; label?: string; probabilities?: Record<string, number>; latencyMs?: number; error?: string }[];
  assert.equal(results.length, 4);
  const bad = results.filter((r) => r.error);
  assert.equal(bad.length, 1);
  assert.match(bad[0]!.error!, /broken\.png: cannot decode image/);
  for (const r of results.filter((x) => !x.error)) {
    assert.ok(['covid', 'pneumonia', 'normal'].includes(r.label!));
    const sum = Object.values(r.probabilities!).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4);
    assert.ok(r.latencyMs! > 0);
  }

  const text = runCommand(process.execPath, [BIN, 'predict', runDir, join(images, 'broken.png')]);
  assert.equal(text.status, 1, 'nothing could be predicted');
  assert.match(text.stderr, /1 of 1 file\(s\) could not be predicted/);
});
