import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classificationReport, reportByGroup } from '../../src/eval';

const ROW: Record<number, number[]> = { 0: [0.8, 0.1, 0.1], 1: [0.1, 0.8, 0.1], 2: [0.1, 0.1, 0.8] };

/** Images as [true class, predicted class, group] triples. */
function build(rows: [number, number, string][]): { yTrue: number[]; probs: number[]; groups: string[] } {
  return { yTrue: rows.map((r) => r[0]), probs: rows.flatMap((r) => ROW[r[1]]!), groups: rows.map((r) => r[2]) };
}

// site-a: 5 of each class, one covid called pneumonia; site-b: covid and pneumonia only (12 images);
// site-c: 4 images.
const rows: [number, number, string][] = [];
for (let c = 0; c < 3; c++) for (let j = 0; j < 5; j++) rows.push([c, c === 0 && j === 0 ? 1 : c, 'site-a']);
for (let j = 0; j < 6; j++) rows.push([0, 0, 'site-b'], [1, j < 2 ? 0 : 1, 'site-b']);
rows.push([0, 0, 'site-c'], [1, 1, 'site-c'], [2, 2, 'site-c'], [2, 0, 'site-c']);
const { yTrue, probs, groups } = build(rows);

test('one report per group, equal to the report of that group alone', () => {
  const byGroup = reportByGroup({ yTrue, probs }, { groups });
  assert.deepEqual([...byGroup.keys()], ['site-a', 'site-b', 'site-c']);
  const a = byGroup.get('site-a')!;
  assert.equal(a.status, 'ok');
  assert.equal(a.n, 15);
  assert.deepEqual(a.support, [5, 5, 5]);
  assert.deepEqual(a.reasons, []);
  const alone = classificationReport(build(rows.filter((r) => r[2] === 'site-a')));
  assert.deepEqual(a.report, alone);
  // site-a by hand: covid tp 4, fn 1 → recall 4/5; pneumonia tp 5, fp 1 → precision 5/6
  assert.equal(a.report.perClass[0]!.recall, 4 / 5);
  assert.equal(a.report.perClass[1]!.precision, 5 / 6);
  assert.equal(a.report.accuracy, 14 / 15);
});

test('a group missing a class is partial: said so, and its macro averages are NaN, not a mean over fewer classes', () => {
  const b = reportByGroup({ yTrue, probs }, { groups }).get('site-b')!;
  assert.equal(b.status, 'partial');
  assert.deepEqual(b.support, [6, 6, 0]);
  assert.equal(b.reasons.length, 1);
  assert.match(b.reasons[0]!, /^normal is absent: its recall, F1 and AUC are undefined, and averages over classes are NaN/);
  assert.ok(Number.isNaN(b.report.macro.recall));
  assert.ok(Number.isNaN(b.report.balancedAccuracy));
  assert.ok(Number.isNaN(b.report.macro.auc));
  // what is defined is still there: covid recall 6/6, covid precision 6/8 (two pneumonia called covid), accuracy 10/12
  assert.equal(b.report.perClass[0]!.recall, 1);
  assert.equal(b.report.perClass[0]!.precision, 6 / 8);
  assert.equal(b.report.accuracy, 10 / 12);
  // 'skip' gives the mean over present classes, and the reason says it is not comparable
  const skip = reportByGroup({ yTrue, probs }, { groups, undefinedInAverages: 'skip' }).get('site-b')!;
  assert.match(skip.reasons[0]!, /not comparable with groups that have it \(undefinedInAverages 'skip'\)/);
  assert.ok(skip.status === 'partial' && skip.report.balancedAccuracy === (1 + 4 / 6) / 2);
});

test('a group with too few images gets counts and a reason, no numbers', () => {
  const c = reportByGroup({ yTrue, probs }, { groups }).get('site-c')!;
  assert.equal(c.status, 'insufficient');
  assert.equal(c.n, 4);
  assert.deepEqual(c.support, [1, 1, 2]);
  assert.deepEqual(c.reasons, ['4 images (< minImages 10): no report']);
  assert.equal('report' in c, false);
  // with the thresholds lowered it gets a report, flagged for its tiny classes
  const low = reportByGroup({ yTrue, probs }, { groups, minImages: 4, minClassSupport: 2 }).get('site-c')!;
  assert.equal(low.status, 'partial');
  assert.deepEqual(low.reasons, ['covid has 1 image (< minClassSupport 2): its per-class numbers rest on one image', 'pneumonia has 1 image (< minClassSupport 2): its per-class numbers rest on one image']);
});

test('numeric keys, and validation of the options', () => {
  const numeric = reportByGroup({ yTrue, probs }, { groups: groups.map((g) => g.charCodeAt(5)), minImages: 1, minClassSupport: 0 });
  assert.deepEqual([...numeric.keys()], [97, 98, 99]);
  assert.equal(numeric.get(99)!.status, 'ok');
  assert.throws(() => reportByGroup({ yTrue, probs }, { groups: groups.slice(1) }), /`groups` must hold one key per image \(31\)\. Received: length 30/);
  assert.throws(() => reportByGroup({ yTrue, probs }, { groups, minImages: 0 }), /`minImages` must be a positive integer\. Received: 0/);
  assert.throws(() => reportByGroup({ yTrue, probs }, { groups: groups.map((g, i) => (i === 3 ? (null as never) : g)) }), /`groups` must hold strings or finite numbers\. Received: null at index 3/);
  assert.throws(() => reportByGroup({ yTrue: [], probs: [] }, { groups: [] }), /`yTrue` is empty/);
});
