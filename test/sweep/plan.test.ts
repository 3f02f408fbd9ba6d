import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyOverrides } from '../../src/config/overrides';
import { ConfigError } from '../../src/errors';
import { loadSweep, parseSweep } from '../../src/sweep/load';
import { planSweep, trialValues } from '../../src/sweep/plan';
import { formatOverride, formatValue } from '../../src/sweep/values';
import { ROOT, tempDir } from '../helpers/project';

/** A folder with a minimal experiment (no data is read while planning). */
function workspace(): { dir: string; sweepPath: string } {
  const dir = tempDir('sweep-plan');
  mkdirSync(join(dir, 'exp'));
  writeFileSync(join(dir, 'exp', 'base.yaml'), 'name: base\ndata:\n  dir: /data/cxr\n  imageSize: 64\ntrain:\n  epochs: 2\n');
  return { dir, sweepPath: join(dir, 'sweep.yaml') };
}

const base = (extra: Record<string, unknown>) => ({ name: 's', experiment: 'exp/base.yaml', ...extra });

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return [...err.issues];
  }
  assert.fail('expected a ConfigError');
}

async function asyncIssuesOf(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return [...err.issues];
  }
  assert.fail('expected a ConfigError');
}

test('a grid runs every combination in file order, the last parameter varying fastest, each trial validated with its overrides', async () => {
  const { sweepPath } = workspace();
  const spec = parseSweep(base({ method: 'grid', parameters: { 'train.learningRate': [0.001, 0.0003], 'model.dropout': [0.2, 0.4, 0.6] }, set: ['train.epochs=5'] }), sweepPath);
  const plan = await planSweep(spec);
  assert.deepEqual(
    plan.trials.map((t) => [t.config.train.learningRate, t.config.model.dropout]),
    [[0.001, 0.2], [0.001, 0.4], [0.001, 0.6], [0.0003, 0.2], [0.0003, 0.4], [0.0003, 0.6]],
  );
  assert.deepEqual(plan.trials.map((t) => t.number), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(plan.trials[4]?.overrides, ['name=s-5', 'train.epochs=5', 'train.learningRate=0.0003', 'model.dropout=0.4']);
  for (const t of plan.trials) {
    assert.equal(t.config.name, `s-${t.number}`, 'each trial is named <sweep>-<n>');
    assert.equal(t.config.train.epochs, 5, '`set` applies to every trial');
    assert.equal(t.config.data.imageSize, 64, 'the rest comes from the experiment');
  }
  assert.equal(plan.base.train.epochs, 5);
  assert.equal(plan.base.name, 'base');
});

test('random search is seeded: the same seed draws the same trials, another seed others, every value within its range or list', () => {
  const { sweepPath } = workspace();
  const parameters = { 'train.learningRate': { min: 0.0001, max: 0.01 }, 'model.name': ['seed-004', 'seed-000', 'resnet-small'], 'train.batchSize': { min: 8, max: 12, int: true } };
  const spec = parseSweep(base({ method: 'random', trials: 300, seed: 7, parameters }), sweepPath);
  const first = trialValues(spec);
  assert.equal(first.length, 300);
  assert.deepEqual(trialValues(parseSweep(base({ method: 'random', trials: 300, seed: 7, parameters }), sweepPath)), first);
  assert.notDeepEqual(trialValues(parseSweep(base({ method: 'random', trials: 300, seed: 8, parameters }), sweepPath)), first);
  const column = (key: string) => first.map((trial) => trial.find((v) => v.key === key)?.value);
  for (const lr of column('train.learningRate')) assert.ok(typeof lr === 'number' && lr >= 0.0001 && lr <= 0.01, `learning rate ${lr}`);
  assert.deepEqual(new Set(column('model.name')), new Set(['seed-004', 'seed-000', 'resnet-small']), 'every listed value is drawn');
  assert.deepEqual([...new Set(column('train.batchSize') as number[])].sort((a, b) => a - b), [8, 9, 10, 11, 12], 'int ranges include both bounds and give whole numbers');
  const lrs = column('train.learningRate') as number[];
  const below = lrs.filter((v) => v < 0.00505).length;
  assert.ok(below > 100 && below < 200, `uniform: about half below the midpoint, got ${below} of 300`);
});

test('a log-uniform range spreads the draws evenly over the decades; a log int range stays whole and in range', () => {
  const { sweepPath } = workspace();
  const spec = parseSweep(
    base({ method: 'random', trials: 400, seed: 3, parameters: { 'train.learningRate': { min: 0.00001, max: 0.1, log: true }, 'train.batchSize': { min: 4, max: 256, int: true, log: true } } }),
    sweepPath,
  );
  const trials = trialValues(spec);
  const lrs = trials.map((t) => t[0]?.value as number);
  const perDecade = [0, 0, 0, 0];
  for (const lr of lrs) {
    assert.ok(lr >= 0.00001 && lr <= 0.1, `learning rate ${lr}`);
    perDecade[Math.min(3, Math.floor(Math.log10(lr) + 5))]! += 1;
  }
  for (const n of perDecade) assert.ok(n > 60 && n < 140, `about 100 draws per decade, got ${perDecade}`);
  const sizes = trials.map((t) => t[1]?.value as number);
  for (const s of sizes) assert.ok(Number.isInteger(s) && s >= 4 && s <= 256, `batch size ${s}`);
  assert.ok(sizes.filter((s) => s < 32).length > 120, 'log-uniform: small values are as likely per octave as large ones');
});

test("adding a parameter to a random search leaves the other parameters' draws unchanged", () => {
  const { sweepPath } = workspace();
  const one = trialValues(parseSweep(base({ method: 'random', trials: 5, seed: 11, parameters: { 'model.dropout': { min: 0.1, max: 0.9 } } }), sweepPath));
  const two = trialValues(parseSweep(base({ method: 'random', trials: 5, seed: 11, parameters: { 'train.learningRate': [0.1, 0.01], 'model.dropout': { min: 0.1, max: 0.9 } } }), sweepPath));
  assert.deepEqual(
    two.map((t) => t.find((v) => v.key === 'model.dropout')),
    one.map((t) => t[0]),
  );
});

test('a sweep file with many mistakes lists every one of them', () => {
  const { sweepPath } = workspace();
  const raw = {
    name: 'bad name',
    method: 'grid',
    trials: 3,
    workers: 0,
    metric: { name: 'val_accuracy', goal: 'up' },
    parameters: {
      'train.learningRate': { min: 0.1, max: 0.01 },
      'model.dropout': [],
      name: ['a'],
      'output.dir': ['x'],
      'train.epochs': [1, 2, 2],
      'data.imageSize': 64,
    },
    set: ['train.epochs=3', 'nonsense'],
    colour: 'blue',
  };
  const issues = issuesOf(() => parseSweep(raw, sweepPath));
  const text = issues.join('\n');
  for (const expected of [
    '`name`: letters, digits',
    '`experiment`:',
    '`workers`:',
    '`metric.goal`:',
    'Unrecognized key: "colour"',
    '`set[1]`: expected key=value',
    '`train.learningRate`: a range { min, max } needs `method: random`',
    '`train.learningRate`: min must be below max. Received: min 0.1, max 0.01',
    '`model.dropout`: the list of values is empty',
    '`name`: cannot be varied',
    '`output.dir`: cannot be varied',
    '`train.epochs`: the value 2 is listed twice',
    '`train.epochs`: is also given in `set`',
    '`data.imageSize`: expected a list of values',
    '`trials`: is for method: random',
  ]) {
    assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
  }
});

test('random search needs trials and a seed; ranges are checked (log needs min > 0, int needs whole bounds)', () => {
  const { sweepPath } = workspace();
  const issues = issuesOf(() =>
    parseSweep(base({ method: 'random', parameters: { 'train.learningRate': { min: 0, max: 1, log: true }, 'train.batchSize': { min: 1.5, max: 8, int: true }, 'model.dropout': { min: 0.1, step: 2 } } }), sweepPath),
  );
  const text = issues.join('\n');
  for (const expected of ['`trials`: method: random needs', '`seed`: method: random needs', 'log-uniform range (log: true) needs min > 0', 'integer range (int: true) needs whole-number bounds', '`model.dropout` › `max`', 'Unrecognized key: "step"']) {
    assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
  }
});

test('every trial is validated by the experiment schema before anything runs; the error names each bad trial and key', async () => {
  const { sweepPath } = workspace();
  const spec = parseSweep(base({ method: 'grid', parameters: { 'train.learningRate': [0.001, -1], 'model.dropout': [0.5, 1.5] } }), sweepPath);
  const issues = await asyncIssuesOf(() => planSweep(spec));
  assert.deepEqual(issues, [
    'trial 2 (train.learningRate=0.001 model.dropout=1.5): `model.dropout`: Too big: expected number to be <1',
    'trial 3 (train.learningRate=-1 model.dropout=0.5): `train.learningRate`: Too small: expected number to be >0',
    'trial 4 (train.learningRate=-1 model.dropout=1.5): `model.dropout`: Too big: expected number to be <1',
    'trial 4 (train.learningRate=-1 model.dropout=1.5): `train.learningRate`: Too small: expected number to be >0',
  ]);
});

test("a bad `set` is reported once for the sweep, not once per trial; a key unknown to the experiment fails every trial's check", async () => {
  const { sweepPath } = workspace();
  const badSet = parseSweep(base({ method: 'grid', parameters: { 'model.dropout': [0.3, 0.5] }, set: ['train.epochs=0'] }), sweepPath);
  const setIssues = await asyncIssuesOf(() => planSweep(badSet));
  assert.equal(setIssues.length, 1);
  assert.match(setIssues[0] as string, /with `set`: `train.epochs`: Too small/);
  const unknownKey = parseSweep(base({ method: 'grid', parameters: { 'train.learningRat': [0.1, 0.2] } }), sweepPath);
  const keyIssues = await asyncIssuesOf(() => planSweep(unknownKey));
  assert.equal(keyIssues.length, 2);
  for (const issue of keyIssues) assert.match(issue, /^trial [12] \(train\.learningRat=0\.[12]\): `train`: Unrecognized key: "learningRat"/);
});

test('a random trial fails validation up front too, named by its number and drawn values', async () => {
  const { sweepPath } = workspace();
  const spec = parseSweep(base({ method: 'random', trials: 50, seed: 5, parameters: { 'model.dropout': { min: 0.5, max: 1.5 } } }), sweepPath);
  const issues = await asyncIssuesOf(() => planSweep(spec));
  const drawn = trialValues(spec).map((t) => t[0]?.value as number);
  const bad = drawn.map((v, i) => [v, i + 1] as const).filter(([v]) => v >= 1);
  assert.ok(bad.length > 10 && bad.length < 40, `about half the draws are ≥ 1 (${bad.length})`);
  assert.deepEqual(
    issues,
    bad.map(([v, n]) => `trial ${n} (model.dropout=${v}): \`model.dropout\`: Too big: expected number to be <1`),
  );
});

test('overrides written for a value parse back to the same value (numbers, strings that look like other types, lists, objects)', () => {
  for (const value of [0.001, 3e-4, 1e-7, 42, true, 'seed-004', 'true', '123', 'a: b', '', ['PA', 'AP'], { kind: 'cosine', minLr: 0 }]) {
    const applied = applyOverrides({}, [formatOverride('a.b', value)]) as { a: { b: unknown } };
    assert.deepEqual(applied.a.b, value, `${JSON.stringify(value)} written as ${formatValue(value)}`);
  }
});

test('loadSweep reads YAML, resolves the experiment against the sweep file, and reports unreadable or malformed files', async () => {
  const { dir, sweepPath } = workspace();
  writeFileSync(sweepPath, 'name: lr\nexperiment: exp/base.yaml\nmethod: grid\nparameters:\n  train.learningRate: [0.001, 0.0003]\n');
  const spec = await loadSweep(sweepPath);
  assert.equal(spec.experiment, join(dir, 'exp', 'base.yaml'));
  assert.deepEqual(spec.parameters, [{ key: 'train.learningRate', space: { kind: 'list', values: [0.001, 0.0003] } }]);
  assert.equal(spec.workers, 1);
  assert.deepEqual(spec.metric, { name: 'val_accuracy', goal: 'max' });
  writeFileSync(sweepPath, 'name: [unclosed\n');
  assert.match((await asyncIssuesOf(() => loadSweep(sweepPath)))[0] as string, /not valid YAML\/JSON/);
  assert.match((await asyncIssuesOf(() => loadSweep(join(dir, 'missing.yaml'))))[0] as string, /cannot read the sweep file/);
  const missingExperiment = parseSweep({ name: 'x', experiment: 'nope.yaml', method: 'grid', parameters: { 'model.dropout': [0.3] } }, sweepPath);
  assert.match((await asyncIssuesOf(() => planSweep(missingExperiment)))[0] as string, /cannot read the experiment file/);
});

test('the example sweep file experiments/sweep-lr.yaml is valid and plans its grid over seed-004', async () => {
  const spec = await loadSweep(join(ROOT, 'experiments', 'sweep-lr.yaml'));
  const plan = await planSweep(spec);
  assert.equal(spec.experiment, join(ROOT, 'experiments', 'seed-004.yaml'));
  assert.equal(plan.trials.length, 4);
  assert.deepEqual(new Set(plan.trials.map((t) => t.config.model.name)), new Set(['seed-004']));
  assert.deepEqual(
    plan.trials.map((t) => [t.config.train.learningRate, t.config.model.dropout]),
    [[0.001, 0.3], [0.001, 0.5], [0.0003, 0.3], [0.0003, 0.5]],
  );
  for (const t of plan.trials) assert.deepEqual([t.config.train.epochs, t.config.evaluation.gradcamPerClass], [3, 0], 'the example keeps its trials short');
});
