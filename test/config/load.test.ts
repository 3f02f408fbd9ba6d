import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadExperiment, parseExperiment } from '../../src';
import { ROOT } from '../helpers/project';

test('the default experiment loads with every default filled and its data paths resolved against the file', async () => {
  const config = await loadExperiment(join(ROOT, 'experiments', 'default.yaml'));
  assert.equal(config.model.name, 'seed-004');
  assert.equal(config.train.epochs, 1);
  const [source] = config.data.sources ?? [];
  assert.ok(source?.kind === 'folders');
  assert.equal(source.dir, join(ROOT, '..', 'shared', 'data', 'cxr-dev'));
  assert.equal(source.manifest?.file, join(ROOT, '..', 'shared', 'data', 'cxr-dev', 'MANIFEST.csv'));
  assert.deepEqual(config.data.stratifyBy, ['class', 'source']);
  assert.ok(Object.isFrozen(config));
});

test('dataDir (CXRLAB_DATA) replaces the sources by one class-folder dataset and keeps the other data settings', async () => {
  const config = await loadExperiment(join(ROOT, 'experiments', 'default.yaml'), { dataDir: '/data/site-a', overrides: ['data.imageSize=64'] });
  assert.equal(config.data.dir, '/data/site-a');
  assert.equal(config.data.sources, undefined);
  assert.equal(config.data.imageSize, 64);
});

test('a config with several mistakes lists every one of them', () => {
  const raw = { seed: -1, data: { dir: 'x', imageSize: 5, chanels: 3 }, train: { epochs: 0 } };
  assert.throws(
    () => parseExperiment(raw, 'bad.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.issues.join('\n');
      for (const key of ['`seed`', '`data.imageSize`', '`data`: Unrecognized key: "chanels"', '`train.epochs`']) {
        assert.ok(text.includes(key), `missing ${key} in:\n${text}`);
      }
      assert.match(err.message, /^bad\.yaml is invalid/);
      return true;
    },
  );
});

test('dataDir overrides the file and missing files say which file', async () => {
  const config = parseExperiment({ data: { dir: 'ignored' } }, '/tmp/x.yaml', { dataDir: '/data/cxr' });
  assert.equal(config.data.dir, '/data/cxr');
  await assert.rejects(loadExperiment('/no/such/experiment.yaml'), /\/no\/such\/experiment\.yaml is invalid:\n {2}- cannot read the file/);
});

test('--set overrides are applied before validation and checked by the same schema', () => {
  const config = parseExperiment({ data: { dir: '/d' } }, 'x.yaml', {
    overrides: ['train.epochs=7', 'train.optimizer=sgd', 'train.momentum=0.9', 'train.classWeights=balanced', 'model.name=resnet-small'],
  });
  assert.equal(config.train.epochs, 7);
  assert.equal(config.train.optimizer, 'sgd');
  assert.equal(config.train.classWeights, 'balanced');
  assert.equal(config.model.name, 'resnet-small');
  assert.throws(() => parseExperiment({ data: { dir: '/d' } }, 'x.yaml', { overrides: ['train.epochs=zero'] }), /`train\.epochs`/);
  assert.throws(() => parseExperiment({ data: { dir: '/d' } }, 'x.yaml', { overrides: ['epochs'] }), /--set expects key=value/);
});

test('augmentation options are checked when the config loads, every problem listed', async () => {
  const seed004 = await loadExperiment(join(ROOT, 'experiments', 'seed-004.yaml'));
  assert.equal((seed004.augment as { rotationRange: number }).rotationRange, 10);
  assert.throws(
    () => parseExperiment({ data: { dir: '/d' }, augment: { rotationRange: -3, fillMode: 'mirror' } }, 'aug.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^aug\.yaml is invalid/);
      assert.ok(err.issues.some((i) => i.startsWith('`augment`') && i.includes('rotationRange')));
      assert.ok(err.issues.some((i) => i.includes('fillMode')));
      return true;
    },
  );
});
