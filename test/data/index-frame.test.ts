// The index as a danfojs-node DataFrame: one row per file with its split, counts by groupby.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildIndex } from '../../src/data/build-index';
import { splitIndex } from '../../src/data/group-split';
import { INDEX_COLUMNS, indexFrame } from '../../src/data/index-frame';
import { deriveSeed } from '../../src/util/rng';
import { requireCxrDev } from '../helpers/project';
import { entry, folders, indexOptions } from './corpus';

const manifest = {
  file: 'MANIFEST.csv',
  columns: { patientId: 'patient_id', view: 'view', source: 'source_repo' },
  sourceNames: { 's-mostafa-a/covid-chestxray-dataset': 'ieee', 'ozanguldali/final-covid-chestxray': 'kermany' },
};

/** groupby(keys).count() as { 'k1/k2': n }. */
function countBy(frame: ReturnType<typeof indexFrame>, keys: string[]): Record<string, number> {
  const counted = frame.groupby(keys).count();
  const rows = counted.values as unknown[][];
  const cols = counted.columns;
  const n = cols.indexOf('path_count');
  return Object.fromEntries(rows.map((r) => [keys.map((k) => String(r[cols.indexOf(k)])).join('/'), Number(r[n])]));
}

test('cxr-dev as a DataFrame: 219 rows, the index columns, per-source and per-split counts', async () => {
  const index = await buildIndex(indexOptions([folders('cxr-dev', requireCxrDev(), { manifest })]));
  const split = splitIndex(index.entries, { valFraction: 0.2, testFraction: 0, stratifyBy: ['class', 'source'], allowOverlap: false, seed: deriveSeed(42, 'split') });
  const frame = indexFrame(index.entries, split);
  assert.deepEqual(frame.shape, [219, INDEX_COLUMNS.length]);
  assert.deepEqual(frame.columns, INDEX_COLUMNS.map(([name]) => name));
  assert.deepEqual(countBy(frame, ['source', 'label']), { 'ieee/covid': 70, 'ieee/pneumonia': 29, 'kermany/pneumonia': 50, 'kermany/normal': 70 });
  assert.deepEqual(countBy(frame, ['split']), { train: split.train.length, val: split.val.length });
  assert.deepEqual(countBy(frame, ['status']), { ok: 219 });
  const widths = frame.column('width').values as number[];
  assert.ok(widths.every((w) => w > 0 && w <= 512));
});

test('skipped rows keep their reason; missing values are null', () => {
  const ok = entry('covid');
  const skipped = entry('normal', { status: 'skipped', reason: 'empty', detail: 'zero-byte file', width: null, height: null, channels: null, bitDepth: null, format: null, bytes: 0 });
  const frame = indexFrame([ok, skipped]);
  assert.deepEqual(frame.column('reason').values, [null, 'empty']);
  assert.deepEqual(frame.column('width').values, [64, null]);
  assert.deepEqual(frame.column('split').values, [null, null]);
  assert.deepEqual(frame.column('bytes').values, [100, 0]);
});
