import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, requireCxrDev, runCommand, tempDir } from '../helpers/project';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');

/** Starts `cxrlab train` and SIGKILLs it once `line` has been printed; resolves with all output. */
function killAfter(args: string[], line: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CXRLAB_TRACKING: '0' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (line.test(out)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

test('a run killed mid-training resumes with --resume and ends with every epoch in its history', async () => {
  const dir = tempDir('resume');
  const experiment = join(dir, 'experiment.yaml');
  writeFileSync(experiment, `name: resume\nseed: 3\ndata:\n  dir: ${requireCxrDev()}\n  imageSize: 96\ntrain:\n  epochs: 4\n  batchSize: 8\noutput:\n  dir: ${join(dir, 'runs')}\n`);
  const first = await killAfter(['train', experiment], /epoch 2\/4 /);
  const runDir = /run folder (\S+)/.exec(first)?.[1] ?? JSON.parse('null');
  assert.equal(runDir, null, 'the first process was killed before it finished');
  const runs = runCommand('ls', [join(dir, 'runs', 'resume')]).stdout.trim().split('\n');
  assert.equal(runs.length, 1);
  const folder = join(dir, 'runs', 'resume', runs[0] as string);
  const saved = JSON.parse(readFileSync(join(folder, 'checkpoints', 'last', 'state.json'), 'utf8'));
  assert.ok(saved.epoch >= 1 && saved.epoch < 4, `killed after epoch ${saved.epoch}`);

  const res = runCommand(process.execPath, [BIN, 'train', '--resume', folder]);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, new RegExp(`resuming .* after epoch ${saved.epoch} of 4`));
  assert.doesNotMatch(res.stdout, /epoch 1\/4 /, 'completed epochs are not trained again');
  const history = JSON.parse(readFileSync(join(folder, 'history.json'), 'utf8')) as { loss: number }[];
  assert.equal(history.length, 4);
  assert.deepEqual(history.slice(0, saved.epoch), saved.history, 'the epochs before the kill are kept as they were');
});

test('--resume refuses an experiment file or --set beside it', () => {
  const res = runCommand(process.execPath, [BIN, 'train', 'x.yaml', '--resume', '/tmp/nowhere']);
  assert.equal(res.status, 1);
  assert.match(res.stderr, /--resume <run folder> takes the run's own config\.json/);
});
