import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCommand } from '../helpers/project';

// The profile and ablation benches at toy scale: their shape (every phase, every fast op), not their figures.
test('bench/train-profile splits a step into forward, backward and optimizer and lists the native ops', () => {
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'train-profile', 'run.ts'), '--model', 'resnet-small', '--size', '32', '--batch', '4', '--steps', '2'];
  const res = runCommand(process.execPath, args);
  assert.equal(res.status, 0, res.stderr.slice(-3000));
  assert.match(res.stdout, /fast path: relu-grad=on mkl-max-pool=on conv-bias=on batch-norm=on mean-grad=on adam=on/);
  assert.match(res.stdout, /native ops \d+\.\d ms in \d+ calls/);
  assert.match(res.stdout, /phases: forward \d+\.\d ms \(\d+%\), backward \d+\.\d ms \(\d+%\), optimizer \d+\.\d ms/);
  // On the fast path batch norm runs fused and Adam as one kernel per weight.
  for (const op of ['FusedBatchNormV3', 'FusedBatchNormGradV3', 'ResourceApplyAdam']) assert.match(res.stdout, new RegExp(`^${op}\\s+\\d+`, 'm'));
});

test('bench/train-profile ablate times the step with each fast op off and ends with fast_path_speedup=', () => {
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'train-profile', 'ablate.ts'), '--size', '32', '--batch', '4', '--rounds', '2'];
  const res = runCommand(process.execPath, args);
  assert.equal(res.status, 0, res.stderr.slice(-3000));
  for (const op of ['relu-grad', 'mkl-max-pool', 'conv-bias', 'batch-norm', 'mean-grad', 'adam']) {
    assert.match(res.stdout, new RegExp(`^without ${op}\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\d \\[`, 'm'));
  }
  assert.match(res.stdout.trim().split('\n').at(-1) ?? '', /^fast_path_speedup=\d+\.\d\d$/);
});
