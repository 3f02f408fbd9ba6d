import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AugmentOptions, type AugmentParams, IDENTITY_PARAMS, resolveAugmentOptions, sampleBatchParams, sampleParams } from '../../src/augment';
import { Rng } from '../../src/util/rng';

const SIZE = { height: 100, width: 200 };

function draw(options: AugmentOptions, count = 2000, seed = 7): AugmentParams[] {
  return sampleBatchParams(resolveAugmentOptions(options), SIZE, count, new Rng(seed));
}

const values = (records: AugmentParams[], key: 'theta' | 'tx' | 'ty' | 'shear' | 'zx' | 'zy') => records.map((r) => r[key]);
const min = (xs: number[]) => Math.min(...xs);
const max = (xs: number[]) => Math.max(...xs);

test('no options draw identity records', () => {
  for (const record of draw({}, 50)) assert.deepEqual(record, IDENTITY_PARAMS);
});

test('same seed, same records; another seed, other records', () => {
  const options = { rotationRange: 30, widthShiftRange: 0.1, zoomRange: 0.2, horizontalFlip: true };
  assert.deepEqual(draw(options, 100, 3), draw(options, 100, 3));
  assert.notDeepEqual(draw(options, 100, 3), draw(options, 100, 4));
  // A batch is the per-image records in a row from one Rng.
  const config = resolveAugmentOptions(options);
  const rng = new Rng(3);
  assert.deepEqual(draw(options, 2, 3), [sampleParams(config, SIZE, rng), sampleParams(config, SIZE, rng)]);
});

test('rotation and shear are uniform in (−r, r) degrees', () => {
  const records = draw({ rotationRange: 40, shearRange: 15 });
  const theta = values(records, 'theta');
  const shear = values(records, 'shear');
  assert.ok(min(theta) >= -40 && max(theta) < 40);
  assert.ok(min(theta) < -38 && max(theta) > 38, 'the whole range is reached');
  assert.ok(min(shear) >= -15 && max(shear) < 15 && min(shear) < -14 && max(shear) > 14);
  assert.ok(Math.abs(theta.reduce((a, b) => a + b, 0) / theta.length) < 2, 'centred on 0');
  for (const r of records) assert.deepEqual([r.tx, r.ty, r.zx, r.zy], [0, 0, 1, 1]);
});

test('a shift range < 1 is a fraction of the size: height scales tx, width scales ty (Keras)', () => {
  const records = draw({ heightShiftRange: 0.1, widthShiftRange: 0.1 });
  const tx = values(records, 'tx');
  const ty = values(records, 'ty');
  assert.ok(min(tx) >= -10 && max(tx) <= 10 && max(tx) > 9.5 && min(tx) < -9.5, `tx in ±0.1·height: ${min(tx)}..${max(tx)}`);
  assert.ok(min(ty) >= -20 && max(ty) <= 20 && max(ty) > 19 && min(ty) < -19, `ty in ±0.1·width: ${min(ty)}..${max(ty)}`);
  assert.ok(tx.some((v) => !Number.isInteger(v)));
});

test('a shift range ≥ 1 is in pixels, drawn uniformly', () => {
  const tx = values(draw({ heightShiftRange: 3 }), 'tx');
  assert.ok(min(tx) >= -3 && max(tx) <= 3 && max(tx) > 2.9 && min(tx) < -2.9);
  assert.ok(tx.some((v) => !Number.isInteger(v)));
});

test("a list draws one element times a random sign; Keras' int form n is the list 0…n−1", () => {
  const tx = values(draw({ heightShiftRange: [0, 1, 2] }), 'tx');
  assert.deepEqual([...new Set(tx.map((v) => v + 0))].sort(), [-1, -2, 0, 1, 2]);
  for (const v of [-2, -1, 1, 2]) {
    const share = tx.filter((x) => x === v).length / tx.length;
    assert.ok(share > 0.12 && share < 0.21, `each signed value about 1/6: ${v} → ${share}`);
  }
  // A list whose largest value is < 1 holds fractions of the size (ty scales with the width, 200).
  const ty = values(draw({ widthShiftRange: [0.1, 0.25] }), 'ty');
  assert.deepEqual([...new Set(ty)].sort((a, b) => a - b), [-50, -20, 20, 50]);
});

test('zoom draws zx and zy independently from [lo, hi]', () => {
  const records = draw({ zoomRange: [0.5, 1.5] });
  const zx = values(records, 'zx');
  const zy = values(records, 'zy');
  assert.ok(min(zx) >= 0.5 && max(zx) < 1.5 && min(zy) >= 0.5 && max(zy) < 1.5);
  assert.ok(records.every((r) => r.zx !== r.zy));
  const mx = zx.reduce((a, b) => a + b, 0) / zx.length;
  const my = zy.reduce((a, b) => a + b, 0) / zy.length;
  const cov = records.reduce((s, r) => s + (r.zx - mx) * (r.zy - my), 0) / records.length;
  assert.ok(Math.abs(cov / (1 / 12)) < 0.1, `zx and zy uncorrelated (correlation ${cov / (1 / 12)})`);
});

test('each flip comes with probability ½, only when enabled', () => {
  const records = draw({ horizontalFlip: true });
  const share = records.filter((r) => r.flipH).length / records.length;
  assert.ok(share > 0.46 && share < 0.54, `flip share ${share}`);
  assert.ok(records.every((r) => !r.flipV));
  const both = draw({ horizontalFlip: true, verticalFlip: true });
  assert.ok(both.some((r) => r.flipH && !r.flipV) && both.some((r) => !r.flipH && r.flipV) && both.some((r) => r.flipH && r.flipV));
});

test('the flip coins are drawn even when flips are off, as in Keras: turning one on changes nothing else', () => {
  const base = { rotationRange: 20, widthShiftRange: 0.2, zoomRange: 0.1 };
  const off = draw(base, 200);
  const on = draw({ ...base, horizontalFlip: true }, 200);
  assert.deepEqual(
    on.map((r) => ({ ...r, flipH: false })),
    off,
  );
  assert.ok(on.some((r) => r.flipH));
});
