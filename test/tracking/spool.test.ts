// The tracking journal on its own: records survive a reread in order, a replay marks what it delivered so
// the next one (also in another process) sends nothing twice, refused records are not retried, metric
// groups are split to find the refused one, a torn last line is dropped with a warning and cut off, and
// other damage is an error that names the file and line.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError } from '../../src/errors';
import { MlflowError } from '../../src/mlflow-client';
import { SPOOL_FILE, Spool, type SpoolOp, type SpoolRecord } from '../../src/tracking/spool';
import { type Deliver, isTransientError, replaySpool } from '../../src/tracking/spool-replay';
import { tempDir } from '../helpers/project';

const URI = 'http://127.0.0.1:5999';

const metrics = (step: number, value = 0.5): SpoolOp => ({ op: 'metrics', metrics: [{ key: 'loss', value, step, timestamp: 1000 + step }] });
const params = (key: string): SpoolOp => ({ op: 'params', params: [{ key, value: '1' }] });

const away = () => new MlflowError('cannot reach the tracking server', { kind: 'connection', method: 'POST', path: '/api/2.0/mlflow/runs/log-batch' });
const badRequest = () => new MlflowError('bad key', { kind: 'response', method: 'POST', path: '/api/2.0/mlflow/runs/log-batch', status: 400, errorCode: 'INVALID_PARAMETER_VALUE' });

/** A deliverer that records each call's ids and throws what `fail` returns for a group (or nothing). */
function recorder(fail: (ids: number[], call: number) => Error | null = () => null): { deliver: Deliver; calls: number[][]; sent: number[] } {
  const calls: number[][] = [];
  const sent: number[] = [];
  const deliver: Deliver = async (records: SpoolRecord[]) => {
    const ids = records.map((r) => r.id);
    calls.push(ids);
    const err = fail(ids, calls.length);
    if (err) throw err;
    sent.push(...ids);
  };
  return { deliver, calls, sent };
}

function newJournal(dir: string): { spool: Spool; file: string } {
  mkdirSync(dir, { recursive: true });
  const spool = Spool.create({ trackingUri: URI, runId: 'run-1', baseDir: dir });
  const file = join(dir, SPOOL_FILE);
  spool.persist(file);
  return { spool, file };
}

test('records are read back in order (NaN and Infinity included); a replay marks them so no later replay sends them again', async () => {
  const { spool, file } = newJournal(tempDir('spool-order'));
  spool.append(metrics(0, Number.NaN));
  spool.append(metrics(1, Number.POSITIVE_INFINITY));
  spool.append(params('lr'));
  spool.append({ op: 'status', status: 'FINISHED', endTime: 5 });

  const again = Spool.read(file) as Spool;
  assert.equal(again.runId, 'run-1');
  assert.equal(again.trackingUri, URI);
  assert.deepEqual(again.pending().map((r) => [r.id, r.op.op]), [[1, 'metrics'], [2, 'metrics'], [3, 'params'], [4, 'status']]);
  const values = again.pending().flatMap((r) => (r.op.op === 'metrics' ? r.op.metrics.map((m) => m.value) : []));
  assert.ok(Number.isNaN(values[0]));
  assert.equal(values[1], Number.POSITIVE_INFINITY);

  const first = recorder();
  const result = await replaySpool(again, first.deliver);
  assert.deepEqual(first.calls, [[1, 2], [3], [4]], 'consecutive metrics go as one group, the rest one by one, status last');
  assert.equal(result.interruption, null);
  assert.equal(again.pending().length, 0);

  const second = recorder();
  await replaySpool(Spool.read(file) as Spool, second.deliver);
  assert.deepEqual(second.calls, [], 'a reread journal has nothing left to send');
});

test('a replay stopped by the server going away resumes where it stopped: every record is sent once, in order', async () => {
  const { spool, file } = newJournal(tempDir('spool-partial'));
  spool.append(params('a'));
  spool.append(params('b'));
  spool.append(params('c'));
  spool.append(metrics(0));
  spool.append({ op: 'status', status: 'KILLED', endTime: 9 });

  const first = recorder((ids) => (ids[0] === 3 ? away() : null));
  const stopped = await replaySpool(Spool.read(file) as Spool, first.deliver);
  assert.ok(isTransientError(stopped.interruption));
  assert.deepEqual(first.sent, [1, 2]);
  assert.deepEqual(stopped.delivered.map((r) => r.id), [1, 2]);

  const reread = Spool.read(file) as Spool;
  assert.deepEqual(reread.pending().map((r) => r.id), [3, 4, 5]);
  assert.equal(reread.maybeDelivered(3), true, 'a record read from a file may have reached the server: its delivery checks first');
  const second = recorder();
  await replaySpool(reread, second.deliver);
  assert.deepEqual(second.sent, [3, 4, 5]);
  assert.deepEqual([...first.sent, ...second.sent], [1, 2, 3, 4, 5], 'nothing twice, order kept, status last');

  const third = recorder();
  await replaySpool(Spool.read(file) as Spool, third.deliver);
  assert.deepEqual(third.calls, []);
});

test('a refused record (4xx) is reported, marked failed and never retried; a refused group is split to find it', async () => {
  const { spool, file } = newJournal(tempDir('spool-refused'));
  spool.append(metrics(0));
  spool.append(metrics(1));
  spool.append(metrics(2));
  spool.append(params('p'));

  const reported: number[] = [];
  const first = recorder((ids) => (ids.includes(2) ? badRequest() : null));
  const result = await replaySpool(spool, first.deliver, { onFailed: (record) => reported.push(record.id) });
  assert.deepEqual(first.calls, [[1, 2, 3], [1], [2], [3], [4]]);
  assert.deepEqual(first.sent, [1, 3, 4]);
  assert.deepEqual(reported, [2]);
  assert.deepEqual(result.failed.map((f) => f.record.id), [2]);
  assert.equal(result.interruption, null);

  const reread = Spool.read(file) as Spool;
  assert.deepEqual(reread.pending(), []);
  assert.deepEqual(reread.failed().map((f) => [f.record.id, f.error]), [[2, badRequest().message]]);
  const second = recorder();
  await replaySpool(reread, second.deliver);
  assert.deepEqual(second.calls, [], 'a refused record is not sent again');
});

test('a torn last line from a crash is ignored with a warning naming the file, and cut off before the next append', () => {
  const { spool, file } = newJournal(tempDir('spool-torn'));
  spool.append(params('a'));
  spool.append(metrics(0));
  appendFileSync(file, '{"t":"op","id":3,"op":"metr');

  const warnings: string[] = [];
  const reread = Spool.read(file, (m) => void warnings.push(m)) as Spool;
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', new RegExp(`incomplete last line of ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.deepEqual(reread.pending().map((r) => r.id), [1, 2]);

  const id = reread.append(params('b'));
  assert.equal(id, 3, 'ids go on after the last whole record');
  const rows = readFileSync(file, 'utf8').trimEnd().split('\n');
  for (const row of rows) assert.doesNotThrow(() => JSON.parse(row), row);
  const later: string[] = [];
  const clean = Spool.read(file, (m) => void later.push(m)) as Spool;
  assert.deepEqual(later, []);
  assert.deepEqual(clean.pending().map((r) => [r.id, r.op.op]), [[1, 'params'], [2, 'metrics'], [3, 'params']]);
});

test('a damaged line inside the journal is an error that names the file and the line', () => {
  const { spool, file } = newJournal(tempDir('spool-damaged'));
  spool.append(params('a'));
  appendFileSync(file, 'not json\n');
  spool.append(params('b'));
  assert.throws(
    () => Spool.read(file),
    (err: unknown) => err instanceof DataError && err.path === file && /line 3 is not a journal record/.test(err.message),
  );
});

test('a journal kept in memory and written out later keeps its file references pointing at the same files', () => {
  const runDir = tempDir('spool-paths');
  const elsewhere = join(tempDir('spool-paths-other'), 'journal');
  mkdirSync(elsewhere);
  const spool = Spool.create({ trackingUri: URI, runId: null, baseDir: runDir });
  assert.equal(spool.path, null);
  spool.append({ op: 'artifacts', path: spool.refer(join(runDir, 'plots')), artifactPath: 'plots' });
  spool.append({ op: 'model', path: spool.refer(join(runDir, 'model')), name: 'model', modelType: 'tfjs-layers', key: 'k' });
  assert.deepEqual(spool.pending().map((r) => ('path' in r.op ? r.op.path : '')), ['plots', 'model'], 'stored relative to the run folder');

  spool.persist(join(elsewhere, SPOOL_FILE));
  const reread = Spool.read(join(elsewhere, SPOOL_FILE)) as Spool;
  assert.equal(reread.runId, null);
  assert.deepEqual(reread.pending().map((r) => ('path' in r.op ? reread.locate(r.op.path) : '')), [join(runDir, 'plots'), join(runDir, 'model')]);
});

test('only an absent server, a 5xx, 408 or 429 is worth retrying', () => {
  const response = (status: number) => new MlflowError('x', { kind: 'response', method: 'POST', path: '/p', status });
  assert.equal(isTransientError(away()), true);
  assert.equal(isTransientError(response(503)), true);
  assert.equal(isTransientError(response(500)), true);
  assert.equal(isTransientError(response(429)), true);
  assert.equal(isTransientError(response(408)), true);
  assert.equal(isTransientError(response(501)), false);
  assert.equal(isTransientError(response(400)), false);
  assert.equal(isTransientError(response(404)), false);
  assert.equal(isTransientError(new MlflowError('x', { kind: 'validation', method: 'POST', path: '/p' })), false);
  assert.equal(isTransientError(new Error('ENOENT')), false);
});
