// Smoke test of bench/tracking-overhead: its --quick mode against a real MLflow server it starts itself (one
// tracking-off and one tracking-on run of 2 epochs at 64²). Checks the report's shape, not the figures.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, requireCxrDev, runCommand } from '../helpers/project';

test('bench/tracking-overhead --quick measures tracked and untracked epochs and ends with overhead=', () => {
  requireCxrDev();
  const res = runCommand(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'tracking-overhead', 'run.ts'), '--quick'], { timeoutMs: 480_000 });
  assert.equal(res.status, 0, `${res.stdout.slice(-3000)}\n${res.stderr.slice(-3000)}`);
  const lines = res.stdout.trim().split('\n');
  assert.match(lines.at(-1) ?? '', /^overhead=\d+\.\d\d%$/);
  assert.match(res.stdout, /^MLflow server http:\/\/127\.0\.0\.1:\d+ \(fresh sqlite store/m);
  for (const epoch of [1, 2]) {
    assert.match(res.stdout, new RegExp(`^r1 off +${epoch} +\\d+\\.\\d\\d +\\d+\\.\\d +- +- +- +\\d+$`, 'm'), `untracked epoch ${epoch}`);
    assert.match(res.stdout, new RegExp(`^r1 on +${epoch} +\\d+\\.\\d\\d +\\d+\\.\\d +\\d+ +\\d+\\.\\d +\\d+ +\\d+$`, 'm'), `tracked epoch ${epoch}: callback and request times`);
  }
  assert.match(res.stdout, /tracker onEpochEnd \(median \/ max\) +\d+\.\d \/ \d+ ms/);
  assert.match(res.stdout, /start: create run, params, dataset input +\d+ ms/);
  assert.match(res.stdout, /finish: eval metrics, artifacts, model, status +\d+\.\d\d s: \d+ requests, \d+ uploads/);
  assert.doesNotMatch(res.stdout, /warning:/, 'the tracker warned about delivery problems');
});
