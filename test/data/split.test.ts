import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLASS_NAMES, DataError, type ImageEntry, scanClassFolders, stratifiedSplit } from '../../src';
import { requireCxrDev } from '../helpers/project';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const entries: ImageEntry[] = CLASS_NAMES.flatMap((label, c) =>
  Array.from({ length: 10 + c * 5 }, (_, i) => ({ path: `/d/${label}/${i}.png`, label })),
);

test('the split is stratified, disjoint, complete and a pure function of the seed', () => {
  const a = stratifiedSplit(entries, { valFraction: 0.2, seed: 3 });
  const b = stratifiedSplit(entries, { valFraction: 0.2, seed: 3 });
  const c = stratifiedSplit(entries, { valFraction: 0.2, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.val, c.val);
  const all = new Set([...a.train, ...a.val].map((e) => e.path));
  assert.equal(all.size, entries.length);
  for (const label of CLASS_NAMES) {
    const n = entries.filter((e) => e.label === label).length;
    assert.equal(a.val.filter((e) => e.label === label).length, Math.round(n * 0.2));
  }
});

test('scanning cxr-dev finds its 219 images in the three classes', async () => {
  const found = await scanClassFolders(requireCxrDev());
  assert.equal(found.length, 219);
  assert.deepEqual(
    CLASS_NAMES.map((l) => found.filter((e) => e.label === l).length),
    [70, 79, 70],
  );
});

test('an unknown class folder is an error naming the folder and the known classes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cxrlab-scan-'));
  for (const d of ['covid', 'normal', 'tuberculosis']) mkdirSync(join(root, d));
  writeFileSync(join(root, 'covid', 'a.png'), '');
  await assert.rejects(scanClassFolders(root), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.equal(err.path, join(root, 'tuberculosis'));
    assert.match(err.message, /Expected one of covid, pneumonia, normal/);
    return true;
  });
});
