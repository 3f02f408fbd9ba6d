// `cxrlab data` on the real cxr-dev images (the default experiment, with its manifest) and on a folder
// made here with a bad file in it; `cxrlab train` with an external test source reports it apart.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLASS_NAMES } from '../../src/data/classes';
import { ROOT, requireCxrDev, runCommand, tempDir } from '../helpers/project';
import { greyPng, writeImage } from '../data/corpus';

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');

test('cxrlab data prints the default experiment\'s index, split by class × source with patients kept together, and 0 overlap', () => {
  requireCxrDev();
  const res = runCommand(process.execPath, [BIN, 'data']);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /data: 219 files found, 219 used, 0 skipped/);
  assert.match(res.stdout, /ieee +70 +29 +0 +99\n +kermany +0 +50 +70 +120/);
  assert.match(res.stdout, /strata class × source, 188 patient\/content groups/);
  assert.match(res.stdout, /val ieee +14 +6 +0 +20/, 'the 29 ieee pneumonias are stratified on their own: 6 of them in val');
  assert.match(res.stdout, /overlap: 0 patient\(s\) and 0 content hash\(es\) shared between splits \(188 patients, 219 hashes checked/);
});

test('cxrlab data --json gives the summary and the split\'s files, disjoint and complete', () => {
  requireCxrDev();
  const res = runCommand(process.execPath, [BIN, 'data', '--json', '--set', 'data.testFraction=0.15']);
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout) as {
    seed: number;
    summary: { index: { used: number }; split: { overlap: { clean: boolean; patientsChecked: number } } };
    split: { train: string[]; val: string[]; test: string[]; counts: Record<string, number> };
  };
  assert.equal(out.seed, 42);
  assert.equal(out.summary.index.used, 219);
  assert.equal(out.summary.split.overlap.clean, true);
  assert.equal(out.summary.split.overlap.patientsChecked, 188);
  const all = [...out.split.train, ...out.split.val, ...out.split.test];
  assert.equal(new Set(all).size, 219);
  assert.ok(out.split.test.length >= 30 && out.split.test.length <= 36, `test holds about 15 %: ${out.split.test.length}`);
  assert.deepEqual(out.split.counts, { train: out.split.train.length, val: out.split.val.length, test: out.split.test.length });
});

test('cxrlab data <folder> reports a bad file with its reason; data.strict makes it fail, naming the file', async () => {
  const root = tempDir('data-cli');
  for (const [c, label] of CLASS_NAMES.entries()) {
    for (let i = 0; i < 4; i++) await writeImage(join(root, label, `${i}.png`), greyPng(10 + 40 * c + i));
  }
  writeFileSync(join(root, 'normal', 'broken.png'), 'not an image at all');
  const res = runCommand(process.execPath, [BIN, 'data', root]);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /data: 13 files found, 12 used, 1 skipped/);
  assert.match(res.stdout, new RegExp(`${join(root, 'normal', 'broken.png').replace(/[/.]/g, '\\$&')}: not-an-image`));
  const strict = runCommand(process.execPath, [BIN, 'data', root, '--set', 'data.strict=true']);
  assert.equal(strict.status, 1);
  assert.match(strict.stderr, /strict: 1 bad file\(s\):\n {2}- .*broken\.png: not-an-image/);
  const missing = runCommand(process.execPath, [BIN, 'data', join(root, 'nowhere')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nowhere: no such experiment file or dataset folder/);
});

test('cxrlab train with an external source: never trained on, evaluated as the test split and reported per source', async () => {
  const root = tempDir('external');
  for (const [site, n] of [['site-a', 10], ['site-b', 4]] as const) {
    for (const [c, label] of CLASS_NAMES.entries()) {
      for (let i = 0; i < n; i++) await writeImage(join(root, site, label, `${i}.png`), greyPng(c * 80 + i * 3 + (site === 'site-b' ? 1 : 0), 32));
    }
  }
  const experiment = join(root, 'experiment.yaml');
  writeFileSync(
    experiment,
    [
      'name: external',
      'data:',
      '  sources:',
      '    - { kind: folders, name: site-a, dir: site-a }',
      '    - { kind: folders, name: site-b, dir: site-b, split: test }',
      '  imageSize: 32',
      '  valFraction: 0.3',
      'train: { epochs: 1, batchSize: 8 }',
      'evaluation: { gradcamPerClass: 0 }',
      `output: { dir: ${join(root, 'runs')} }`,
    ].join('\n'),
  );
  const res = runCommand(process.execPath, [BIN, 'train', experiment]);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /external test sources \(never trained on, reported apart\): site-b/);
  assert.match(res.stdout, /test report \(12 images/);
  assert.match(res.stdout, /site-b \(external\) +n=12/);
  assert.doesNotMatch(res.stdout, /no external test set/);
  const runDir = /run folder (\S+)/.exec(res.stdout)?.[1] as string;
  const split = JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8')) as { train: string[]; val: string[]; test: string[] };
  assert.equal(split.test.length, 12);
  assert.ok(split.test.every((p) => p.includes('/site-b/')));
  assert.ok([...split.train, ...split.val].every((p) => p.includes('/site-a/')));
  const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as { val: { n: number }; test: { n: number; external: string[]; perSource: { key: string }[] } };
  assert.equal(report.test.n, 12);
  assert.deepEqual(report.test.external, ['site-b']);
  assert.deepEqual(report.test.perSource.map((g) => g.key), ['site-b']);
  assert.equal(report.val.n, 9);
  const card = readFileSync(join(runDir, 'model-card.md'), 'utf8');
  assert.match(card, /### Test \(12 images; external sources: site-b\)/);
  assert.match(card, /External test sources \(site-b\) were never used for training or model selection/);
});
