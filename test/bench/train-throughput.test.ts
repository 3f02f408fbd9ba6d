import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCommand, tempDir } from '../helpers/project';

// Runs the real bench at toy scale: checks its shape (every variant measured, ratio last), not its speed.
test('bench/train-throughput measures tfjs and Keras side by side and ends with ratio=', () => {
  const out = join(tempDir('bench'), 'result.json');
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'train-throughput', 'run.ts'), '--rounds', '2', '--batches', '4', '--models', 'seed-004@32,resnet-small@32', '--out', out];
  const res = runCommand(process.execPath, args);
  assert.equal(res.status, 0, res.stderr.slice(-3000));
  const lines = res.stdout.trim().split('\n');
  assert.match(lines.at(-1) ?? '', /^ratio=\d+\.\d\d$/);
  assert.match(res.stdout, /tfjs img\/s=\d+\.\d keras img\/s=\d+\.\d/);
  assert.match(res.stdout, /ratio_vs_keras_as_shipped=\d+\.\d\d/);
  assert.match(res.stdout, /ratio_resnet-small_b4=\d+\.\d\d/);
  const saved = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(saved.results.map((r: { model: string }) => r.model), ['seed-004', 'resnet-small']);
  for (const r of saved.results) {
    const ips = r.imagesPerSecond as Record<string, number>;
    assert.deepEqual(Object.keys(ips).sort(), ['cxrlab', 'keras-onednn', 'keras-shipped', 'tfjs-shipped']);
    for (const v of Object.values(ips)) assert.ok(v > 0);
    assert.equal(r.ratioVsAnchor['keras-onednn'].median, 1);
  }
});
