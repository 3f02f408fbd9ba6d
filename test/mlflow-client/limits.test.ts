// MLflow's key rules and batch limits as the client applies them: key messages, metric checks, value
// truncation by code point, and the split of big batches into requests within every limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_BATCH_LOG_REQUEST_SIZE,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  chunkBatch,
  keyProblem,
  metricProblem,
  truncate,
} from '../../src/mlflow-client';
import { decodeMetricValue, encodeMetricValue } from '../../src/mlflow-client/limits';

test('keys MLflow accepts pass, Unicode letters included', () => {
  for (const key of ['loss', 'train.learningRate', 'val_accuracy', 'system/cpu_utilization_percentage', 'a b-c:d', 'ü日本', '.hidden', 'k'.repeat(250)]) {
    assert.equal(keyProblem(key), null, key);
  }
});

test('invalid keys get a message naming the key and the rule', () => {
  const cases: [string, RegExp][] = [
    ['', /must not be empty/],
    ['bad key!', /"bad key!" may only contain letters, digits, underscores \(_\), dashes \(-\), periods \(\.\), spaces \( \), colons \(:\) and slashes \(\/\)/],
    ['tab\there', /may only contain/],
    ['/abs', /"\/abs" must read as a normalised relative path/],
    ['a//b', /normalised relative path/],
    ['a/', /normalised relative path/],
    ['..x', /normalised relative path/],
    ['a/./b', /normalised relative path/],
    ['a/../b', /normalised relative path/],
    ['k'.repeat(251), /is 251 characters long; the limit is 250/],
  ];
  for (const [key, message] of cases) assert.match(keyProblem(key) ?? 'null', message, JSON.stringify(key));
});

test('metrics: numbers (NaN and ±Infinity too), integer steps, whole-millisecond timestamps', () => {
  assert.equal(metricProblem({ key: 'loss', value: 0.5, timestamp: 1, step: 3 }), null);
  assert.equal(metricProblem({ key: 'loss', value: Number.NaN }), null);
  assert.equal(metricProblem({ key: 'loss', value: -Infinity, step: -1 }), null);
  assert.match(metricProblem({ key: 'loss', value: true }) ?? '', /metric "loss" must have a number value, received boolean/);
  assert.match(metricProblem({ key: 'loss', value: '0.5' }) ?? '', /received string/);
  assert.match(metricProblem({ key: 'loss', value: 1, step: 1.5 }) ?? '', /integer step, received 1\.5/);
  assert.match(metricProblem({ key: 'loss', value: 1, timestamp: -1 }) ?? '', /timestamp in whole milliseconds ≥ 0, received -1/);
  assert.deepEqual([Number.NaN, Infinity, -Infinity, 2.5].map(encodeMetricValue), ['NaN', 'Infinity', '-Infinity', 2.5]);
  assert.ok(Number.isNaN(decodeMetricValue('NaN')));
  assert.equal(decodeMetricValue('-Infinity'), -Infinity);
  assert.equal(decodeMetricValue(1.25), 1.25);
});

test('truncate counts code points, as Python does, and never splits a surrogate pair', () => {
  assert.equal(truncate('abc', 5), 'abc');
  assert.equal(truncate('🙂🙂🙂', 2), '🙂🙂');
  assert.equal(truncate('x'.repeat(7000), 6000).length, 6000);
});

test('a big batch is split within every per-request limit, nothing lost, order kept', () => {
  const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'loss', value: i, timestamp: 1, step: i }));
  const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
  const tags = Array.from({ length: 130 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
  const chunks = chunkBatch({ metrics, params, tags });
  for (const c of chunks) {
    assert.ok(c.metrics.length <= MAX_METRICS_PER_BATCH);
    assert.ok(c.params.length <= MAX_PARAMS_TAGS_PER_BATCH);
    assert.ok(c.tags.length <= MAX_PARAMS_TAGS_PER_BATCH);
    assert.ok(c.metrics.length + c.params.length + c.tags.length <= MAX_ENTITIES_PER_BATCH);
  }
  // As the Python client packs them: 100 params and 100 tags with 800 metrics in the first request.
  assert.deepEqual([chunks[0]!.params.length, chunks[0]!.tags.length, chunks[0]!.metrics.length], [100, 100, 800]);
  assert.deepEqual(chunks.flatMap((c) => c.metrics.map((m) => m.step)), metrics.map((m) => m.step));
  assert.deepEqual(chunks.flatMap((c) => c.params.map((p) => p.key)), params.map((p) => p.key));
  assert.deepEqual(chunks.flatMap((c) => c.tags.map((t) => t.key)), tags.map((t) => t.key));
  assert.deepEqual(chunkBatch({ metrics: [], params: [], tags: [] }), []);
});

test('requests stay under 1 MB of JSON even when every value is at its length limit', () => {
  const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'é'.repeat(6000) })); // 2 bytes each in UTF-8
  const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'x'.repeat(8000) }));
  const chunks = chunkBatch({ metrics: [], params, tags });
  assert.ok(chunks.length >= 2, `expected a split, got ${chunks.length} request(s)`);
  for (const c of chunks) {
    const body = JSON.stringify({ run_id: 'f'.repeat(32), metrics: c.metrics, params: c.params, tags: c.tags });
    assert.ok(Buffer.byteLength(body) <= MAX_BATCH_LOG_REQUEST_SIZE, `request of ${Buffer.byteLength(body)} bytes`);
  }
  assert.equal(chunks.reduce((n, c) => n + c.params.length + c.tags.length, 0), 200);
  const small = chunkBatch({ metrics: [], params, tags }, { maxBytes: 100_000 });
  assert.ok(small.every((c) => Buffer.byteLength(JSON.stringify(c)) <= 100_000));
});
