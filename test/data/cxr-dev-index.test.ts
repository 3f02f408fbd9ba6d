// Acceptance on the real cxr-dev images: the index, per-source counts from its manifest, and a split with
// no patient and no content in two splits.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { buildIndex } from '../../src/data/build-index';
import { CLASS_NAMES } from '../../src/data/classes';
import { splitCounts } from '../../src/data/counts';
import { parseCsv } from '../../src/data/csv';
import { type GroupSplitOptions, splitIndex, splitRecord } from '../../src/data/group-split';
import type { DatasetIndex, IndexEntry } from '../../src/data/index-entry';
import { dataSummary, formatDataSummary } from '../../src/data/summary';
import { DataError } from '../../src/errors';
import { deriveSeed } from '../../src/util/rng';
import { requireCxrDev } from '../helpers/project';
import { folders, indexOptions } from './corpus';

const SOURCE_NAMES = { 's-mostafa-a/covid-chestxray-dataset': 'ieee', 'ozanguldali/final-covid-chestxray': 'kermany' };
const manifest = { file: 'MANIFEST.csv', columns: { patientId: 'patient_id', view: 'view', source: 'source_repo' }, sourceNames: SOURCE_NAMES };
const splitOptions = (extra: Partial<GroupSplitOptions> = {}): GroupSplitOptions => ({
  valFraction: 0.2,
  testFraction: 0,
  stratifyBy: ['class', 'source'],
  allowOverlap: false,
  seed: deriveSeed(42, 'split'),
  ...extra,
});

let root: string;
let index: DatasetIndex;
before(async () => {
  root = requireCxrDev();
  index = await buildIndex(indexOptions([folders('cxr-dev', root, { manifest })]));
});

/** The manifest's rows by path, read here independently of the index. */
function manifestRows(): Map<string, Record<string, string>> {
  const table = parseCsv(readFileSync(join(root, 'MANIFEST.csv'), 'utf8'), 'MANIFEST.csv');
  return new Map(table.records.map((r) => [join(root, r.values.file as string), r.values]));
}

test('cxr-dev: 219 images in 3 classes, all used, with per-source counts from the manifest', () => {
  const { entries, warnings } = index;
  assert.equal(entries.length, 219);
  assert.deepEqual(warnings, []);
  assert.ok(entries.every((e) => e.status === 'ok' && e.reason === null));
  assert.deepEqual(CLASS_NAMES.map((c) => entries.filter((e) => e.label === c).length), [70, 79, 70]);
  const perSource = (source: string, label: string): number => entries.filter((e) => e.source === source && e.label === label).length;
  assert.deepEqual(
    [perSource('ieee', 'covid'), perSource('ieee', 'pneumonia'), perSource('kermany', 'pneumonia'), perSource('kermany', 'normal'), perSource('ieee', 'normal')],
    [70, 29, 50, 70, 0],
  );
  const rows = manifestRows();
  for (const e of entries) {
    const row = rows.get(e.path);
    assert.ok(row, `${e.path} has a manifest row`);
    assert.equal(e.patientId, row.patient_id);
    assert.equal(e.view, row.view);
    assert.equal(e.label, row.label);
    assert.equal(e.format, 'png');
    assert.ok(e.width !== null && e.width > 0 && e.width <= 512 && e.height !== null && e.height <= 512);
    assert.match(e.sha256 ?? '', /^[0-9a-f]{64}$/);
  }
  const first = entries[0] as IndexEntry;
  assert.equal(first.sha256, createHash('sha256').update(readFileSync(first.path)).digest('hex'));
  assert.equal(first.bytes, readFileSync(first.path).length);
});

test('cxr-dev split: 0 patient and 0 hash overlap, checked here from the manifest too', () => {
  const split = splitIndex(index.entries, splitOptions());
  assert.equal(split.train.length + split.val.length + split.test.length, 219);
  assert.equal(split.test.length, 0);
  assert.deepEqual(split.given, []);
  assert.equal(split.overlap.clean, true);
  assert.deepEqual([split.overlap.patients, split.overlap.hashes], [[], []]);
  assert.equal(split.overlap.patientsChecked, 188); // 50 + 19 ieee, 49 + 70 kermany (person46 has two pneumonia images)
  assert.equal(split.overlap.hashesChecked, 219);

  // Independently: the patients (source_repo, patient_id) of each split are disjoint.
  const rows = manifestRows();
  const patients = (list: readonly IndexEntry[]): Set<string> => new Set(list.map((e) => `${rows.get(e.path)?.source_repo}/${rows.get(e.path)?.patient_id}`));
  const [train, val] = [patients(split.train), patients(split.val)];
  assert.deepEqual([...val].filter((p) => train.has(p)), []);
  assert.equal(train.size + val.size, 188);

  // Every (class, source) stratum is held out at 20 % as closely as whole patients allow (largest patient: 4 images).
  const counts = splitCounts(split);
  for (const [source, label, n] of [['ieee', 'covid', 70], ['ieee', 'pneumonia', 29], ['kermany', 'pneumonia', 50], ['kermany', 'normal', 70]] as const) {
    const inVal = counts.val.perSource[source]?.[label] ?? 0;
    assert.ok(Math.abs(inVal - n * 0.2) <= 2, `${source} ${label}: ${inVal} of ${n} in val`);
  }
  assert.deepEqual([split.train.length, split.val.length], [175, 44]);
});

test('cxr-dev split is a pure function of (index, options, seed)', async () => {
  const again = await buildIndex(indexOptions([folders('cxr-dev', root, { manifest })]));
  const a = splitRecord(splitIndex(index.entries, splitOptions()));
  assert.deepEqual(splitRecord(splitIndex(again.entries, splitOptions())), a);
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a, 'the record is plain JSON');
  // The input order does not matter, the seed does.
  assert.deepEqual(splitRecord(splitIndex([...index.entries].reverse(), splitOptions())).val.sort(), [...a.val].sort());
  const other = splitRecord(splitIndex(index.entries, splitOptions({ seed: deriveSeed(43, 'split') })));
  assert.notDeepEqual(other.val, a.val);
});

test('stratifying cxr-dev by class alone misplaces the 29 adult pneumonias; class × source does not', () => {
  const adultPneumoniaInVal = (stratifyBy: GroupSplitOptions['stratifyBy'], seed: number): number =>
    splitIndex(index.entries, splitOptions({ stratifyBy, seed })).val.filter((e) => e.label === 'pneumonia' && e.source === 'ieee').length;
  const seeds = Array.from({ length: 20 }, (_, i) => i);
  const bySource = seeds.map((s) => adultPneumoniaInVal(['class', 'source'], s));
  const byClass = seeds.map((s) => adultPneumoniaInVal(['class'], s));
  assert.ok(bySource.every((n) => n >= 5 && n <= 7), `class × source: ${bySource.join(' ')}`); // target 5.8
  assert.ok(byClass.some((n) => n <= 2 || n >= 10), `class alone: ${byClass.join(' ')}`);
});

test('forcing an image-by-image split (allowOverlap) shows exactly which patients straddle', () => {
  const split = splitIndex(index.entries, splitOptions({ allowOverlap: true }));
  assert.equal(split.overlap.clean, false);
  assert.ok(split.overlap.patients.length > 0);
  const where = new Map([...split.train.map((e) => [e.path, 'train'] as const), ...split.val.map((e) => [e.path, 'val'] as const)]);
  for (const p of split.overlap.patients) {
    assert.ok(new Set(p.files.map((f) => f.split)).size > 1);
    for (const f of p.files) assert.equal(where.get(f.path), f.split);
  }
  // Every patient whose images the split separates is listed, and no other.
  const rows = manifestRows();
  const splitsOf = new Map<string, Set<string>>();
  for (const [path, s] of where) {
    const key = `${SOURCE_NAMES[rows.get(path)?.source_repo as keyof typeof SOURCE_NAMES]}/${rows.get(path)?.patient_id}`;
    splitsOf.set(key, (splitsOf.get(key) ?? new Set()).add(s));
  }
  const straddling = [...splitsOf].filter(([, s]) => s.size > 1).map(([k]) => k).sort();
  assert.deepEqual(split.overlap.patients.map((p) => `${p.source}/${p.patientId}`).sort(), straddling);
  assert.match(formatDataSummary(dataSummary(index, split)), new RegExp(`overlap: ${straddling.length} patient\\(s\\) and 0 content hash`));
});

test('the summary gives counts per class, source and split and the overlap proof', () => {
  const split = splitIndex(index.entries, splitOptions());
  const summary = dataSummary(index, split);
  assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
  assert.deepEqual(summary.index.perSource, {
    ieee: { covid: 70, pneumonia: 29, normal: 0 },
    kermany: { covid: 0, pneumonia: 50, normal: 70 },
  });
  const text = formatDataSummary(summary);
  assert.match(text, /^data: 219 files found, 219 used, 0 skipped$/m);
  assert.match(text, /^ {2}ieee +70 +29 +0 +99$/m);
  assert.match(text, /^ {2}kermany +0 +50 +70 +120$/m);
  assert.match(text, /^ {2}all +70 +79 +70 +219$/m);
  assert.match(text, /^ {2}train +\d+ +\d+ +\d+ +175$/m);
  assert.match(text, /^ {2}val +\d+ +\d+ +\d+ +44$/m);
  assert.doesNotMatch(text, /^ {2}test /m);
  assert.match(text, /overlap: 0 patient\(s\) and 0 content hash\(es\) shared between splits \(188 patients, 219 hashes checked/);
});

test('a view filter that leaves a class empty is an error naming the class and why', async () => {
  // cxr-dev's Kermany images carry the view `AP (dataset-level)`, so [PA, AP] leaves no normal image.
  await assert.rejects(buildIndex(indexOptions([folders('cxr-dev', root, { manifest, views: ['PA', 'AP'] })])), (err: unknown) => {
    assert.ok(err instanceof DataError && err.path === root);
    assert.match(err.message, /no usable images for class 'normal' \(70 found, all skipped: excluded-view 70\)/);
    return true;
  });
});
