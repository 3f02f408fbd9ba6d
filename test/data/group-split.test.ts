// The grouped, stratified split on hand-made index records: groups never straddle, strata are held out
// evenly, data-given splits are kept, empty splits and folder conflicts are errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClassName } from '../../src/data/classes';
import { type GroupSplitOptions, splitIndex, splitRecord } from '../../src/data/group-split';
import type { IndexEntry, SplitName } from '../../src/data/index-entry';
import { DataError } from '../../src/errors';
import { entry } from './corpus';

const options = (extra: Partial<GroupSplitOptions> = {}): GroupSplitOptions => ({
  valFraction: 0.2,
  testFraction: 0,
  stratifyBy: ['class', 'source'],
  allowOverlap: false,
  seed: 7,
  ...extra,
});

const many = (n: number, label: ClassName, fields: Partial<IndexEntry> = {}): IndexEntry[] => Array.from({ length: n }, () => entry(label, fields));

/** Which split each path went to. */
function splitOf(split: Record<SplitName, readonly IndexEntry[]>): Map<string, SplitName> {
  return new Map((['train', 'val', 'test'] as const).flatMap((s) => split[s].map((e) => [e.path, s] as const)));
}

test('identical contents under different patients never straddle splits, and pull their patients along', () => {
  // Patient p1's second image is byte-identical to patient p2's first: p1 and p2 must share a split.
  const chain = [
    entry('covid', { patientId: 'p1', sha256: 'a' }),
    entry('covid', { patientId: 'p1', sha256: 'dup' }),
    entry('covid', { patientId: 'p2', sha256: 'dup' }),
    entry('covid', { patientId: 'p2', sha256: 'b' }),
    entry('covid', { sha256: 'b2' }), // no patient id
    entry('covid', { sha256: 'b2' }), // the same bytes again, another file
  ];
  const entries = [...chain, ...many(30, 'covid'), ...many(30, 'pneumonia'), ...many(30, 'normal')];
  const seen = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const split = splitIndex(entries, options({ seed }));
    const where = splitOf(split);
    assert.equal(new Set(chain.slice(0, 4).map((e) => where.get(e.path))).size, 1, `seed ${seed}: p1 and p2 together`);
    assert.equal(where.get((chain[4] as IndexEntry).path), where.get((chain[5] as IndexEntry).path));
    assert.equal(split.overlap.clean, true);
    seen.add(where.get((chain[0] as IndexEntry).path) as string);
  }
  assert.deepEqual([...seen].sort(), ['train', 'val'], 'the group is dealt like any other');
  const loose = splitIndex(entries, options({ allowOverlap: true, seed: 1 }));
  assert.equal(loose.groups, entries.length);
});

test('a patient with images of two classes is one group', () => {
  const entries = [entry('covid', { patientId: 'x' }), entry('normal', { patientId: 'x' }), ...many(20, 'covid'), ...many(20, 'pneumonia'), ...many(20, 'normal')];
  for (let seed = 0; seed < 20; seed++) {
    const where = splitOf(splitIndex(entries, options({ seed })));
    assert.equal(where.get((entries[0] as IndexEntry).path), where.get((entries[1] as IndexEntry).path));
  }
});

test('stratifying by class alone can misplace a rare (class, source) stratum; class × source cannot', () => {
  const entries = [
    ...many(40, 'covid', { dataset: 'adult', source: 'adult' }),
    ...many(50, 'pneumonia', { dataset: 'child', source: 'child' }),
    ...many(5, 'pneumonia', { dataset: 'adult', source: 'adult' }),
    ...many(40, 'normal', { dataset: 'child', source: 'child' }),
  ];
  const rareInVal = (stratifyBy: GroupSplitOptions['stratifyBy'], seed: number): number =>
    splitIndex(entries, options({ stratifyBy, seed })).val.filter((e) => e.label === 'pneumonia' && e.source === 'adult').length;
  const seeds = Array.from({ length: 30 }, (_, i) => i);
  assert.deepEqual(seeds.map((s) => rareInVal(['class', 'source'], s)), seeds.map(() => 1)); // 5 × 0.2
  const byClass = seeds.map((s) => rareInVal(['class'], s));
  assert.ok(byClass.some((n) => n === 0) && byClass.some((n) => n >= 3), `class alone: ${byClass.join(' ')}`);
});

test('whole groups hit the fractions as closely as they allow; val and test together', () => {
  const entries = [
    ...Array.from({ length: 30 }, (_, i) => [entry('covid', { patientId: `c${i}` }), entry('covid', { patientId: `c${i}` })]).flat(),
    ...many(45, 'pneumonia'),
    ...many(33, 'normal'),
  ];
  const split = splitIndex(entries, options({ valFraction: 0.2, testFraction: 0.1 }));
  const count = (s: SplitName, label: ClassName): number => split[s].filter((e) => e.label === label).length;
  assert.deepEqual([count('val', 'covid'), count('test', 'covid')], [12, 6]); // pairs: 60 × 0.2, 60 × 0.1
  assert.deepEqual([count('val', 'pneumonia'), count('test', 'pneumonia')], [9, 4]); // 45 × 0.2, 45 × 0.1 = 4.5: a fifth is no closer
  assert.ok(Math.abs(count('val', 'normal') - 6.6) <= 0.5 && Math.abs(count('test', 'normal') - 3.3) <= 0.5);
  assert.equal(split.train.length + split.val.length + split.test.length, entries.length);
  assert.deepEqual(
    split.strata.map((s) => [s.stratum, s.images.train + s.images.val + s.images.test]),
    [['covid / d', 60], ['pneumonia / d', 45], ['normal / d', 33]],
  );
});

test('the split is a pure function: same inputs, same split, whatever their order; inputs untouched', () => {
  const entries = Object.freeze([...many(25, 'covid', { patientId: null }), ...many(25, 'pneumonia'), ...many(25, 'normal')].map((e) => Object.freeze(e)));
  const a = splitRecord(splitIndex(entries, options()));
  assert.deepEqual(splitRecord(splitIndex(entries, options())), a);
  const reversed = splitRecord(splitIndex([...entries].reverse(), options()));
  assert.deepEqual([...reversed.val].sort(), [...a.val].sort());
  assert.notDeepEqual(splitRecord(splitIndex(entries, options({ seed: 8 }))).val, a.val);
  // Seeds 0–9 give ten different splits (deriveSeed alone would give them one).
  assert.equal(new Set(Array.from({ length: 10 }, (_, s) => splitRecord(splitIndex(entries, options({ seed: s }))).val.join())).size, 10);
});

test('adding a source leaves the other strata as they were', () => {
  const base = [...many(20, 'covid'), ...many(20, 'pneumonia'), ...many(20, 'normal')];
  const extra = many(15, 'normal', { dataset: 'other', source: 'other' });
  const before = splitIndex(base, options());
  const after = splitIndex([...base, ...extra], options());
  assert.deepEqual(after.val.filter((e) => e.source === 'd'), before.val);
});

test('splits given by the data are kept; val is carved from train/ files only when no val/ exists', () => {
  const trainFolder = [...many(20, 'covid', { fixedSplit: 'train' }), ...many(20, 'pneumonia', { fixedSplit: 'train' }), ...many(20, 'normal', { fixedSplit: 'train' })];
  const testFolder = [entry('covid', { fixedSplit: 'test' }), entry('pneumonia', { fixedSplit: 'test' }), entry('normal', { fixedSplit: 'test' })];
  const carved = splitIndex([...trainFolder, ...testFolder], options({ testFraction: 0.1 }));
  assert.deepEqual(carved.given, ['test']);
  assert.deepEqual(carved.test.map((e) => e.path), testFolder.map((e) => e.path), 'test/ is the test split, nothing carved into it');
  assert.equal(carved.val.length, 12);
  assert.ok(carved.val.every((e) => e.fixedSplit === 'train'));
  assert.equal(carved.relocated.length, 12);

  const valFolder = [entry('covid', { fixedSplit: 'val' }), entry('pneumonia', { fixedSplit: 'val' }), entry('normal', { fixedSplit: 'val' })];
  const given = splitIndex([...trainFolder, ...valFolder, ...testFolder], options());
  assert.deepEqual(given.given, ['val', 'test']);
  assert.deepEqual(
    [given.train.length, given.val.map((e) => e.path), given.test.map((e) => e.path), given.relocated.length],
    [60, valFolder.map((e) => e.path), testFolder.map((e) => e.path), 0],
  );

  // A train/ image of a patient whose other image is in test/ goes with it (and is reported as relocated).
  const follower = entry('covid', { fixedSplit: 'train', patientId: 'q' });
  const pinned = splitIndex([...trainFolder, ...valFolder, ...testFolder, follower, entry('covid', { fixedSplit: 'test', patientId: 'q' })], options());
  assert.equal(splitOf(pinned).get(follower.path), 'test');
  assert.deepEqual(pinned.relocated.map((e) => e.path), [follower.path]);
});

test("a patient in both val/ and test/ folders is an error, or with allowOverlap kept and reported", () => {
  const a = entry('covid', { fixedSplit: 'val', patientId: 'p9', source: 's' });
  const b = entry('covid', { fixedSplit: 'test', patientId: 'p9', source: 's' });
  const rest = [...many(10, 'covid'), ...many(10, 'pneumonia'), ...many(10, 'normal'), entry('pneumonia', { fixedSplit: 'val' }), entry('normal', { fixedSplit: 'test' })];
  assert.throws(
    () => splitIndex([a, b, ...rest], options()),
    (err: unknown) => err instanceof DataError && err.message.includes(a.path) && err.message.includes(b.path) && /allowOverlap/.test(err.message),
  );
  const forced = splitIndex([a, b, ...rest], options({ allowOverlap: true }));
  assert.equal(forced.overlap.clean, false);
  assert.deepEqual(forced.overlap.patients, [{ source: 's', patientId: 'p9', files: [{ split: 'val', path: a.path }, { split: 'test', path: b.path }] }]);
});

test('an empty split is an error naming it', () => {
  const tiny = [entry('covid'), entry('pneumonia'), entry('normal')];
  assert.throws(() => splitIndex(tiny, options()), (err: unknown) => err instanceof DataError && /the val split is empty/.test(err.message) && /valFraction 0\.2/.test(err.message));
  const noTrain = [entry('covid', { fixedSplit: 'val' }), entry('pneumonia', { fixedSplit: 'val' }), entry('normal', { fixedSplit: 'val' })];
  assert.throws(() => splitIndex(noTrain, options()), /the train split is empty/);
  // A split that lacks a class is a warning, not an error.
  const few = [...many(5, 'covid'), ...many(5, 'pneumonia'), entry('normal')];
  assert.deepEqual(splitIndex(few, options()).warnings, ['the val split has no normal images']);
});

test('skipped entries are left out of the split', () => {
  const entries = [...many(10, 'covid'), ...many(10, 'pneumonia'), ...many(10, 'normal'), entry('covid', { status: 'skipped', reason: 'empty' })];
  const split = splitIndex(entries, options());
  assert.equal(split.train.length + split.val.length + split.test.length, 30);
});
