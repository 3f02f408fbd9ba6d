// The data section's schema: defaults, the `dir` shorthand the current experiments use, sources, and
// every problem reported; path resolution against the config file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataSchema, dataSources, resolveDataPaths } from '../../src/data/config';

test('a `dir` data section is valid, with every default filled', () => {
  const data = dataSchema.parse({ dir: '../../shared/data/cxr-dev', imageSize: 150, channels: 3, valFraction: 0.2 });
  assert.deepEqual(data, {
    dir: '../../shared/data/cxr-dev',
    imageSize: 150,
    channels: 3,
    valFraction: 0.2,
    testFraction: 0,
    stratifyBy: ['class', 'source'],
    allowOverlap: false,
    strict: false,
    verify: 'header',
    minSize: 32,
    maxPixels: 16383 * 16383,
    crop: 'centre',
    cache: true,
    pipeline: 'auto',
    memoryLimitMB: 4096,
  });
  assert.deepEqual(dataSources(data), [{ kind: 'folders', name: 'cxr-dev', dir: '../../shared/data/cxr-dev', labelMap: {}, split: 'auto' }]);
  assert.deepEqual(dataSchema.parse(data), data, 'a resolved section parses to itself (config.json reruns)');
});

test('sources: folders with a manifest (short or long form) and a CSV, defaults filled once', () => {
  const data = dataSchema.parse({
    sources: [
      { kind: 'folders', name: 'cxr-dev', dir: 'cxr-dev', manifest: 'MANIFEST.csv' },
      { kind: 'csv', name: 'ieee', csv: 'ieee/metadata.csv', columns: { path: 'filename', label: 'finding' }, labelMap: { 'No Finding': 'exclude', '*': 'pneumonia' }, views: ['PA', 'AP'] },
    ],
    testFraction: 0.1,
  });
  assert.deepEqual(data.sources?.[0], { kind: 'folders', name: 'cxr-dev', dir: 'cxr-dev', labelMap: {}, split: 'auto', manifest: { file: 'MANIFEST.csv', columns: { path: 'file' }, sourceNames: {} } });
  assert.deepEqual(data.sources?.[1], {
    kind: 'csv',
    name: 'ieee',
    csv: 'ieee/metadata.csv',
    columns: { path: 'filename', label: 'finding' },
    labelMap: { 'No Finding': 'exclude', '*': 'pneumonia' },
    sourceNames: {},
    split: 'auto',
    views: ['PA', 'AP'],
  });
  assert.deepEqual(dataSchema.parse(data), data);

  const resolved = resolveDataPaths(data, '/exp');
  assert.equal(resolved.sources?.[0]?.kind === 'folders' && resolved.sources[0].dir, '/exp/cxr-dev');
  assert.equal(resolved.sources?.[0]?.kind === 'folders' && resolved.sources[0].manifest?.file, '/exp/cxr-dev/MANIFEST.csv');
  assert.deepEqual(resolved.sources?.[1]?.kind === 'csv' && [resolved.sources[1].csv, resolved.sources[1].dir], ['/exp/ieee/metadata.csv', '/exp/ieee']);
  assert.equal(resolveDataPaths({ dir: '/abs/data' }, '/exp').dir, '/abs/data');
  assert.equal(data.sources?.[0]?.kind === 'folders' && data.sources[0].dir, 'cxr-dev', 'the input is not changed');
});

test('every problem is reported, each at its path', () => {
  const result = dataSchema.safeParse({
    dir: 'a',
    sources: [
      { kind: 'folders', name: 'x', dir: 'a', labelMap: { TB: 'tuberculosis' }, typo: 1 },
      { kind: 'folders', name: 'x', dir: 'b', split: 'holdout' },
      { kind: 'csv', name: 'bad name!', csv: 'm.csv', columns: { finding: 'f' } },
    ],
    valFraction: 0.6,
    testFraction: 0.5,
    stratifyBy: ['source'],
  });
  assert.equal(result.success, false);
  const issues = (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
  const has = (pattern: RegExp): void => assert.ok(issues.some((i) => pattern.test(i)), `${pattern} in\n${issues.join('\n')}`);
  has(/^sources\.0\.labelMap\.TB: /);
  has(/^sources\.0: Unrecognized key: "typo"/);
  has(/^sources\.1\.split: /);
  has(/^sources\.2\.name: letters, digits, _ \. - only/);
  has(/^sources\.2\.columns: Unrecognized key: "finding"/);
  const refined = dataSchema.safeParse({ dir: 'a', sources: [{ kind: 'folders', name: 'x', dir: 'a' }, { kind: 'folders', name: 'x', dir: 'b' }], valFraction: 0.6, testFraction: 0.5, stratifyBy: ['source'] });
  const messages = (refined.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.deepEqual(messages, [
    'sources: give either `dir` (one class-folder dataset) or `sources`, not both and not neither',
    'sources: source names must be unique; repeated: x',
    'testFraction: valFraction + testFraction must be below 1 (received 0.6 + 0.5)',
    "stratifyBy: must include 'class'",
  ]);
  assert.equal(dataSchema.safeParse({}).success, false);
});
