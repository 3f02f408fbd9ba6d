import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSummary, summarise, summaryCsv, summaryJson, type TrialOutcome } from '../../src/sweep/summary';

const trial = (number: number, status: TrialOutcome['status'], metrics: Record<string, number> = {}, extra: Partial<TrialOutcome> = {}): TrialOutcome => ({
  number,
  values: [
    { key: 'train.learningRate', value: 0.001 * number },
    { key: 'model.name', value: number === 2 ? 'transfer' : 'seed-004' },
  ],
  status,
  ...(status === 'NOT_RUN' ? {} : { runId: `run${number}` }),
  metrics,
  ...extra,
});

test('the parent FINISHES when any child finished, FAILS when none did, and is KILLED when the sweep was stopped', () => {
  const metric = { name: 'val_accuracy', goal: 'max' } as const;
  assert.equal(summarise([trial(1, 'FAILED'), trial(2, 'FINISHED', { val_accuracy: 0.4 })], metric, false).status, 'FINISHED');
  assert.equal(summarise([trial(1, 'FAILED'), trial(2, 'KILLED')], metric, false).status, 'FAILED');
  assert.equal(summarise([trial(1, 'FINISHED', { val_accuracy: 0.4 }), trial(2, 'KILLED'), trial(3, 'NOT_RUN')], metric, true).status, 'KILLED');
  const s = summarise([trial(3, 'NOT_RUN'), trial(1, 'FAILED'), trial(2, 'FINISHED')], metric, true);
  assert.deepEqual(s.counts, { FINISHED: 1, FAILED: 1, KILLED: 0, NOT_RUN: 1 });
  assert.deepEqual(s.trials.map((t) => t.number), [1, 2, 3], 'trials in number order whatever order they ended in');
});

test('the best child is the finished one with the highest (goal max) or lowest (goal min) metric; failed children and missing values do not count', () => {
  const outcomes = [
    trial(1, 'FINISHED', { val_accuracy: 0.5, val_loss: 0.9 }),
    trial(2, 'FAILED', { val_accuracy: 0.99, val_loss: 0.01 }),
    trial(3, 'FINISHED', { val_accuracy: 0.7, val_loss: 1.2 }),
    trial(4, 'FINISHED', { val_loss: 0.5 }),
    trial(5, 'FINISHED', { val_accuracy: 0.7, val_loss: Number.NaN }),
  ];
  assert.deepEqual(summarise(outcomes, { name: 'val_accuracy', goal: 'max' }, false).best, { number: 3, runId: 'run3', value: 0.7 }, 'a tie goes to the lower trial number');
  assert.deepEqual(summarise(outcomes, { name: 'val_loss', goal: 'min' }, false).best, { number: 4, runId: 'run4', value: 0.5 });
  const none = summarise(outcomes, { name: 'test_accuracy', goal: 'max' }, false);
  assert.equal(none.best, undefined);
  assert.match(describeSummary(none), /no finished trial logged test_accuracy/);
  assert.equal(describeSummary(summarise(outcomes, { name: 'val_accuracy', goal: 'max' }, false)), '5 trial(s): 4 finished, 1 failed; best trial 3 val_accuracy=0.7000 (run run3)');
});

test("the CSV has one row per trial: its parameters' values, the sweep's metric and the usual final metrics the children have, the error on one line", () => {
  const summary = summarise(
    [trial(1, 'FINISHED', { val_accuracy: 0.5, val_loss: 0.9, 'system/cpu_utilization_percentage': 50 }), trial(2, 'FAILED', {}, { error: 'backbone "x" not found,\nexit 1' }), trial(3, 'NOT_RUN')],
    { name: 'val_macro_f1', goal: 'max' },
    true,
  );
  const lines = summaryCsv(summary).trimEnd().split('\n');
  assert.equal(lines[0], 'trial,status,run_id,train.learningRate,model.name,val_macro_f1,val_loss,val_accuracy,error');
  assert.equal(lines[1], '1,FINISHED,run1,0.001,seed-004,,0.9,0.5,');
  assert.equal(lines[2], '2,FAILED,run2,0.002,transfer,,,,"backbone ""x"" not found, | exit 1"', 'one line per trial: the error lines joined, the cell quoted');
  assert.equal(lines[3], '3,NOT_RUN,,0.003,seed-004,,,,');
  assert.equal(lines.length, 4);
  const json = summaryJson(summary, { name: 'lr' }) as { name: string; status: string; trials: { values: Record<string, unknown> }[] };
  assert.equal(json.name, 'lr');
  assert.equal(json.status, 'KILLED');
  assert.deepEqual(json.trials[1]?.values, { 'train.learningRate': 0.002, 'model.name': 'transfer' });
});
