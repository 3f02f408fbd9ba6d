import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PLOTLY_MIME, execute, pngsOf, printedTables, textOf } from '../helpers/notebooks';
import { ROOT, requireCxrDev, tempDir } from '../helpers/project';

test('notebooks are stored without outputs or execution counts', () => {
  const names = readdirSync(join(ROOT, 'notebooks')).filter((n) => n.endsWith('.ipynb'));
  assert.ok(names.includes('01-data.ipynb') && names.includes('02-augmentation.ipynb'));
  for (const name of names) {
    const nb = JSON.parse(readFileSync(join(ROOT, 'notebooks', name), 'utf8')) as { cells: { cell_type: string; outputs?: unknown[]; execution_count?: number | null }[] };
    for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
      assert.deepEqual(cell.outputs, [], `${name}: a code cell has stored outputs`);
      assert.equal(cell.execution_count, null, `${name}: a code cell has an execution count`);
    }
  }
});

test('00-quickstart runs on the tslab kernel against the built package', () => {
  requireCxrDev();
  const text = textOf(execute('00-quickstart.ipynb'));
  assert.match(text, /backend=tensorflow tensorflow=2\.21\./);
  assert.match(text, /path_count/, 'the DataFrame of class counts is printed');
  assert.match(text, /images: 219/);
});

test('01-data shows the index, counts per class × source × split, the overlap proof and sample images', async () => {
  requireCxrDev();
  const env = { ...process.env, CXRLAB_TRACKING: '0', CXRLAB_SET: 'data.imageSize=48' };
  const outputs = execute('01-data.ipynb', env);
  const text = textOf(outputs);
  assert.match(text, /219 files found, 219 used, 0 skipped/);
  assert.match(text, /split: 175 train, 44 validation, 0 test/);

  // The index frame: one row per file, with its split.
  const index = printedTables(text, ['relPath', 'label', 'source', 'patientId', 'split']);
  assert.ok(index.length >= 1 && index[0]!.length === 5, 'five rows of the index are printed');
  assert.ok(index[0]!.every((r) => ['train', 'val'].includes(r.split!)), 'each used file has its split');

  // Counts per class × source (groupby), then per split × class × source.
  const perSource = printedTables(text, ['label', 'source', 'images']).find((t) => !('split' in t[0]!));
  assert.ok(perSource, 'the class × source counts are printed as a DataFrame');
  const bySource = Object.fromEntries(perSource.map((r) => [`${r.label} ${r.source}`, Number(r.images)]));
  assert.deepEqual(bySource, { 'covid ieee': 70, 'normal kermany': 70, 'pneumonia ieee': 29, 'pneumonia kermany': 50 });
  const perSplit = printedTables(text, ['split', 'label', 'source', 'images'])[0];
  assert.ok(perSplit, 'the split × class × source counts are printed as a DataFrame');
  const ieeePneumonia = perSplit.filter((r) => r.label === 'pneumonia' && r.source === 'ieee');
  assert.deepEqual(ieeePneumonia.map((r) => r.split), ['train', 'val'], 'the 29 ieee pneumonias are in both splits');
  assert.equal(ieeePneumonia.reduce((n, r) => n + Number(r.images), 0), 29);
  assert.equal(perSplit.reduce((n, r) => n + Number(r.images), 0), 219);

  // Patients and the overlap proof.
  assert.match(text, /188 patients, 25 of them with more than one image/);
  assert.match(text, /overlap: 0 patient\(s\) and 0 content hash\(es\) shared between splits \(188 patients, 219 hashes checked/);
  assert.match(text, /recomputed: 0 patients and 0 hashes shared between splits; clean: true/);
  assert.match(text, /skipped files: none/);

  // The counts chart: stacked bars per source whose bars add up to every used image.
  const figures = outputs.filter((o) => o.data?.[PLOTLY_MIME]);
  assert.equal(figures.length, 1, 'one plotly figure is displayed');
  const fig = figures[0]!.data![PLOTLY_MIME] as { data: { type: string; name: string; y: number[] }[]; layout: { barmode?: string } };
  assert.equal(typeof fig, 'object', 'the plotly figure arrives as a JSON object, as the renderer needs');
  assert.deepEqual(fig.data.map((t) => [t.type, t.name]), [['bar', 'ieee'], ['bar', 'kermany']]);
  assert.equal(fig.layout.barmode, 'stack');
  assert.equal(fig.data.flatMap((t) => t.y).reduce((a, b) => a + b, 0), 219);

  // Sample images: one PNG row per class × source stratum, at the injected image size.
  for (const stratum of ['covid · ieee', 'pneumonia · ieee', 'pneumonia · kermany', 'normal · kermany']) assert.ok(text.includes(`${stratum}\n`), stratum);
  const pngs = await pngsOf(outputs);
  assert.equal(pngs.length, 4, 'one image row per stratum');
  for (const { width, height } of pngs) {
    assert.ok(height >= 48 && height < 2 * 48, `one row of 48-pixel images (height ${height})`);
    assert.ok(width >= 4 * 48, `several images per row (width ${width})`);
  }
});

test('02-augmentation shows originals beside augmented images, the parameters drawn, and same seed → same pixels', async () => {
  requireCxrDev();
  const env = { ...process.env, CXRLAB_TRACKING: '0', CXRLAB_SET: 'data.imageSize=48' };
  const outputs = execute('02-augmentation.ipynb', env);
  const text = textOf(outputs);

  // The resolved options of seed-004.yaml's augment section.
  const options = printedTables(text, ['option', 'experiment', 'resolved'])[0];
  assert.ok(options, 'the resolved options are printed as a DataFrame');
  const resolved = Object.fromEntries(options.map((r) => [r.option, [r.experiment, r.resolved]]));
  assert.deepEqual(resolved.rotationRange, ['10', '10']);
  assert.deepEqual(resolved.zoomRange, ['0.1', '[0.9,1.1]']);
  assert.deepEqual(resolved.shearRange, ['(default)', '0']);

  // One image per class × source stratum, then the parameters of 3 epochs of that batch.
  assert.equal(text.match(/^image \d+: /gm)?.length, 4);
  const params = printedTables(text, ['epoch', 'image', 'theta', 'tx', 'ty', 'shear', 'zx', 'zy', 'flipH', 'flipV'])[0];
  assert.ok(params, 'the parameters drawn are printed as a DataFrame');
  assert.equal(params.length, 12, 'every record of 3 epochs × 4 images is shown');
  for (const r of params) {
    assert.ok(Math.abs(Number(r.theta)) <= 10, `theta within rotationRange: ${r.theta}`);
    assert.ok(Math.abs(Number(r.tx)) <= 0.1 * 48 && Math.abs(Number(r.ty)) <= 0.1 * 48, `shifts within 10 % of 48 px: ${r.tx}, ${r.ty}`);
    for (const z of [r.zx, r.zy]) assert.ok(Number(z) >= 0.9 && Number(z) <= 1.1, `zoom within [0.9, 1.1]: ${z}`);
    assert.equal(r.shear, '0');
    assert.deepEqual([r.flipH, r.flipV], ['false', 'false']);
  }
  assert.notDeepEqual(params.slice(0, 4).map((r) => r.theta), params.slice(4, 8).map((r) => r.theta), 'each epoch draws new parameters');

  // Reproducibility, and nothing left allocated.
  assert.match(text, /same seed \d+: parameters equal, pixels equal/);
  assert.match(text, /other seed \d+: parameters different, pixels different \(largest difference 0\.\d+\)/);
  assert.match(text, /tensors left by this notebook: 0\n/);

  // Two grids of 4 columns: originals and 3 epochs, then originals, seed, same seed, other seed.
  const pngs = await pngsOf(outputs);
  assert.equal(pngs.length, 2);
  for (const { width, height } of pngs) {
    assert.ok(width >= 4 * 48 && width < 5 * 48, `4 images per row (width ${width})`);
    assert.ok(height >= 4 * 48 && height < 5 * 48, `4 rows: originals and 3 augmented (height ${height})`);
  }
});

test('03-train trains with live plotly curves and shows the confusion matrix (small settings injected)', () => {
  requireCxrDev();
  const outputDir = tempDir('nb-train');
  const env = { ...process.env, CXRLAB_TRACKING: '0', CXRLAB_SET: `train.epochs=2;data.imageSize=48;evaluation.gradcamPerClass=1;output.dir=${outputDir}` };
  const outputs = execute('03-train.ipynb', env);
  const figures = outputs.filter((o) => o.data?.[PLOTLY_MIME]);
  assert.ok(figures.length >= 2, 'a curve and a confusion matrix are displayed');
  for (const f of figures) {
    const fig = f.data![PLOTLY_MIME] as { data: unknown[]; layout: unknown };
    assert.equal(typeof fig, 'object', 'the plotly figure arrives as a JSON object, as the renderer needs');
    assert.ok(Array.isArray(fig.data) && fig.data.length > 0);
  }
  const curves = figures.find((f) => JSON.stringify(f.data).includes('val_loss'))!;
  const valLoss = (curves.data![PLOTLY_MIME] as { data: { name: string; y: number[] }[] }).data.find((t) => t.name === 'val_loss')!;
  assert.equal(valLoss.y.length, 2, 'the live curve was updated to the last epoch');
  const text = textOf(outputs);
  assert.match(text, /seed-004, 2 epochs, 48px/);
  assert.match(text, new RegExp(`run folder: ${outputDir}/default/`));
});
