import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildModel, loadTrainedModel } from '../../src';
import { tempDir } from '../helpers/project';

test('a trained model carries the crop policy its run trained with (centre without a run config)', async () => {
  const root = tempDir('crop');
  const model = buildModel('seed-002', { inputSize: 32, seed: 1 });
  for (const [name, crop] of [['pad-run', 'pad'], ['centre-run', 'centre']] as const) {
    mkdirSync(join(root, name), { recursive: true });
    await model.save(`file://${join(root, name, 'model')}`);
    writeFileSync(join(root, name, 'config.json'), JSON.stringify({ data: { crop } }));
  }
  await model.save(`file://${join(root, 'bare')}`);
  model.dispose();
  const cases = [
    [join(root, 'pad-run'), 'pad'],
    [join(root, 'centre-run'), 'centre'],
    [join(root, 'pad-run', 'model'), 'pad'],
    [join(root, 'pad-run', 'model', 'model.json'), 'pad'],
    [join(root, 'bare'), 'centre'],
  ] as const;
  for (const [path, crop] of cases) {
    const trained = await loadTrainedModel(path);
    assert.equal(trained.crop, crop, path);
    trained.model.dispose();
  }
});
