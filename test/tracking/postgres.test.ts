// The team set-up: the same client and CLI against an MLflow 3.17.2 server whose backend store is
// PostgreSQL (a throwaway cluster from Debian's postgresql, one server for this file). A real training
// run arrives whole; the client's checks that depend on the store — log-batch limits, Unicode and
// write-once params, tags, NaN and ±Infinity, search filters, order and paging, concurrent writers —
// hold there too, and the rows are in PostgreSQL (read back with psql), not in a sqlite file.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type MlflowClient, createMlflowClient, isMlflowError } from '../../src/mlflow-client';
import { type MlflowTestServer, startMlflowServer } from '../helpers/mlflow-server';
import { type PostgresTestCluster, startPostgres } from '../helpers/postgres';
import { assertTrackedRun, trainTracked } from '../helpers/tracked-run';

let pg: PostgresTestCluster;
let server: MlflowTestServer;
let client: MlflowClient;

before(async () => {
  pg = await startPostgres();
  server = await startMlflowServer({ backendStoreUri: pg.url, startTimeoutMs: 420_000 });
  client = createMlflowClient({ trackingUri: server.uri, username: 'pg-user', maxRetries: 2, backoffMs: 200 });
  // /health answers before the worker has opened its store: the first store request does that (a minute or
  // more on a busy machine). Make it here, so no test — nor the CLI's 60 s tracking wait — pays for it.
  await createMlflowClient({ trackingUri: server.uri, timeoutMs: 300_000 }).getExperimentByName('Default');
}, { timeout: 900_000 });

after(async () => {
  await server?.close();
  await pg?.close();
});

const tagMap = (tags: { key: string; value: string }[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

test('the server keeps its store in PostgreSQL: MLflow migrated the database, no sqlite file was made', () => {
  assert.match(pg.query('SELECT version_num FROM alembic_version'), /^[0-9a-f]{12}$/);
  assert.equal(pg.query("SELECT name FROM experiments WHERE experiment_id = 0"), 'Default');
  assert.equal(existsSync(join(server.dir, 'mlflow.db')), false);
});

test('cxrlab train logs the whole run: params, one point per epoch, system tags, dataset, artifacts, LoggedModel', async () => {
  const training = trainTracked({
    trackingUri: server.uri,
    experimentName: 'cxrlab-postgres',
    name: 'tracked-pg',
    sets: ['data.imageSize=32', 'train.epochs=2', 'evaluation.gradcamPerClass=0', 'evaluation.shortcutAudit=false'],
  });
  await assertTrackedRun(client, training, {
    name: 'tracked-pg',
    epochs: 2,
    imageSize: 32,
    artifacts: ['config.json', 'data.json', 'split.json', 'history.json', 'report.json', 'model-card.md', 'curves.html', 'confusion.html', 'confusion.png'],
  });
  const id = sqlString(training.runId);
  assert.equal(pg.query(`SELECT status FROM runs WHERE run_uuid = ${id}`), 'FINISHED');
  assert.equal(pg.query(`SELECT count(*) FROM metrics WHERE run_uuid = ${id} AND key = 'val_accuracy'`), '2');
  assert.equal(pg.query(`SELECT value FROM params WHERE run_uuid = ${id} AND key = 'data.imageSize'`), '32');
  assert.equal(pg.query(`SELECT count(*) FROM logged_models WHERE source_run_id = ${id}`), '1');
});

test('log-batch of 2500 metrics, 250 params and 150 tags arrives complete; long values are cut, Unicode kept', async () => {
  const exp = await client.getOrCreateExperiment('pg-runs');
  const { run_id: runId } = await client.createRun(exp, { runName: 'big-batch' });
  const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: i % 2 ? 'val_loss' : 'loss', value: i / 10, timestamp: 1_700_000_000_000 + i, step: Math.floor(i / 2) }));
  const params = Array.from({ length: 250 }, (_, i) => ({ key: `param.${i}`, value: i === 0 ? 'x'.repeat(7000) : String(i) }));
  const tags = Array.from({ length: 150 }, (_, i) => ({ key: `tag.${i}`, value: `v${i}` }));
  params[1] = { key: 'param.ünï', value: 'Röntgen 胸部 🫁' };
  tags[1] = { key: 'tag.long', value: '🫁'.repeat(8000) };
  await client.logBatch(runId, { metrics, params, tags });

  const run = await client.getRun(runId);
  assert.equal(run.data.params?.length, 250);
  const p = tagMap(run.data.params);
  assert.equal(p['param.0'], 'x'.repeat(6000), 'the over-long value arrives truncated to 6000 characters');
  assert.equal(p['param.ünï'], 'Röntgen 胸部 🫁');
  assert.equal(p['param.249'], '249');
  const t = tagMap(run.data.tags);
  assert.equal(t['tag.long'], '🫁'.repeat(8000), '8000 code points outside the BMP fit a tag value');
  for (let i = 2; i < 150; i++) assert.equal(t[`tag.${i}`], `v${i}`);
  assert.deepEqual(Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.step])), { loss: 1249, val_loss: 1249 });

  const loss = await client.getMetricHistory(runId, 'loss');
  assert.equal(loss.length, 1250);
  assert.deepEqual(loss.map((m) => m.step), Array.from({ length: 1250 }, (_, i) => i));
  assert.equal(loss[3]!.value, 0.6);
  assert.equal(loss[3]!.timestamp, 1_700_000_000_006);
  const paged = await client.getMetricHistory(runId, 'val_loss', { pageSize: 400 });
  assert.deepEqual(paged.map((m) => m.step), Array.from({ length: 1250 }, (_, i) => i), 'paging returns every point once');

  await client.logBatch(runId, { params: [{ key: 'param.2', value: '2' }] }); // the same value again is accepted
  await assert.rejects(client.logBatch(runId, { params: [{ key: 'param.2', value: 'changed' }] }), (err: unknown) => {
    assert.ok(isMlflowError(err));
    assert.equal(err.status, 400);
    assert.equal(err.errorCode, 'INVALID_PARAMETER_VALUE');
    assert.match(err.message, /Changing param values is not allowed/);
    return true;
  });
  assert.equal(tagMap((await client.getRun(runId)).data.params)['param.2'], '2', 'the refused batch changed nothing');
});

test('NaN and ±Infinity metric values are stored and read back as MLflow defines', async () => {
  const exp = await client.getOrCreateExperiment('pg-runs');
  const { run_id: runId } = await client.createRun(exp, { runName: 'non-finite' });
  const values = [0.25, Number.NaN, Infinity, -Infinity, 1e-300];
  await client.logBatch(runId, { metrics: values.map((value, step) => ({ key: 'loss', value, step, timestamp: 1_700_000_000_000 + step })) });
  const history = (await client.getMetricHistory(runId, 'loss')).sort((a, b) => a.step - b.step).map((m) => m.value);
  assert.equal(history[0], 0.25);
  assert.ok(Number.isNaN(history[1]), `NaN reads back as NaN, got ${history[1]}`);
  assert.equal(history[2], Number.MAX_VALUE, 'MLflow stores +Infinity as the largest double');
  assert.equal(history[3], -Number.MAX_VALUE, 'and -Infinity as the lowest');
  assert.equal(history[4], 1e-300);
  assert.equal(pg.query(`SELECT is_nan FROM metrics WHERE run_uuid = ${sqlString(runId)} AND step = 1`), 't');

  await client.logMetrics(runId, { val_loss: Number.NaN }, { step: 0 });
  const latest = (await client.getRun(runId)).data.metrics?.find((m) => m.key === 'val_loss');
  assert.ok(latest && Number.isNaN(latest.value), 'a NaN latest value reads back as NaN');
});

test('set-tag overwrites, delete-tag removes, a missing tag is RESOURCE_DOES_NOT_EXIST', async () => {
  const exp = await client.getOrCreateExperiment('pg-runs');
  const { run_id: runId } = await client.createRun(exp, { runName: 'tags', tags: [{ key: 'team', value: 'cxr' }] });
  const run = await client.getRun(runId);
  assert.equal(run.info.user_id, 'pg-user');
  assert.equal(tagMap(run.data.tags)['mlflow.user'], 'pg-user');
  await client.setTag(runId, 'mlflow.note.content', 'first');
  await client.setTag(runId, 'mlflow.note.content', '# notes\n\nsecond — “quoted”');
  await client.setTag(runId, 'to.delete', 'x');
  assert.equal(tagMap((await client.getRun(runId)).data.tags)['mlflow.note.content'], '# notes\n\nsecond — “quoted”');
  await client.deleteTag(runId, 'to.delete');
  assert.equal(tagMap((await client.getRun(runId)).data.tags)['to.delete'], undefined);
  await assert.rejects(client.deleteTag(runId, 'to.delete'), (err: unknown) => isMlflowError(err) && err.errorCode === 'RESOURCE_DOES_NOT_EXIST');
});

test('search runs: filters (LIKE is case-sensitive, ILIKE is not), order with missing metrics last, page tokens', async () => {
  const exp = await client.getOrCreateExperiment('pg-search');
  for (let i = 0; i < 5; i++) {
    const { run_id: runId } = await client.createRun(exp, { runName: i === 4 ? 'S4' : `s${i}` });
    const metrics = i === 3 ? [] : [{ key: 'val_accuracy', value: i / 10 }];
    await client.logBatch(runId, { params: [{ key: 'model', value: i % 2 ? 'resnet-small' : 'seed-004' }], metrics });
  }
  const names = (runs: { info: { run_name?: string } }[]) => runs.map((r) => r.info.run_name);
  assert.deepEqual(names(await client.searchAllRuns([exp], { filter: "params.model = 'seed-004'", orderBy: ['metrics.val_accuracy DESC'] })), ['S4', 's2', 's0']);
  assert.deepEqual(names(await client.searchAllRuns([exp], { orderBy: ['metrics.val_accuracy DESC'] })), ['S4', 's2', 's1', 's0', 's3'], 'a run without the metric sorts last');
  assert.deepEqual(names(await client.searchAllRuns([exp], { orderBy: ['metrics.val_accuracy ASC'] })), ['s0', 's1', 's2', 'S4', 's3'], 'last in ascending order too');
  assert.deepEqual(names(await client.searchAllRuns([exp], { filter: "attributes.run_name LIKE 's%'", orderBy: ['attributes.run_name ASC'] })), ['s0', 's1', 's2', 's3']);
  assert.equal((await client.searchAllRuns([exp], { filter: "attributes.run_name ILIKE 's%'" })).length, 5);
  assert.equal((await client.searchAllRuns([exp], { filter: 'metrics.val_accuracy > 0.15' })).length, 2);

  const first = await client.searchRuns([exp], { maxResults: 2, orderBy: ['attributes.run_name ASC'] });
  assert.deepEqual(names(first.runs), ['S4', 's0'], 'byte order: upper case first (the cluster collation is C)');
  assert.ok(first.nextPageToken);
  const second = await client.searchRuns([exp], { maxResults: 2, orderBy: ['attributes.run_name ASC'], pageToken: first.nextPageToken });
  assert.deepEqual(names(second.runs), ['s1', 's2']);
  assert.equal((await client.searchAllRuns([exp], { limit: 3 })).length, 3);
});

test('concurrent writers to one run lose nothing', async () => {
  const exp = await client.getOrCreateExperiment('pg-runs');
  const { run_id: runId } = await client.createRun(exp, { runName: 'concurrent' });
  const writers = Array.from({ length: 8 }, () => createMlflowClient({ trackingUri: server.uri, maxRetries: 2, backoffMs: 200 }));
  await Promise.all(
    writers.map((w, i) =>
      w.logBatch(runId, {
        metrics: Array.from({ length: 50 }, (_, j) => ({ key: 'loss', value: i * 1000 + j, step: i * 50 + j })),
        params: [{ key: `writer.${i}`, value: String(i) }],
        tags: [{ key: 'shared', value: 'same' }],
      }),
    ),
  );
  const loss = await client.getMetricHistory(runId, 'loss');
  assert.deepEqual(loss.map((m) => m.step).sort((a, b) => a - b), Array.from({ length: 400 }, (_, i) => i));
  const run = await client.getRun(runId);
  assert.equal(run.data.params?.length, 8);
  assert.equal(tagMap(run.data.tags).shared, 'same');
  assert.equal(run.data.metrics?.find((m) => m.key === 'loss')?.step, 399, 'the latest value is the highest step');
});
