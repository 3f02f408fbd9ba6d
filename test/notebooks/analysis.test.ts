// The analysis notebooks (04-evaluate, 05-compare-runs, 06-predict) executed headlessly with nbclient on
// the tslab kernel, against a real MLflow server holding two small runs of the default experiment made with
// the CLI. Small settings reach the notebooks through the environment (CXRLAB_SET, CXRLAB_RUN, CXRLAB_IMAGES,
// MLFLOW_*), never by editing them; any cell error fails, and the key outputs are checked.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Run, createMlflowClient } from '../../src/mlflow-client';
import { MODEL_CACHE_DIR } from '../../src/predict/mlflow-model';
import { type MlflowTestServer, startMlflowServer } from '../helpers/mlflow-server';
import { type Output, PLOTLY_MIME, execute, pngsOf, printedTables, textOf } from '../helpers/notebooks';
import { ROOT, requireCxrDev, runCommand, tempDir } from '../helpers/project';

interface PlotlyFigure {
  data: { type?: string; name?: string; x?: unknown[]; y?: number[]; text?: string[][] }[];
  layout: { title?: { text?: string } };
}

const BIN = join(ROOT, 'bin', 'cxrlab.cjs');
const EXPERIMENT_NAME = 'cxrlab-analysis';
const CLASSES = ['covid', 'pneumonia', 'normal'];

let server: MlflowTestServer;
/** Where the CLI runs write their folders (`<outputDir>/default/<timestamp>/`). */
const outputDir = tempDir('analysis-runs');
/** The two tracked runs, oldest first: 48 px, then 64 px with another learning rate. */
const runs: { id: string; dir: string; imageSize: number }[] = [];

const figuresOf = (outputs: readonly Output[]) => outputs.flatMap((o) => (o.data?.[PLOTLY_MIME] ? [o.data[PLOTLY_MIME] as PlotlyFigure] : []));
const titleOf = (f: PlotlyFigure) => f.layout.title?.text ?? '';

function table(text: string, columns: readonly string[]): Record<string, string>[] {
  const found = printedTables(text, columns)[0];
  assert.ok(found, `a table with the columns ${columns.join(', ')} is printed`);
  return found;
}

/** A tracked run of the default experiment with the CLI, tiny settings. */
function trainRun(settings: string[]): { id: string; dir: string } {
  const env = { ...process.env, CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: EXPERIMENT_NAME };
  const sets = ['train.epochs=1', 'evaluation.gradcamPerClass=0', `output.dir=${outputDir}`, ...settings].flatMap((s) => ['--set', s]);
  const res = runCommand(process.execPath, [BIN, 'train', join(ROOT, 'experiments', 'default.yaml'), ...sets], { env });
  assert.equal(res.status, 0, res.stderr);
  const id = /MLflow run \S+\/runs\/([0-9a-f]{32})/.exec(res.stdout)?.[1];
  const dir = /run folder (\S+)/.exec(res.stdout)?.[1];
  assert.ok(id && dir, res.stdout);
  return { id, dir };
}

before(async () => {
  requireCxrDev();
  server = await startMlflowServer();
  const client = createMlflowClient({ trackingUri: server.uri });
  // The server creates its store on the first API request (slow on a busy machine); do that before training.
  await client.getOrCreateExperiment(EXPERIMENT_NAME);
  for (const [imageSize, learningRate] of [[48, 0.001], [64, 0.003]] as const) {
    const run = trainRun([`data.imageSize=${imageSize}`, `train.learningRate=${learningRate}`]);
    const logged = await client.getRun(run.id);
    assert.equal(logged.outputs?.model_outputs?.length, 1, `run ${run.id} logged its model`);
    runs.push({ ...run, imageSize });
  }
});

after(async () => {
  await server?.close();
  for (const run of runs) rmSync(join(MODEL_CACHE_DIR, run.id), { recursive: true, force: true });
});

test('04-evaluate shows the newest run: confusion matrix, report with intervals, ROC, reliability, per source, shortcut audit, model card, Grad-CAM', async () => {
  const newest = runs[1] as (typeof runs)[number];
  const outputs = execute('04-evaluate.ipynb', { ...process.env, CXRLAB_TRACKING: '0', CXRLAB_SET: `output.dir=${outputDir}` });
  const text = textOf(outputs);
  assert.match(text, new RegExp(`run folder: ${newest.dir}\\n`), 'the newest run folder of the experiment is picked');
  assert.match(text, /model seed-004 on 64x64x3 images; val split: 44 images/);

  const figures = figuresOf(outputs);
  assert.deepEqual(figures.map(titleOf).map((t) => t.split(' (')[0]), ['Validation confusion matrix', 'Validation ROC curves', 'Validation reliability']);
  const counts = (figures[0]?.data[0]?.text ?? []).flat().map((cell) => Number(cell.split('<br>')[0]));
  assert.equal(counts.length, 9);
  assert.equal(counts.reduce((a, b) => a + b, 0), 44, 'the confusion matrix counts every validation image');
  assert.equal(figures[1]?.data.filter((t) => CLASSES.some((c) => t.name?.startsWith(c))).length, 3, 'one ROC curve per class');

  const perClass = table(text, ['class', 'support', 'precision', 'sensitivity', 'specificity', 'npv', 'f1', 'auc']);
  assert.deepEqual(perClass.map((r) => r.class), [...CLASSES, 'macro avg', 'weighted avg']);
  assert.equal(perClass.slice(0, 3).reduce((n, r) => n + Number(r.support), 0), 44);
  const intervals = table(text, ['metric', 'estimate', 'lower', 'upper']);
  assert.deepEqual(intervals.map((r) => r.metric), ['accuracy', 'macroF1', 'macroAuc', 'covidSensitivity', 'covidPpv']);
  for (const r of intervals.filter((x) => x.estimate !== 'n/a' && x.lower !== 'n/a')) {
    assert.ok(Number(r.lower) <= Number(r.estimate) + 1e-9 && Number(r.estimate) <= Number(r.upper) + 1e-9, `${r.metric}: ${r.lower} ≤ ${r.estimate} ≤ ${r.upper}`);
  }
  assert.match(text, /95% percentile intervals from 1000 resamples of \d+ patients/);

  const perSource = table(text, ['source', 'external', 'status', 'images', 'accuracy', 'macroF1']);
  assert.deepEqual(perSource.map((r) => r.source).sort(), ['ieee', 'kermany']);
  assert.equal(perSource.reduce((n, r) => n + Number(r.images), 0), 44);
  assert.match(text, /shortcut audit of layer \S+ \(\d+ features\): /);
  assert.deepEqual(table(text, ['class', 'images', 'sources', 'accuracy', 'baseline', 'auc', 'warning']).map((r) => r.class), ['pneumonia'], 'pneumonia is the class with two sources');

  const card = outputs.find((o) => o.data?.['text/markdown']);
  const markdown = [card?.data?.['text/markdown']].flat().join('');
  assert.match(markdown, /^# Model card: default\n/, 'the model card is displayed as Markdown');
  assert.match(markdown, /Not a diagnostic device/);

  for (const c of CLASSES) assert.match(text, new RegExp(`^${c}: right: .* \\| wrong: `, 'm'), `a gallery row for ${c}`);
  const pngs = await pngsOf(outputs);
  assert.equal(pngs.length, 3, 'one Grad-CAM row per class');
  for (const { width, height } of pngs) {
    assert.equal(height, 160, 'one row of 160-pixel tiles');
    assert.ok(width >= 160 && width <= 4 * 164, `1 to 4 tiles (width ${width})`);
  }
});

test('04-evaluate takes an MLflow run id: the run files come from the server through the model cache', () => {
  const first = runs[0] as (typeof runs)[number];
  rmSync(join(MODEL_CACHE_DIR, first.id), { recursive: true, force: true });
  const outputs = execute('04-evaluate.ipynb', { ...process.env, CXRLAB_TRACKING: '0', MLFLOW_TRACKING_URI: server.uri, CXRLAB_RUN: first.id });
  const text = textOf(outputs);
  assert.match(text, new RegExp(`run folder: ${join(MODEL_CACHE_DIR, first.id)} \\(MLflow run ${first.id}\\)`));
  for (const file of ['report.json', 'split.json', 'model-card.md']) assert.match(text, new RegExp(`downloaded ${file.replace('.', '\\.')} of MLflow run ${first.id}`));
  assert.match(text, /model seed-004 on 48x48x3 images; val split: 44 images/);
  assert.equal(figuresOf(outputs).length, 3);
  assert.deepEqual(readFileSync(join(MODEL_CACHE_DIR, first.id, 'report.json'), 'utf8'), readFileSync(join(first.dir, 'report.json'), 'utf8'));
});

test('05-compare-runs tabulates the experiment\'s runs, overlays their validation curves, names the best and compares the same cases', async () => {
  const client = createMlflowClient({ trackingUri: server.uri });
  const logged: Run[] = await Promise.all(runs.map((r) => client.getRun(r.id)));
  const names = logged.map((r) => r.info.run_name as string);
  const outputs = execute('05-compare-runs.ipynb', { ...process.env, CXRLAB_TRACKING: '1', MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: EXPERIMENT_NAME });
  const text = textOf(outputs);
  assert.match(text, new RegExp(`2 finished run\\(s\\) of ${EXPERIMENT_NAME} at ${server.uri}`));

  const rows = table(text, ['run', 'runId', 'model.name', 'data.imageSize', 'final_val_accuracy']);
  assert.deepEqual(rows.map((r) => r.run), [...names].reverse(), 'one row per run, newest first');
  assert.deepEqual(rows.map((r) => r['data.imageSize']), ['64', '48']);
  for (const [i, r] of [...logged].reverse().entries()) {
    const accuracy = r.data.metrics?.find((m) => m.key === 'final_val_accuracy')?.value as number;
    assert.ok(Math.abs(Number(rows[i]?.final_val_accuracy) - accuracy) < 1e-4, 'the final metric as logged');
  }

  const curves = figuresOf(outputs).find((f) => titleOf(f).includes('validation curves'));
  assert.ok(curves, 'the validation curves are displayed as a plotly figure');
  assert.deepEqual(curves.data.map((t) => t.name).sort(), names.flatMap((n) => [`${n} val_accuracy`, `${n} val_loss`]).sort());
  for (const trace of curves.data) assert.deepEqual(trace.x, [1], `${trace.name}: one point, epoch 1`);

  const accuracies = logged.map((r) => r.data.metrics?.find((m) => m.key === 'final_val_accuracy')?.value as number);
  const best = /best by final_val_accuracy \(max\): (\S+) \(([0-9a-f]{32})\), final_val_accuracy = (\S+)/.exec(text);
  assert.ok(best, 'the best run is named');
  assert.ok(names.includes(best[1] as string));
  assert.ok(Math.abs(Number(best[3]) - Math.max(...accuracies)) < 1e-4, 'the best run has the highest final_val_accuracy');

  const cases = table(text, ['case', 'truth', ...names]);
  assert.equal(cases.length, 9, 'nine shared validation cases');
  assert.deepEqual([...new Set(cases.map((r) => r.truth))].sort(), [...CLASSES].sort(), 'cases of every class');
  for (const r of cases) {
    assert.match(r.case as string, new RegExp(`^${r.truth}/`), 'a case is its path relative to the source folder');
    for (const n of names) assert.match(r[n] as string, /^(covid|pneumonia|normal) [01]\.\d\d [✓✗]$/);
  }
  const pngs = await pngsOf(outputs);
  assert.deepEqual(pngs, [{ width: 2 * 160 + 4, height: 3 * 160 + 2 * 4 }], 'Grad-CAM: three cases × two runs');
});

test('06-predict loads a logged model by run id and lists a folder\'s predictions from the most uncertain', async () => {
  const first = runs[0] as (typeof runs)[number];
  const images = join(tempDir('analysis-images'), 'images');
  mkdirSync(join(images, 'more'), { recursive: true });
  for (const [label, sub] of [['covid', ''], ['pneumonia', ''], ['normal', 'more']] as const) {
    const folder = join(requireCxrDev(), label);
    for (const f of readdirSync(folder).slice(0, 2)) copyFileSync(join(folder, f), join(images, sub, f));
  }
  writeFileSync(join(images, 'broken.png'), 'not an image');
  const outputs = execute('06-predict.ipynb', { ...process.env, CXRLAB_TRACKING: '0', MLFLOW_TRACKING_URI: server.uri, CXRLAB_RUN: first.id, CXRLAB_IMAGES: images });
  const text = textOf(outputs);
  assert.match(text, new RegExp(`model: ${join(MODEL_CACHE_DIR, first.id, 'model', 'model.json')} \\(MLflow run ${first.id}, logged model m-[0-9a-f]+\\)`));
  assert.match(text, /input: 48x48x3/);
  assert.match(text, /not predicted: .*broken\.png: cannot decode image/);
  assert.match(text, /6 of 7 image\(s\) predicted/);

  const predictions = table(text, ['file', 'class', ...CLASSES, 'top', 'margin', 'entropy']);
  assert.equal(predictions.length, 6);
  assert.deepEqual(predictions.map((r) => r.file).sort(), readdirSync(join(requireCxrDev(), 'covid')).slice(0, 2).concat(
    readdirSync(join(requireCxrDev(), 'pneumonia')).slice(0, 2),
    readdirSync(join(requireCxrDev(), 'normal')).slice(0, 2).map((f) => `more/${f}`),
  ).sort(), 'every readable image, by its path below the folder');
  const entropies = predictions.map((r) => Number(r.entropy));
  assert.deepEqual(entropies, [...entropies].sort((a, b) => b - a), 'sorted from the most uncertain');
  for (const r of predictions) {
    const probs = CLASSES.map((c) => Number(r[c]));
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 0.003, `${r.file}: probabilities sum to 1`);
    assert.equal(Number(r[r.class as string]), Math.max(...probs), `${r.file}: the class is the most probable`);
    assert.equal(Number(r.top), Math.max(...probs));
  }

  assert.equal((text.match(/^\d\. \S+: covid [01]\.\d{3} · pneumonia [01]\.\d{3} · normal [01]\.\d{3} \(entropy [01]\.\d{3}\)$/gm) ?? []).length, 6);
  const pngs = await pngsOf(outputs);
  assert.deepEqual(pngs, [{ width: 6 * 196 - 4, height: 192 }], 'the six most uncertain images side by side');
  const bars = figuresOf(outputs).find((f) => titleOf(f).includes('most uncertain'));
  assert.ok(bars, 'their probabilities as a plotly figure');
  assert.deepEqual(bars.data.map((t) => t.name), CLASSES);
  for (const t of bars.data) assert.equal(t.y?.length, 6);
});
