// The journal records finish() writes for the Grad-CAM images and the registration, with no server (a
// closed port): one image record per PNG of gradcam/ with the key naming its class and case and fixed file
// names, then the model, then the registration (FINISHED runs only), then the status; and the image keys.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMlflowClient } from '../../src/mlflow-client';
import { gradcamImageKey, startRunTracker } from '../../src/tracking/run-tracker';
import { SPOOL_FILE, Spool, type SpoolOp } from '../../src/tracking/spool';
import { freePort } from '../../src/util/net';
import { tempDir } from '../helpers/project';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

function runFolder(prefix: string, withModel = true): string {
  const dir = tempDir(prefix);
  writeFileSync(join(dir, 'config.json'), '{"name":"offline"}\n');
  for (const [cls, file] of [['covid', 'right-patient1-as-covid.png'], ['normal', 'wrong-IM 0001 (2)+x-as-pneumonia.png'], ['normal', 'notes.txt']] as const) {
    mkdirSync(join(dir, 'gradcam', cls), { recursive: true });
    writeFileSync(join(dir, 'gradcam', cls, file), file.endsWith('.png') ? PNG : 'not an image');
  }
  if (withModel) {
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'model.json'), '{}\n');
  }
  return dir;
}

const summary = (op: SpoolOp) => (op.op === 'image' ? `image:${op.key}` : op.op === 'register' ? `register:${op.name}` : op.op === 'artifacts' ? `artifacts:${op.path}` : op.op);

test('gradcamImageKey names the class and case, with the characters image keys and the + layout allow', () => {
  assert.equal(gradcamImageKey('covid/right-patient1-as-covid.png'), 'gradcam.covid.right-patient1-as-covid');
  assert.equal(gradcamImageKey('normal/wrong-IM 0001 (2)+x-as-pneumonia.png'), 'gradcam.normal.wrong-IM_0001__2__x-as-pneumonia');
  assert.equal(gradcamImageKey('pneumonia\\right-a%b.PNG'), 'gradcam.pneumonia.right-a_b');
  assert.equal(gradcamImageKey(`covid/${'x'.repeat(300)}.png`).length, 160);
  assert.match(gradcamImageKey('covid/ünï.png'), /^[A-Za-z0-9_.-]+$/);
});

test('finish journals one image per Grad-CAM PNG, then the model, its registration and the status', async () => {
  const client = createMlflowClient({ trackingUri: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
  const dir = runFolder('tracker-register');
  const warnings: string[] = [];
  const tracker = await startRunTracker({ client, experimentName: 'offline', runName: 'r', spoolDir: dir, systemMetrics: false, registeredModel: 'cxr-offline', warn: (m) => void warnings.push(m) });
  await tracker.logMetrics({ loss: 0.5 }, 0);
  await tracker.logMetrics({ final_val_accuracy: 0.7 }, 3);
  await tracker.finish('FINISHED', dir);
  assert.equal(tracker.registered, null, 'nothing is registered while the server is away');

  const ops = (Spool.read(join(dir, SPOOL_FILE)) as Spool).pending().map((r) => r.op);
  assert.deepEqual(ops.map(summary), [
    'create-run',
    'metrics',
    'metrics',
    'artifacts:config.json',
    'artifacts:gradcam',
    'image:gradcam.covid.right-patient1-as-covid',
    'image:gradcam.normal.wrong-IM_0001__2__x-as-pneumonia',
    'model',
    'register:cxr-offline',
    'status',
  ]);
  const images = ops.filter((op): op is Extract<SpoolOp, { op: 'image' }> => op.op === 'image');
  assert.deepEqual(images.map((op) => op.path), ['gradcam/covid/right-patient1-as-covid.png', 'gradcam/normal/wrong-IM 0001 (2)+x-as-pneumonia.png'], 'paths relative to the run folder');
  assert.deepEqual(images.map((op) => op.step), [3, 3], 'at the step of the last logged metrics');
  for (const op of images) {
    assert.match(op.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a uuid fixed in the record');
    assert.ok(Number.isSafeInteger(op.timestamp));
  }
  const model = ops.find((op) => op.op === 'model');
  const register = ops.find((op) => op.op === 'register');
  assert.ok(model?.op === 'model' && register?.op === 'register');
  assert.equal(register.modelKey, model.key, 'the registration names the model record it registers');
  assert.match(register.key, /^[0-9a-f]{24}$/);
  assert.ok(!warnings.some((w) => /not registered|is missing/.test(w)), warnings.join('\n'));
});

test('a KILLED run is not registered, and a run without a model says there is nothing to register', async () => {
  const client = createMlflowClient({ trackingUri: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
  for (const [status, withModel, expected] of [
    ['KILLED', true, /the model of a KILLED run is not registered as "cxr-offline" \(only FINISHED runs are\)/],
    ['FINISHED', false, /model\/model\.json is missing, so no model is registered as "cxr-offline"/],
  ] as const) {
    const dir = runFolder(`tracker-noregister-${status}`, withModel);
    const warnings: string[] = [];
    const tracker = await startRunTracker({ client, experimentName: 'offline', runName: 'r', spoolDir: dir, systemMetrics: false, registeredModel: 'cxr-offline', warn: (m) => void warnings.push(m) });
    await tracker.finish(status, dir);
    const kinds = (Spool.read(join(dir, SPOOL_FILE)) as Spool).pending().map((r) => r.op.op);
    assert.ok(!kinds.includes('register'), kinds.join(', '));
    assert.equal(kinds.filter((k) => k === 'image').length, 2, 'the images are logged whatever the status');
    assert.ok(warnings.some((w) => expected.test(w)), warnings.join('\n'));
  }
});

test('image and register records survive a reread and a move of the journal, with the image path rebased', () => {
  const dir = tempDir('spool-image-ops');
  mkdirSync(join(dir, 'run', 'gradcam', 'covid'), { recursive: true });
  const spool = Spool.create({ trackingUri: 'http://127.0.0.1:5999', runId: 'run-1', baseDir: join(dir, 'run') });
  const image: SpoolOp = { op: 'image', path: 'gradcam/covid/a.png', key: 'gradcam.covid.a', step: 2, timestamp: 1700000000000, uuid: '123e4567-e89b-42d3-a456-426614174000' };
  spool.append(image);
  spool.append({ op: 'register', name: 'cxr', modelKey: 'aa', key: 'bb' });
  spool.persist(join(dir, SPOOL_FILE));
  const again = Spool.read(join(dir, SPOOL_FILE)) as Spool;
  const [first, second] = again.pending().map((r) => r.op);
  assert.deepEqual(first, { ...image, path: 'run/gradcam/covid/a.png' });
  assert.equal(again.locate((first as { path: string }).path), join(dir, 'run', 'gradcam', 'covid', 'a.png'));
  assert.deepEqual(second, { op: 'register', name: 'cxr', modelKey: 'aa', key: 'bb' });
});
