import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type PredictService, buildModel, loadTrainedModel, servePredictions, type TrainedModel } from '../../src';
import { launchBrowser } from '../helpers/browser';
import { OUTPUT_DIR, requireCxrDev, tempDir } from '../helpers/project';

let service: PredictService;
let trained: TrainedModel;
const xray = () => {
  const dir = join(requireCxrDev(), 'normal');
  return join(dir, readdirSync(dir)[0] as string);
};

before(async () => {
  const dir = tempDir('serve-model');
  const model = buildModel('seed-004', { inputSize: 64, seed: 1 });
  await model.save(`file://${dir}`);
  model.dispose();
  trained = await loadTrainedModel(dir);
  service = await servePredictions(trained, { port: 0, maxUploadBytes: 2 * 2 ** 20, maxBatch: 4 });
});

after(async () => {
  await service.close();
  trained.model.dispose();
});

test('POST /predict with a real X-ray answers class, probabilities, latency and a Grad-CAM PNG', async () => {
  const res = await fetch(`${service.url}/predict?gradcam=1`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: readFileSync(xray()) });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { class: string; probabilities: Record<string, number>; latencyMs: number; gradcam: string };
  assert.ok(['covid', 'pneumonia', 'normal'].includes(body.class));
  assert.ok(Math.abs(Object.values(body.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  assert.ok(body.latencyMs > 0);
  assert.equal(Buffer.from(body.gradcam, 'base64').subarray(1, 4).toString(), 'PNG');
});

test('GET /healthz describes the model', async () => {
  const body = (await (await fetch(`${service.url}/healthz`)).json()) as { status: string; input: number[]; classes: string[] };
  assert.equal(body.status, 'ok');
  assert.deepEqual(body.input, [64, 64, 3]);
  assert.deepEqual(body.classes, ['covid', 'pneumonia', 'normal']);
});

test('bad uploads get clear 4xx answers', async () => {
  const post = (body: Buffer | string, type = 'image/png') => fetch(`${service.url}/predict`, { method: 'POST', headers: { 'Content-Type': type }, body });
  const garbage = await post('definitely not a png');
  assert.equal(garbage.status, 400);
  assert.match(((await garbage.json()) as { error: string }).error, /upload: cannot decode image/);
  assert.equal((await post('')).status, 400);
  const big = await post(Buffer.alloc(3 * 2 ** 20));
  assert.equal(big.status, 413);
  assert.match(((await big.json()) as { error: string }).error, /limit is 2097152/);
  assert.equal((await post('{}', 'application/json')).status, 415);
  assert.equal((await fetch(`${service.url}/predict`)).status, 405);
  assert.equal((await fetch(`${service.url}/nope`)).status, 404);
});

test('24 concurrent uploads are batched and all answered', async () => {
  const bytes = readFileSync(xray());
  const answers = await Promise.all(
    Array.from({ length: 24 }, () => fetch(`${service.url}/predict`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: bytes })),
  );
  assert.deepEqual(answers.map((a) => a.status), new Array(24).fill(200));
  const classes = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as { class: string }).class)));
  assert.equal(classes.size, 1, 'the same image gets the same answer in every batch');
});

test('the upload page works in headless Chromium', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(service.url);
    await page.setInputFiles('#file', xray());
    await page.locator('#status').filter({ hasText: /class: (covid|pneumonia|normal)/ }).waitFor({ timeout: 60_000 });
    await page.locator('#gradcam[src^="data:image/png;base64,"]').waitFor();
    assert.equal(await page.locator('#probs tr').count(), 3);
    assert.equal(await page.locator('#error').textContent(), '');
    await page.screenshot({ path: join(OUTPUT_DIR, 'screenshots', 'serve-upload-page.png') });
  } finally {
    await browser.close();
  }
});
