// The model registry and the Grad-CAM image cards against a real MLflow 3.17.2 server: two `cxrlab train`
// runs with `tracking.registeredModel` set make versions 1 and 2 of one registered model, each linked to its
// run and its LoggedModel, name the version in tracking.json and print it, and log every Grad-CAM PNG once as
// an MLflow image (the `+` layout under images/, tag mlflow.loggedImages); a run whose server is killed before
// finish() registers and logs its images at `cxrlab sync`, and a replay of the whole journal after that sync
// (a sync that died before writing its markers) adds neither a version nor an image.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { test } from 'node:test';
import { syncCommand } from '../../src/cli/sync';
import { createMlflowClient } from '../../src/mlflow-client';
import { gradcamImageKey, startRunTracker } from '../../src/tracking/run-tracker';
import { SPOOL_FILE } from '../../src/tracking/spool';
import { captureLog } from '../helpers/console';
import { tempDir } from '../helpers/project';
import { useSyncServer } from '../helpers/sync-server';
import { type TrackedTraining, trainTracked } from '../helpers/tracked-run';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const IMAGE_FILE = /^images\/([^+]+)\+step\+(\d+)\+timestamp\+(\d+)\+([0-9a-f-]{36})(\+compressed)?\.png$/;

const sync = useSyncServer();

/** Every PNG below `dir`, as '/'-separated paths relative to it. */
function pngsBelow(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.png')).map((f) => f.split(sep).join('/')).sort();
}

/** The run's logged images by key: each key must have exactly one image and one thumbnail, equal to `local`. */
async function assertImagesOnce(runId: string, local: Map<string, Buffer>): Promise<void> {
  const run = await sync.reader.getRun(runId);
  assert.equal(run.data.tags?.find((t) => t.key === 'mlflow.loggedImages')?.value, 'True', 'the tag that makes the UI show image cards');
  const files = (await sync.reader.listArtifacts(runId, 'images')).map((f) => f.path).sort();
  assert.equal(files.length, 2 * local.size, `one image and one thumbnail per PNG, no more:\n${files.join('\n')}`);
  const byKey = new Map<string, string[]>();
  for (const f of files) {
    const m = IMAGE_FILE.exec(f);
    assert.ok(m, `${f} is in MLflow's + layout`);
    byKey.set(m[1] as string, [...(byKey.get(m[1] as string) ?? []), f]);
  }
  assert.deepEqual([...byKey.keys()].sort(), [...local.keys()].sort(), 'one key per Grad-CAM PNG');
  for (const [key, bytes] of local) {
    const pair = byKey.get(key) ?? [];
    const image = pair.find((f) => !f.endsWith('+compressed.png'));
    const thumb = pair.find((f) => f.endsWith('+compressed.png'));
    assert.ok(pair.length === 2 && image && thumb === image.replace(/\.png$/, '+compressed.png'), `${key}: an image and its thumbnail: ${pair.join(', ')}`);
    assert.deepEqual(await sync.reader.downloadArtifact(run.info.artifact_uri, image), bytes, `${key}: the uploaded image is the run folder's PNG`);
  }
}

function gradcamImages(runDir: string): Map<string, Buffer> {
  const dir = join(runDir, 'gradcam');
  return new Map(pngsBelow(dir).map((rel) => [gradcamImageKey(rel), readFileSync(join(dir, rel))]));
}

async function assertVersion(name: string, version: string, training: { runId: string; runDir: string }): Promise<void> {
  const mv = await sync.reader.getModelVersion(name, version);
  const run = await sync.reader.getRun(training.runId);
  const modelId = run.outputs?.model_outputs?.[0]?.model_id;
  assert.ok(modelId, 'the run has its LoggedModel');
  assert.equal(mv.status, 'READY');
  assert.equal(mv.run_id, training.runId, 'the version links to its run');
  assert.equal(mv.source, `models:/${modelId}`, 'the version comes from the run LoggedModel');
  const model = await sync.reader.getLoggedModel(modelId);
  const linked = JSON.parse(model.info.tags?.find((t) => t.key === 'mlflow.modelVersions')?.value ?? '[]') as { name: string; version: number }[];
  assert.deepEqual(linked, [{ name, version: Number(version) }], 'the LoggedModel lists the version it became, once');
}

test('two cxrlab train runs with tracking.registeredModel make versions 1 and 2, and log each Grad-CAM PNG once as an image', { timeout: 1_200_000 }, async () => {
  const sets = ['data.imageSize=48', 'train.batchSize=16', 'evaluation.gradcamPerClass=1', 'evaluation.shortcutAudit=false'];
  const trainings: TrackedTraining[] = [];
  for (const [i, expected] of ['1', '2'].entries()) {
    // The config field, then the CLI flag.
    const register = i === 0 ? { sets: [...sets, 'tracking.registeredModel=cxr-it'] } : { sets, args: ['--register', 'cxr-it'] };
    const training = trainTracked({ trackingUri: sync.server.uri, experimentName: 'registry-it', name: `registry-${i + 1}`, ...register });
    trainings.push(training);
    assert.match(training.stdout, new RegExp(`^cxrlab: registered cxr-it version ${expected}$`, 'm'));
    await assertVersion('cxr-it', expected, training);
    const recorded = JSON.parse(readFileSync(join(training.runDir, 'tracking.json'), 'utf8')) as { runId: string; registeredModel?: { name: string; version: string; modelId: string } };
    assert.equal(recorded.runId, training.runId);
    assert.deepEqual(recorded.registeredModel?.name, 'cxr-it');
    assert.deepEqual(recorded.registeredModel?.version, expected, 'tracking.json names the version');
    const params = Object.fromEntries(((await sync.reader.getRun(training.runId)).data.params ?? []).map((p) => [p.key, p.value]));
    assert.equal(params['tracking.registeredModel'], 'cxr-it');

    const images = gradcamImages(training.runDir);
    assert.ok(images.size >= 1, 'the run wrote Grad-CAM PNGs');
    await assertImagesOnce(training.runId, images);
    const artifacts = (await sync.reader.listArtifacts(training.runId)).map((f) => f.path);
    assert.ok(artifacts.includes('gradcam'), 'the gradcam/ folder is still uploaded as artifacts');
    const steps = new Set((await sync.reader.listArtifacts(training.runId, 'images')).map((f) => IMAGE_FILE.exec(f.path)?.[2]));
    assert.deepEqual([...steps], ['1'], 'the images are logged at the step of the evaluation metrics (one epoch)');
  }
  const { versions } = await sync.reader.searchModelVersions({ filter: "name = 'cxr-it'" });
  assert.deepEqual(versions.map((v) => [v.version, v.run_id]).sort(), [['1', trainings[0]?.runId], ['2', trainings[1]?.runId]]);
  const registered = await sync.reader.getRegisteredModel('cxr-it');
  assert.equal(registered.latest_versions?.[0]?.version, '2');
});

test('a registration and images journaled while the server is away are delivered by cxrlab sync once, also when the journal is replayed', { timeout: 1_200_000 }, async () => {
  const root = tempDir('registry-sync');
  const runDir = join(root, 'runs', 'offline');
  for (const [cls, file] of [['covid', 'right-p1-as-covid.png'], ['normal', 'wrong-p2-as-covid.png']]) {
    mkdirSync(join(runDir, 'gradcam', cls as string), { recursive: true });
    writeFileSync(join(runDir, 'gradcam', cls as string, file as string), Buffer.concat([PNG, Buffer.from(file as string)]));
  }
  mkdirSync(join(runDir, 'model'));
  writeFileSync(join(runDir, 'model', 'model.json'), JSON.stringify({ format: 'layers-model' }));
  writeFileSync(join(runDir, 'model', 'weights.bin'), Buffer.from([1, 2, 3]));
  const client = createMlflowClient({ trackingUri: sync.server.uri, maxRetries: 1, backoffMs: 50 });
  const warnings: string[] = [];
  const logs: string[] = [];
  const tracker = await startRunTracker({
    client,
    experimentName: 'registry-sync',
    runName: 'offline',
    spoolDir: runDir,
    systemMetrics: false,
    registeredModel: 'cxr-sync',
    warn: (m) => void warnings.push(m),
    log: (m) => void logs.push(m),
  });
  const runId = tracker.runId;
  assert.match(runId, /^[0-9a-f]{32}$/);
  writeFileSync(join(runDir, 'tracking.json'), JSON.stringify({ trackingUri: sync.server.uri, runId, url: tracker.url }));
  await tracker.logMetrics({ loss: 0.5 }, 0);

  await sync.server.kill();
  await tracker.finish('FINISHED', runDir);
  assert.equal(tracker.registered, null);
  assert.deepEqual(logs, [], 'nothing is registered while the server is away');
  const journal = readFileSync(join(runDir, SPOOL_FILE), 'utf8');
  assert.match(journal, /"op":"register"/);
  assert.equal((journal.match(/"op":"image"/g) ?? []).length, 2);

  await sync.server.start();
  const synced = await captureLog(() => syncCommand([runDir]));
  assert.match(synced, new RegExp(`${runDir}: delivered \\d+ record\\(s\\) to run ${runId}`), synced);
  assert.match(synced, new RegExp(`${runDir}: registered cxr-sync version 1`), synced);
  const recorded = JSON.parse(readFileSync(join(runDir, 'tracking.json'), 'utf8')) as { runId: string; registeredModel?: { name: string; version: string } };
  assert.deepEqual([recorded.runId, recorded.registeredModel?.name, recorded.registeredModel?.version], [runId, 'cxr-sync', '1'], 'sync records the version in tracking.json');
  const local = gradcamImages(runDir);
  const check = async () => {
    const { versions } = await sync.reader.searchModelVersions({ filter: `run_id = '${runId}'` });
    assert.deepEqual(versions.map((v) => [v.name, v.version, v.status]), [['cxr-sync', '1', 'READY']], 'registered once');
    await assertVersion('cxr-sync', '1', { runId, runDir });
    await assertImagesOnce(runId, local);
    assert.equal((await sync.reader.getRun(runId)).info.status, 'FINISHED');
  };
  await check();

  // A sync that delivered everything but died before writing its markers: the whole journal again.
  writeFileSync(join(runDir, SPOOL_FILE), journal);
  const replayed = await captureLog(() => syncCommand([runDir]));
  assert.match(replayed, new RegExp(`${runDir}: delivered`), replayed);
  await check();
  const { versions } = await sync.reader.searchModelVersions({ filter: "name = 'cxr-sync'" });
  assert.equal(versions.length, 1, 'the replay made no second version');
});
