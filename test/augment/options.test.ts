import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors';
import { type AugmentOptions, DEFAULT_AUGMENT_CONFIG, isIdentityConfig, makeAugmenter, resolveAugmentOptions } from '../../src/augment';

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.issues;
  }
  assert.fail('expected a ConfigError');
}

test('defaults are no augmentation, with Keras default fill mode', () => {
  const config = resolveAugmentOptions({});
  assert.deepEqual(config, DEFAULT_AUGMENT_CONFIG);
  assert.equal(config.fillMode, 'nearest');
  assert.equal(config.cval, 0);
  assert.ok(isIdentityConfig(config));
  assert.ok(isIdentityConfig(resolveAugmentOptions()));
  assert.ok(isIdentityConfig(resolveAugmentOptions({ zoomRange: 0, widthShiftRange: 0, fillMode: 'constant' })));
});

test('zoom forms normalise to [lo, hi] as Keras does', () => {
  assert.deepEqual(resolveAugmentOptions({ zoomRange: 0.2 }).zoomRange, [0.8, 1.2]);
  assert.deepEqual(resolveAugmentOptions({ zoomRange: [0.5, 1.5] }).zoomRange, [0.5, 1.5]);
  assert.deepEqual(resolveAugmentOptions({ zoomRange: [1, 1] }).zoomRange, [1, 1]);
  assert.ok(!isIdentityConfig(resolveAugmentOptions({ zoomRange: 0.1 })));
});

test('shift ranges keep their number or list form', () => {
  const config = resolveAugmentOptions({ widthShiftRange: 0.1, heightShiftRange: [0, 1, 2] });
  assert.equal(config.widthShiftRange, 0.1);
  assert.deepEqual(config.heightShiftRange, [0, 1, 2]);
  assert.ok(!isIdentityConfig(resolveAugmentOptions({ heightShiftRange: [0, 3] })));
  assert.ok(!isIdentityConfig(resolveAugmentOptions({ horizontalFlip: true })));
});

test('the error message names the option, what was expected and what was received', () => {
  const issues = issuesOf(() => resolveAugmentOptions({ rotationRange: -3 }));
  assert.equal(issues.length, 1);
  assert.match(issues[0] ?? '', /^`rotationRange` must be a number ≥ 0 \(degrees\)\. Received: -3$/);
});

test('bad values produce one error listing every problem', () => {
  const bad = {
    rotationRange: -3,
    widthShiftRange: [],
    heightShiftRange: [0.1, -0.2],
    shearRange: Number.NaN,
    zoomRange: [1.2, 0.8],
    horizontalFlip: 'yes',
    verticalFlip: 1,
    fillMode: 'mirror',
    cval: Infinity,
    rotation_range: 10,
  } as unknown as AugmentOptions;
  let error: unknown;
  try {
    resolveAugmentOptions(bad);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError);
  const expected = [
    /`rotation_range` is not an augmentation option/,
    /`fillMode` must be one of 'nearest', 'constant', 'reflect', 'wrap'\. Received: "mirror"/,
    /`cval` must be a finite number\. Received: Infinity/,
    /`rotationRange` must be a number ≥ 0 .*Received: -3/,
    /`widthShiftRange` must be .*Received: \[\]/,
    /`heightShiftRange` must be .*Received: \[0\.1, -0\.2\]/,
    /`shearRange` must be a number ≥ 0 .*Received: NaN/,
    /`zoomRange` must be .*Received: \[1\.2, 0\.8\]/,
    /`horizontalFlip` must be true or false\. Received: "yes"/,
    /`verticalFlip` must be true or false\. Received: 1/,
  ];
  assert.equal(error.issues.length, expected.length, error.message);
  for (const pattern of expected) assert.ok(error.issues.some((i) => pattern.test(i)), `no issue matches ${pattern}:\n${error.message}`);
  // Every issue is in the one message.
  for (const issue of error.issues) assert.ok(error.message.includes(issue));
});

test('zoom outside its ranges is rejected', () => {
  for (const zoomRange of [-0.1, 1.5, [0, 1], [0.5], [0.5, 1, 2]] as unknown[]) {
    const issues = issuesOf(() => resolveAugmentOptions({ zoomRange } as AugmentOptions));
    assert.equal(issues.length, 1);
    assert.match(issues[0] ?? '', /^`zoomRange` must be/);
  }
});

test('makeAugmenter lists option and seed problems together', () => {
  const issues = issuesOf(() => makeAugmenter({ shearRange: -1 }, -5));
  assert.equal(issues.length, 2);
  assert.match(issues[0] ?? '', /`shearRange`/);
  assert.match(issues[1] ?? '', /^`seed` must be an integer in \[0, 2\^32\)\. Received: -5$/);
  assert.match(issuesOf(() => makeAugmenter({}, 1.5))[0] ?? '', /`seed`/);
  assert.match(issuesOf(() => makeAugmenter(null as unknown as AugmentOptions, 1))[0] ?? '', /must be an object\. Received: null/);
});
